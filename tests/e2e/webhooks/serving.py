"""`charge serve` as a child process for the webhook tests, a receiver's own check of `Charge-Signature`, and the
delivery tables as the database holds them."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
from attrs import define
from sqlalchemy import text

from adapters.sql.database import Database
from tests.e2e.cli.processes import start_serving

REPOSITORY = Path(__file__).resolve().parents[3]
SCHEMAS = REPOSITORY / "contracts" / "events"
FIRST_RETRY_SECONDS = "0.2"

# Loopback receivers allowed (SSRF guard off), quick polls and retries, cheap password hashing.
SETTINGS = {"CHARGE_WEBHOOK_ALLOW_PRIVATE_URLS": "true", "CHARGE_WEBHOOK_POLL_SECONDS": "0.1",
            "CHARGE_WEBHOOK_FIRST_RETRY_SECONDS": FIRST_RETRY_SECONDS, "CHARGE_EVENT_SWEEP_SECONDS": "0.2",
            "CHARGE_ARGON2_TIME_COST": "1", "CHARGE_ARGON2_MEMORY_KIB": "8", "CHARGE_ARGON2_PARALLELISM": "1",
            "CHARGE_MAIL_POLL_SECONDS": "60"}


@define
class Serving:
    proc: subprocess.Popen[str]
    http_port: int
    ocpp_port: int

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/api/v1"

    @property
    def ocpp(self) -> str:
        return f"ws://127.0.0.1:{self.ocpp_port}/ocpp"

    def kill(self) -> None:
        """SIGKILL: no shutdown, nothing flushed (what a crash or an OOM kill does)."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.communicate(timeout=20)


@contextlib.contextmanager
def serving(database_url: str, tmp_path: Path, **settings: str) -> Iterator[Serving]:
    """A server (stopped with SIGTERM at the end, which must exit cleanly, unless the test killed it)."""
    proc, (http_port, ocpp_port, _) = start_serving(database_url, tmp_path, SETTINGS | settings)
    server = Serving(proc, http_port, ocpp_port)
    try:
        yield server
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=30)
            assert proc.returncode == 0, err
            assert "Traceback" not in err, err


def signed_with(header: str, body: bytes, secret: str) -> bool:
    """The receiver's check, written from docs/webhooks.md and not from the server's code: ``t`` within five
    minutes, and one ``v1`` equal to hex HMAC-SHA256(secret, "<t>." + body)."""
    pairs = [part.strip().split("=", 1) for part in header.split(",")]
    timestamps = [value for key, value in pairs if key == "t"]
    assert len(timestamps) == 1 and abs(time.time() - int(timestamps[0])) < 300, header
    expected = hmac.new(secret.encode(), timestamps[0].encode() + b"." + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, value) for key, value in pairs if key == "v1")


def signatures(header: str) -> int:
    return sum(1 for part in header.split(",") if part.strip().startswith("v1="))


def valid_event(body: bytes) -> dict[str, Any]:
    """The delivered JSON, checked against its type's schema in contracts/events."""
    document: dict[str, Any] = json.loads(body)
    schema = json.loads((SCHEMAS / f"{document['type']}.json").read_text())
    jsonschema.validate(document, schema, format_checker=jsonschema.FormatChecker())
    return document


async def rows(database_url: str, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    database = Database(database_url)
    try:
        async with database.engine.connect() as connection:
            return [tuple(row) for row in await connection.execute(text(sql), params)]
    finally:
        await database.dispose()
