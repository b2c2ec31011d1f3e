"""MeterValues fold into the session kept for a connected charge point: read once, and read again
whenever the kept copy may no longer be what is stored (a failed write, a stop, a reconnect)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from application import charge_point_events
from application.transactions import MeterValues, StartTransaction, StopTransaction
from domain.charging import SessionStatus
from tests.unit.application.charging_env import charging_env
from tests.unit.application.test_charging import T, register


@pytest.fixture
async def net(env):
    return await charging_env(env)


class FlakySink:
    """The in-memory sink, failing the next ``fail`` writes (as a database outage would)."""

    def __init__(self, inner) -> None:
        self.inner, self.fail = inner, 0

    async def record(self, session, applied) -> None:
        if self.fail:
            self.fail -= 1
            raise ConnectionError("the database went away")
        await self.inner.record(session, applied)


async def _stored(net, session_id):
    return (await net.get_session(session_id, net.operator, net.org.id)).session


async def test_a_failed_write_drops_the_kept_copy_so_a_retry_is_judged_against_what_is_stored(net):
    from application import transactions

    sink = FlakySink(net.sink)
    meter_values = lambda cmd: transactions.meter_values(cmd, uow_factory=net.uow, sink=sink,  # noqa: E731
                                                         open_sessions=net.open_sessions)
    started = await net.start(StartTransaction("CP-1", 1, "RFID-DANA", Decimal(1000), T))
    tx = str(started.transaction_id)
    await meter_values(MeterValues("CP-1", (register(T + timedelta(minutes=10), 3000),), tx, 1))
    assert net.open_sessions.get("CP-1", tx) is not None
    sink.fail = 1
    with pytest.raises(ConnectionError):
        await meter_values(MeterValues("CP-1", (register(T + timedelta(minutes=20), 5000),), tx, 1))
    assert net.open_sessions.get("CP-1", tx) is None      # it had folded a reading that was never stored
    await meter_values(MeterValues("CP-1", (register(T + timedelta(minutes=20), 5000),), tx, 1))   # the retry
    stored = await _stored(net, started.session_id)
    assert (stored.last_reading.wh, stored.energy_wh, stored.flagged) == (Decimal(5000), Decimal(4000), False)


async def test_a_stop_and_a_reconnect_drop_the_kept_copies(net):
    started = await net.start(StartTransaction("CP-1", 1, "RFID-DANA", Decimal(1000), T))
    tx = str(started.transaction_id)
    await net.meter_values(MeterValues("CP-1", (register(T + timedelta(minutes=10), 3000),), tx, 1))
    await charge_point_events.charge_point_connected("CP-1", "1.6", uow_factory=net.uow, clock=net.clock,
                                                     open_sessions=net.open_sessions)
    assert len(net.open_sessions) == 0
    await net.meter_values(MeterValues("CP-1", (register(T + timedelta(minutes=20), 4000),), tx, 1))
    assert len(net.open_sessions) == 1
    await net.stop(StopTransaction("CP-1", tx, Decimal(5000), T + timedelta(minutes=30)))
    assert len(net.open_sessions) == 0
    # A late reading of the stopped session is stored, but never reopens it (and is not kept).
    await net.meter_values(MeterValues("CP-1", (register(T + timedelta(minutes=25), 4500),), tx, 1))
    stored = await _stored(net, started.session_id)
    assert (stored.status, stored.energy_wh) == (SessionStatus.COMPLETED, Decimal(4000))
    assert len(net.open_sessions) == 0


async def test_a_tag_remembered_as_unknown_is_known_at_once_when_its_driver_is_created_here(net):
    from application import charge_point_events, drivers
    from application.credential_cache import CredentialCache
    from application.drivers import CreateDriver
    from application.id_tags import AuthorizationStatus

    known = CredentialCache(timedelta(minutes=5))
    authorize = lambda tag: charge_point_events.authorize("CP-1", tag, uow_factory=net.uow,  # noqa: E731
                                                          clock=net.clock, known=known)
    assert (await authorize("RFID-NEW")).status is AuthorizationStatus.INVALID
    assert (await authorize("RFID-DANA")).status is AuthorizationStatus.ACCEPTED
    created = await drivers.create_driver(CreateDriver("Fay", None, None, ("RFID-NEW",)), net.operator, net.org.id,
                                          uow_factory=net.uow, clock=net.clock, known=known)
    accepted = await authorize("RFID-NEW")
    assert (accepted.status, accepted.driver_id) == (AuthorizationStatus.ACCEPTED, created.id)


async def test_a_reconnect_is_admitted_from_memory_only_with_the_password_that_admitted_it(net):
    from application import network
    from application.credential_cache import CredentialCache
    from domain.errors import Unauthenticated
    from tests.fakes import FastHasher

    admitted = CredentialCache(timedelta(seconds=5))
    admit = lambda password: network.admit_charge_point("CP-1", password, uow_factory=net.uow,  # noqa: E731
                                                        hasher=FastHasher(), clock=net.clock, admitted=admitted)
    assert (await admit("a-very-secret-pass")).id == "CP-1"
    assert (await admit("a-very-secret-pass")).id == "CP-1"
    for wrong in ("not-the-password", None):
        with pytest.raises(Unauthenticated):
            await admit(wrong)
    assert len(admitted) == 1
