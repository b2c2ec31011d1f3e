"""Statement shapes every repository shares: insert-or-Conflict, upsert-by-key, bulk insert, one page of a list."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import JSON, ColumnElement, Row, Select, Table, Text, and_, bindparam, cast, func, select, update
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


Insert = postgresql.Insert | sqlite.Insert


async def insert_many(connection: AsyncConnection, table: Table, rows: Sequence[Mapping[str, Any]],
                      on_conflict: Callable[[Any], Insert]) -> int:
    """Insert many rows (all with the same keys) in one statement; ``on_conflict`` adds the ON CONFLICT clause.

    Returns how many rows were inserted or updated (not those ON CONFLICT DO NOTHING skipped).

    On PostgreSQL: ``INSERT … SELECT … FROM unnest($1, $2, …)``, one array per column. Its SQL does
    not grow with the rows, so it is compiled and planned once, and the server takes the rows in one
    message; a multi-row VALUES is compiled anew for every row count (slowly, by SQLAlchemy) and
    executemany runs the statement once per row. On SQLite, in process, executemany costs nothing extra.
    """
    if not rows:
        return 0
    names = tuple(rows[0])
    statement = _insert_statement(connection.dialect.name, table, names, on_conflict)
    if connection.dialect.name == "postgresql":
        arrays = {name: [row[name] for row in rows] for name in names}
        for name in names:
            if _is_json(table, name):
                arrays[name] = [_json_text(value) for value in arrays[name]]
        return int((await connection.execute(statement, arrays)).rowcount)
    return int((await connection.execute(statement, list(rows))).rowcount)


_STATEMENTS: dict[tuple[Any, ...], Any] = {}


def _insert_statement(dialect: str, table: Table, names: tuple[str, ...], on_conflict: Callable[[Any], Insert]) -> Any:
    """The INSERT, built once per shape: a statement object made per call costs SQLAlchemy a walk to find
    its cache key (for the meter sink's batches, more CPU than sending them). ``on_conflict`` functions
    that close over nothing always build the same clause, so their code identifies it; others are
    built every time."""
    if on_conflict.__closure__ is not None:
        return _build_insert(dialect, table, names, on_conflict)
    key = (dialect, table, names, on_conflict.__code__)
    statement = _STATEMENTS.get(key)
    if statement is None:
        statement = _STATEMENTS[key] = _build_insert(dialect, table, names, on_conflict)
    return statement


def _build_insert(dialect: str, table: Table, names: tuple[str, ...], on_conflict: Callable[[Any], Insert]) -> Any:
    if dialect == "postgresql":
        return on_conflict(postgresql.insert(table).from_select(names, _unnest(table, names)))
    if dialect == "sqlite":
        return on_conflict(sqlite.insert(table))
    raise NotImplementedError(f"no SQL storage for the {dialect} dialect")


@cache
def _unnest(table: Table, names: tuple[str, ...]) -> Select:
    # Each array is typed from its column, so the columns' own conversions (UtcDateTime, ExactDecimal)
    # apply. JSON goes as text and is cast back: in an array of JSON a list value would read as
    # one more dimension of the array.
    arrays = [bindparam(name, type_=postgresql.ARRAY(Text if _is_json(table, name) else table.c[name].type))
              for name in names]
    rows = func.unnest(*arrays).table_valued(*names).render_derived()
    return select(*(cast(rows.c[name], table.c[name].type) if _is_json(table, name) else rows.c[name]
                    for name in names))


def _is_json(table: Table, name: str) -> bool:
    return isinstance(table.c[name].type, JSON)


def _json_text(value: Any) -> str | None:
    return None if value is None else json.dumps(value)


async def insert_or_conflict(connection: AsyncConnection, table: Table, values: Mapping[str, Any],
                             message: str) -> None:
    """Insert the row, or raise ``Conflict`` when a unique rule (primary key included) is taken.

    ON CONFLICT DO NOTHING rather than catching the IntegrityError: on PostgreSQL an error aborts
    the whole transaction, whereas the unit of work must stay usable after a Conflict (as the
    in-memory fake does).
    """
    statement = _insert_one(connection.dialect.name, table, tuple(values))
    result = await connection.execute(statement, {f"v_{name}": value for name, value in values.items()})
    if result.rowcount == 0:
        raise Conflict(message)


# Built once per table and shape (a statement made per call costs SQLAlchemy more CPU than the query):
# the values travel as parameters named v_<column>, the key as k_<column>.
@cache
def _insert_one(dialect: str, table: Table, names: tuple[str, ...]) -> Any:
    insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    return insert.values({name: bindparam(f"v_{name}", type_=table.c[name].type) for name in names}
                         ).on_conflict_do_nothing()


@cache
def _update_by_key(table: Table, keys: tuple[str, ...], names: tuple[str, ...]) -> Any:
    return (update(table).where(and_(*(table.c[k] == bindparam(f"k_{k}", type_=table.c[k].type) for k in keys)))
            .values({name: bindparam(f"v_{name}", type_=table.c[name].type) for name in names}))


async def upsert(connection: AsyncConnection, table: Table, values: Mapping[str, Any],
                 key: Mapping[str, Any], message: str) -> None:
    """Replace the row found by ``key`` (which includes the tenant where there is one), or insert it.

    The repositories' ``save`` stores the object as given, like the fakes: usually an update.
    """
    changes = tuple(name for name in values if name not in key)
    result = await connection.execute(_update_by_key(table, tuple(key), changes), _by_key(values, key, changes))
    if result.rowcount == 0:
        await insert_or_conflict(connection, table, values, message)


async def update_many(connection: AsyncConnection, table: Table, rows: Sequence[Mapping[str, Any]],
                      key: tuple[str, ...]) -> None:
    """Update rows that exist (the caller holds their locks), each found by its ``key`` columns, in one
    executemany; every row names the same columns."""
    if not rows:
        return
    changes = tuple(name for name in rows[0] if name not in key)
    await connection.execute(_update_by_key(table, key, changes),
                             [_by_key(row, {k: row[k] for k in key}, changes) for row in rows])


def _by_key(values: Mapping[str, Any], key: Mapping[str, Any], changes: tuple[str, ...]) -> dict[str, Any]:
    return {f"v_{name}": values[name] for name in changes} | {f"k_{k}": value for k, value in key.items()}


async def fetch_page(connection: AsyncConnection, statement: Select, order: ColumnElement[str],
                     page: PageRequest, convert: Callable[[Row[Any]], T], key: Callable[[T], str], *,
                     newest_first: bool = False) -> Page[T]:
    """Items ordered by ``order`` (an id) after ``page.after``; one extra row says whether more exist.

    Newest first, "after" means older: the ids are time-sortable, so the next page has smaller ids.
    """
    if page.after is not None:
        statement = statement.where(order < page.after if newest_first else order > page.after)
    ordered = statement.order_by(order.desc() if newest_first else order)
    rows = (await connection.execute(ordered.limit(page.limit + 1))).all()
    return Page.from_overfetch([convert(row) for row in rows], page, key)
