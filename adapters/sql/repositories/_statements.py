"""Statement shapes every repository shares: insert-or-Conflict, upsert-by-key, and one page of a list."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Row, Select, Table, and_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from application.pagination import Page, PageRequest
from domain.errors import Conflict

T = TypeVar("T")


def dialect_insert(connection: AsyncConnection, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that knows ON CONFLICT; both dialects spell it the same way."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"no SQL storage for the {dialect} dialect")  # to_sqlalchemy_url admits no other


async def insert_or_conflict(connection: AsyncConnection, table: Table, values: Mapping[str, Any],
                             message: str) -> None:
    """Insert the row, or raise ``Conflict`` when a unique rule (primary key included) is taken.

    ON CONFLICT DO NOTHING rather than catching the IntegrityError: on PostgreSQL an error aborts
    the whole transaction, whereas the unit of work must stay usable after a Conflict (as the
    in-memory fake does).
    """
    result = await connection.execute(dialect_insert(connection, table).values(**values).on_conflict_do_nothing())
    if result.rowcount == 0:
        raise Conflict(message)


async def upsert(connection: AsyncConnection, table: Table, values: Mapping[str, Any],
                 key: Mapping[str, Any], message: str) -> None:
    """Replace the row found by ``key`` (which includes the tenant where there is one), or insert it.

    The repositories' ``save`` stores the object as given, like the fakes: usually an update.
    """
    where = and_(*(table.c[name] == value for name, value in key.items()))
    changes = {name: value for name, value in values.items() if name not in key}
    result = await connection.execute(update(table).where(where).values(**changes))
    if result.rowcount == 0:
        await insert_or_conflict(connection, table, values, message)


async def fetch_page(connection: AsyncConnection, statement: Select, order: ColumnElement[str],
                     page: PageRequest, convert: Callable[[Row[Any]], T], key: Callable[[T], str]) -> Page[T]:
    """Items ordered by ``order`` (an id) after ``page.after``; one extra row says whether more exist."""
    if page.after is not None:
        statement = statement.where(order > page.after)
    rows = (await connection.execute(statement.order_by(order).limit(page.limit + 1))).all()
    return Page.from_overfetch([convert(row) for row in rows], page, key)
