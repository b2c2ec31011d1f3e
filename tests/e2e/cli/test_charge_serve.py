"""`charge serve` and `charge migrate` as a newcomer runs them: a real process, real ports, real clients."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
from pathlib import Path

import grpc
import httpx
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from adapters.sql.migrate import head_revision
from tests.e2e.cli.processes import BANNER, CHARGE, charge_env, start_serving


async def test_serve_migrates_sqlite_by_itself_and_answers_on_every_door(tmp_path):
    proc, (http_port, ocpp_port, grpc_port) = start_serving("sqlite:///./data/charge.db", tmp_path)
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
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "Traceback" not in err


@pytest.mark.postgres
async def test_serve_refuses_a_postgres_schema_that_is_behind_until_migrated(postgres_empty_url, tmp_path):
    refused = subprocess.run(CHARGE + ["serve", "--http-port", "0", "--no-ocpp", "--no-grpc"],
                             env=charge_env(postgres_empty_url, tmp_path), cwd=tmp_path, capture_output=True,
                             text=True, timeout=60)
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines()[-1].count("charge migrate") == 1
    migrated = subprocess.run(CHARGE + ["migrate"], env=charge_env(postgres_empty_url, tmp_path), cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)
    assert migrated.returncode == 0, migrated.stderr
    proc, (http_port, _, _) = start_serving(postgres_empty_url, tmp_path)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{http_port}") as client:
            assert (await client.get("/healthz")).status_code == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=20)
    assert proc.returncode == 0


def test_a_malformed_database_url_is_one_line_not_a_traceback(tmp_path):
    result = subprocess.run(CHARGE + ["migrate", "--database-url", "mysql://nope"], env=charge_env("x", tmp_path),
                            cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stderr.startswith("charge:")



@pytest.mark.parametrize("door", ["REST", "OCPP", "gRPC"])
def test_a_taken_port_names_its_door_in_one_line(door, tmp_path):
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    flags = {"REST": "--http-port", "OCPP": "--ocpp-port", "gRPC": "--grpc-port"}
    ports = [arg for flag in flags.values() for arg in (flag, str(port) if flag == flags[door] else "0")]
    env = charge_env("sqlite:///./charge.db", tmp_path) | {"CHARGE_LOG_LEVEL": "INFO"}
    try:
        result = subprocess.run(CHARGE + ["serve", "--host", "127.0.0.1", *ports], env=env, cwd=tmp_path,
                                capture_output=True, text=True, timeout=60)
    finally:
        taken.close()
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"charge: cannot serve {door} on 127.0.0.1:{port}: the address is already in use"), last
    assert "Traceback" not in result.stderr and "E0000" not in result.stderr and "add_port" not in result.stderr


def test_migrate_says_once_what_it_did_and_serve_does_not_migrate_again(tmp_path):
    env = charge_env("sqlite:///./charge.db", tmp_path) | {"CHARGE_LOG_LEVEL": "INFO"}

    def migrate() -> list[dict[str, object]]:
        result = subprocess.run(CHARGE + ["migrate"], env=env, cwd=tmp_path, capture_output=True, text=True,
                                timeout=60)
        assert result.returncode == 0, result.stderr
        return [json.loads(line) for line in result.stderr.splitlines()]

    first, second = migrate(), migrate()
    assert [(e["logger"], e["msg"], e["to_revision"]) for e in first] == [
        ("charge", "database schema migrated", head_revision())]
    assert [(e["logger"], e["msg"]) for e in second] == [("charge", "database schema is up to date")]
    proc = subprocess.Popen(CHARGE + ["serve", "--http-port", "0", "--ocpp-port", "0", "--grpc-port", "0"],
                            env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and BANNER.search(proc.stdout.readline())
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=20)
    logged = [json.loads(line) for line in err.splitlines()]
    assert not [e for e in logged if str(e["logger"]).startswith("alembic")]
    assert "database schema migrated" not in [e["msg"] for e in logged]
def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


async def test_serve_with_workers_answers_rest_from_several_processes_on_one_port(tmp_path):
    proc = subprocess.Popen(CHARGE + ["serve", "--no-ocpp", "--no-grpc", "--workers", "2", "--http-port", "0"],
                            env=charge_env("sqlite:///./charge.db", tmp_path), cwd=tmp_path, stdout=subprocess.PIPE,
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
    done = subprocess.run(CHARGE + ["serve", "--workers", "2", "--http-port", "0"], env=charge_env(
        "sqlite:///./charge.db", tmp_path), cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--no-ocpp" in done.stderr
