"""`charge serve` and `charge migrate` as a newcomer runs them: a real process, real ports, real clients."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import grpc
import httpx
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

CHARGE = [sys.executable, "-m", "entrypoints.cli"]
BANNER = re.compile(r"REST http://[^:]+:(\d+)\s+OCPP ws://[^:]+:(\d+)/ocpp/\{id\}\s+gRPC [^:]+:(\d+)")


def _env(database_url: str, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHARGE_")}
    env.update(CHARGE_DATABASE_URL=database_url, CHARGE_MAIL_DIR=str(tmp_path / "mail"), CHARGE_LOG_LEVEL="WARNING")
    return env


def _start(database_url: str, tmp_path: Path) -> tuple[subprocess.Popen[str], tuple[int, int, int]]:
    proc = subprocess.Popen(CHARGE + ["serve", "--http-port", "0", "--ocpp-port", "0", "--grpc-port", "0"],
                            env=_env(database_url, tmp_path), cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    match = BANNER.search(line)
    if not match:
        proc.kill()
        raise AssertionError(f"no banner: {line!r} {proc.stderr.read() if proc.stderr else ''}")
    return proc, tuple(int(p) for p in match.groups())  # type: ignore[return-value]


async def test_serve_migrates_sqlite_by_itself_and_answers_on_every_door(tmp_path):
    proc, (http_port, ocpp_port, grpc_port) = _start("sqlite:///./data/charge.db", tmp_path)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{http_port}") as client:
            health = await client.get("/healthz")
            assert (health.status_code, health.json()) == (200, {"status": "ok"})
        with pytest.raises(InvalidStatus) as refused:
            async with connect(f"ws://127.0.0.1:{ocpp_port}/ocpp/CP-UNKNOWN", subprotocols=["ocpp1.6"]):
                pass
        assert refused.value.response.status_code == 404
        async with grpc.aio.insecure_channel(f"127.0.0.1:{grpc_port}") as channel:
            reply = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
        assert reply.status == health_pb2.HealthCheckResponse.SERVING
        assert (tmp_path / "data" / "charge.db").exists()
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "Traceback" not in err


@pytest.mark.postgres
async def test_serve_refuses_a_postgres_schema_that_is_behind_until_migrated(postgres_empty_url, tmp_path):
    refused = subprocess.run(CHARGE + ["serve", "--http-port", "0", "--no-ocpp", "--no-grpc"],
                             env=_env(postgres_empty_url, tmp_path), cwd=tmp_path, capture_output=True,
                             text=True, timeout=60)
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines()[-1].count("charge migrate") == 1
    migrated = subprocess.run(CHARGE + ["migrate"], env=_env(postgres_empty_url, tmp_path), cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)
    assert migrated.returncode == 0, migrated.stderr
    proc, (http_port, _, _) = _start(postgres_empty_url, tmp_path)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{http_port}") as client:
            assert (await client.get("/healthz")).status_code == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=20)
    assert proc.returncode == 0


def test_a_malformed_database_url_is_one_line_not_a_traceback(tmp_path):
    result = subprocess.run(CHARGE + ["migrate", "--database-url", "mysql://nope"], env=_env("x", tmp_path),
                            cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stderr.startswith("charge:")



def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


async def test_serve_with_workers_answers_rest_from_several_processes_on_one_port(tmp_path):
    proc = subprocess.Popen(CHARGE + ["serve", "--no-ocpp", "--no-grpc", "--workers", "2", "--http-port", "0"],
                            env=_env("sqlite:///./charge.db", tmp_path), cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.search(r"REST http://[^:]+:(\d+) in 2 worker processes", line)
        assert match, (line, proc.stderr.read() if proc.stderr and proc.poll() is not None else "")
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{match.group(1)}") as client:
            answers = [await client.get("/healthz") for _ in range(20)]
        assert {a.status_code for a in answers} == {200}
        assert len(_children(proc.pid)) == 2
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err


def test_workers_refuse_to_serve_ocpp_in_several_processes(tmp_path):
    done = subprocess.run(CHARGE + ["serve", "--workers", "2", "--http-port", "0"], env=_env(
        "sqlite:///./charge.db", tmp_path), cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--no-ocpp" in done.stderr
