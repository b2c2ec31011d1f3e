"""Test servers shared by end-to-end packages: a server on a thread of its own, and a migrated database per package."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Iterator
from typing import TypeVar

import pytest

from adapters.sql.migrate import upgrade
from entrypoints.server import Server
from tests.support.databases import PostgresServer, run_async

T = TypeVar("T")


class ServerThread:
    """``entrypoints.server.Server`` started and stopped from sync code, on a thread of its own."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), name="rest-e2e-server",
                                        daemon=True)

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        try:
            await self.server.start()
        except BaseException as exc:  # handed to the starting thread
            self._failure = exc
            self._ready.set()
            return
        self._ready.set()
        await self._stop.wait()
        await self.server.stop()

    def start(self) -> None:
        self._thread.start()
        if not self._ready.wait(60):
            raise TimeoutError("the server did not start within 60 s")
        if self._failure is not None:
            raise self._failure

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(60)

    async def run(self, make: Callable[[], Awaitable[T]]) -> T:
        """Run a coroutine on the server's loop (its database connections belong to that loop)."""

        async def call() -> T:
            return await make()

        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(call(), self._loop))


def migrated_database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                      label: str) -> Iterator[str]:
    """A migrated database for a package-scoped fixture parametrized over ``SQL_BACKENDS``."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp(label) / 'charge.db'}"
        run_async(lambda: upgrade(url))
        yield url
        return
    postgres: PostgresServer = request.getfixturevalue("postgres_server")
    name = run_async(postgres.create_database)
    try:
        url = postgres.url_for(name)
        run_async(lambda: upgrade(url))
        yield url
    finally:
        run_async(lambda: postgres.drop_database(name))
