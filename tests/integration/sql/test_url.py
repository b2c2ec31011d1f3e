"""Database URLs as operators write them, turned into async-driver URLs (or refused clearly)."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.sql.url import is_memory_sqlite, sqlite_path, to_sqlalchemy_url


@pytest.mark.parametrize(("url", "expected"), [
    ("sqlite:///./charge.db", "sqlite+aiosqlite:///./charge.db"),
    ("sqlite:////var/lib/charge/charge.db", "sqlite+aiosqlite:////var/lib/charge/charge.db"),
    ("sqlite:///:memory:", "sqlite+aiosqlite:///:memory:"),
    ("postgresql://charge:s3cret@db:5432/charge", "postgresql+asyncpg://charge:s3cret@db:5432/charge"),
    ("postgres://charge@db/charge", "postgresql+asyncpg://charge@db/charge"),
    ("postgresql+asyncpg://charge@db/charge", "postgresql+asyncpg://charge@db/charge"),
    ("sqlite+aiosqlite:///x.db", "sqlite+aiosqlite:///x.db"),
])
def test_known_urls(url: str, expected: str) -> None:
    assert to_sqlalchemy_url(url) == expected


@pytest.mark.parametrize("url", [
    "mysql://root:hunter2@db/charge", "postgresql+psycopg2://u:hunter2@db/c", "charge.db", "", "sqlite://relative.db",
    "postgresql://",
])
def test_other_urls_are_refused_without_leaking_the_password(url: str) -> None:
    with pytest.raises(ValueError) as raised:
        to_sqlalchemy_url(url)
    message = str(raised.value)
    assert "\n" not in message and "hunter2" not in message
    assert "sqlite:///" in message and "postgresql://" in message


def test_sqlite_paths() -> None:
    assert sqlite_path("sqlite:///./data/charge.db") == Path("./data/charge.db")
    assert sqlite_path("sqlite:////abs/charge.db") == Path("/abs/charge.db")
    assert sqlite_path("sqlite:///:memory:") is None
    assert sqlite_path("postgresql://db/charge") is None
    assert is_memory_sqlite("sqlite:///:memory:") and not is_memory_sqlite("sqlite:///x.db")
