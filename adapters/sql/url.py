"""Turns the database URL an operator writes (``sqlite:///charge.db``) into the async-driver URL SQLAlchemy needs."""

from __future__ import annotations

from pathlib import Path

# The async drivers this adapter is built and tested on; a sync driver would fail later and less clearly.
_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}
_EXPECTED = "expected sqlite:///PATH, sqlite:///:memory: or postgresql://USER:PASSWORD@HOST:PORT/DATABASE"
_MEMORY = ("", ":memory:")


def _split(url: str) -> tuple[str, str]:
    if not isinstance(url, str) or "://" not in url:
        raise ValueError(f"not a database URL: {_EXPECTED}")
    scheme, rest = url.split("://", 1)
    # Only the scheme goes into messages: the rest of a URL may hold a password.
    if scheme.lower() not in _DRIVERS:
        raise ValueError(f"unsupported database URL scheme {scheme!r}: {_EXPECTED}")
    return _DRIVERS[scheme.lower()], rest


def to_sqlalchemy_url(url: str) -> str:
    """``sqlite:///p`` → ``sqlite+aiosqlite:///p``; ``postgres(ql)://…`` → ``postgresql+asyncpg://…``."""
    driver, rest = _split(url)
    if driver == "sqlite+aiosqlite" and rest and not rest.startswith("/"):
        raise ValueError(f"a SQLite URL has three slashes (sqlite:///PATH): {_EXPECTED}")
    if driver == "postgresql+asyncpg" and not rest:
        raise ValueError(f"a PostgreSQL URL names a host: {_EXPECTED}")
    return f"{driver}://{rest}"


def is_sqlite(url: str) -> bool:
    return _split(url)[0] == "sqlite+aiosqlite"


def sqlite_path(url: str) -> Path | None:
    """The file a SQLite URL names, or None for an in-memory database (or a non-SQLite URL)."""
    driver, rest = _split(url)
    if driver != "sqlite+aiosqlite":
        return None
    path = rest[1:].split("?", 1)[0]
    return None if path in _MEMORY else Path(path)


def is_memory_sqlite(url: str) -> bool:
    return is_sqlite(url) and sqlite_path(url) is None
