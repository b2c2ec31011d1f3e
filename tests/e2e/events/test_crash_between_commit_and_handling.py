"""A process killed between committing a completed session and pricing it: after a restart, the session is
priced, exactly once. Real processes, a real charge point over a websocket, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from ocpp.v16 import call as call16
from sqlalchemy import text

from adapters.sql.database import Database
from entrypoints.simulator import charge_point
from tests.e2e.ocpp.operator import Operator
from tests.support.databases import SQL_BACKENDS
from tests.support.servers import migrated_database

BANNER = re.compile(r"REST http://[^:]+:(\d+)\s+OCPP ws://[^:]+:(\d+)/ocpp")
LEASE_SECONDS = "1"
REPOSITORY = Path(__file__).resolve().parents[3]


@pytest.fixture(params=SQL_BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from migrated_database(request, tmp_path_factory, "crash")


def _start(command: list[str], database_url: str, tmp_path: Path) -> tuple[subprocess.Popen[str], int, int]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHARGE_")}
    env.update(CHARGE_DATABASE_URL=database_url, CHARGE_MAIL_DIR=str(tmp_path / "mail"), CHARGE_LOG_LEVEL="WARNING",
               CHARGE_EVENT_LEASE_SECONDS=LEASE_SECONDS, CHARGE_EVENT_SWEEP_SECONDS="0.2",
               CHARGE_TEST_MARKER=str(tmp_path / "stuck"), CHARGE_ARGON2_TIME_COST="1",
               CHARGE_ARGON2_MEMORY_KIB="8", CHARGE_ARGON2_PARALLELISM="1", PYTHONPATH=str(REPOSITORY))
    proc = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    match = BANNER.search(line)
    if not match:
        proc.kill()
        raise AssertionError(f"no banner: {line!r} {proc.stderr.read() if proc.stderr else ''}")
    return proc, int(match.group(1)), int(match.group(2))


async def _events(database_url: str, name: str) -> list[tuple[str, str, int]]:
    database = Database(database_url)
    try:
        async with database.engine.connect() as connection:
            rows = await connection.execute(text("SELECT payload, status, attempts FROM domain_events WHERE name = :n"),
                                            {"n": name})
            found = []
            for payload, status, attempts in rows:
                session_id = (payload if isinstance(payload, dict) else json.loads(payload))["session_id"]
                found.append((session_id, status, attempts))
            return found
    finally:
        await database.dispose()


async def test_a_session_committed_but_not_priced_before_a_kill_is_priced_once_after_the_restart(database_url,
                                                                                                 tmp_path):
    blocking, http_port, ocpp_port = _start([sys.executable, "-m", "tests.e2e.events.blocking_server"],
                                            database_url, tmp_path)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{http_port}/api/v1", timeout=20) as http:
            operator = await Operator.sign_up(http, f"ws://127.0.0.1:{ocpp_port}/ocpp")
            cp_id = (await operator.charge_point("CP-CRASH"))["id"]
            await operator.driver("Dana", "TAG")
            tariff = await operator.post("/tariffs", {"currency": "GBP", "name": "energy", "elements": [
                {"price_components": [{"type": "ENERGY", "price": "0.40", "step_size": 1}]}]})
            await operator.request("PUT", f"/charge-points/{cp_id}/tariff", {"tariff_id": tariff["id"]}, expect=200)
            async with charge_point(operator.ocpp_url, cp_id, "1.6") as cp:
                started = await cp.call(call16.StartTransaction(connector_id=1, id_tag=operator.id("TAG"),
                                                                meter_start=0, timestamp="2026-03-01T10:00:00Z"))
                stop = asyncio.ensure_future(cp.call(call16.StopTransaction(
                    meter_stop=12_500, timestamp="2026-03-01T11:00:00Z", transaction_id=started.transaction_id)))
                deadline = time.monotonic() + 20
                while not (tmp_path / "stuck").exists():   # committed, and stuck before the pricing
                    assert time.monotonic() < deadline and not stop.done()
                    await asyncio.sleep(0.05)
                blocking.send_signal(signal.SIGKILL)
                blocking.wait(20)
                stop.cancel()
        session_id = (tmp_path / "stuck").read_text()
        assert await _events(database_url, "session.priced") == []
        [(completed_id, status, _)] = await _events(database_url, "session.completed")
        assert (completed_id, status) == (session_id, "pending")
    finally:
        if blocking.poll() is None:
            blocking.kill()
        blocking.communicate(timeout=20)

    for _ in range(2):   # a restart prices it; a second restart changes nothing
        serve, http_port, _ = _start([sys.executable, "-m", "entrypoints.cli", "serve", "--http-port", "0",
                                      "--ocpp-port", "0", "--no-grpc"], database_url, tmp_path)
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{http_port}/api/v1", timeout=20) as http:
                session = await operator.for_test(http).eventually(
                    lambda: operator.for_test(http).get(f"/sessions/{session_id}"),
                    lambda s: s["cost"] is not None, seconds=20)
            assert session["cost"]["total"] == "5.00"
        finally:
            serve.send_signal(signal.SIGTERM)
            _, err = serve.communicate(timeout=20)
        assert serve.returncode == 0, err
        assert [s for s, _, _ in await _events(database_url, "session.priced")] == [session_id]
        [(_, status, attempts)] = await _events(database_url, "session.completed")
        assert (status, attempts) == ("handled", 2)
