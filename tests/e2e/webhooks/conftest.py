"""Each webhook e2e test gets its own migrated database, SQLite and PostgreSQL, and starts `charge serve` on it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.databases import SQL_BACKENDS
from tests.support.servers import migrated_database


@pytest.fixture(params=SQL_BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from migrated_database(request, tmp_path_factory, "webhooks")
