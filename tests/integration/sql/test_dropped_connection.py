"""Which failures the REST door may run again on a new connection: a connection found dead before the
commit (nothing was stored), never one lost during the commit (the change may be stored already)."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError, OperationalError

from adapters.sql.database import dropped_connection
from adapters.sql.unit_of_work import CommitOutcomeUnknown


def _raised(make):
    try:
        make()
    except Exception as exc:
        return exc
    raise AssertionError("nothing raised")


def _dead() -> None:
    raise OperationalError("SELECT 1", {}, ConnectionResetError("gone"), connection_invalidated=True)


def test_a_dead_connection_is_run_again_unless_it_died_during_the_commit() -> None:
    def during_commit() -> None:
        try:
            _dead()
        except OperationalError as exc:
            raise CommitOutcomeUnknown("dropped during the commit") from exc

    def wrapped_by_a_use_case() -> None:
        try:
            _dead()
        except OperationalError as exc:
            raise RuntimeError("while reading") from exc

    assert dropped_connection(_raised(_dead))
    assert dropped_connection(_raised(wrapped_by_a_use_case))
    assert not dropped_connection(_raised(during_commit))
    assert not dropped_connection(IntegrityError("INSERT", {}, Exception("duplicate")))
    assert not dropped_connection(ValueError("no database involved"))
