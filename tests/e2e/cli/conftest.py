"""An empty (unmigrated) PostgreSQL database, for testing what `charge serve` does before `charge migrate`."""

from __future__ import annotations

import os
import secrets

import asyncpg
import pytest

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture
async def postgres_empty_url():
    server = os.environ.get("CHARGE_TEST_POSTGRES_URL", DEFAULT_URL)
    try:
        admin = await asyncpg.connect(server)
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.skip(f"no PostgreSQL server at {server}: {exc}")
    name = f"charge_cli_{secrets.token_hex(4)}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.rsplit("/", 1)[0] + "/" + name
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
