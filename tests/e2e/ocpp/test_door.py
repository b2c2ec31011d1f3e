"""The OCPP door of the real server: who gets in, what malformed traffic gets, reconnects, TLS."""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from ocpp.v16 import call as call16
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidHandshake, InvalidStatus

from entrypoints.server import Server
from entrypoints.simulator import basic_auth, boot, charge_point
from tests.e2e.ocpp.conftest import settings_for
from tests.e2e.ocpp.operator import Operator

PASSWORD = "a-very-secret-pass"
TLS = Path(__file__).parents[2] / "integration" / "ocpp" / "tls"


async def status_of_upgrade(url: str, headers: dict[str, str] | None = None) -> int:
    with pytest.raises(InvalidStatus) as info:
        async with connect(url, subprotocols=["ocpp1.6"], additional_headers=headers):
            pass
    return info.value.response.status_code


async def test_unknown_charge_point_is_404_and_a_wrong_password_401(server, operator):
    cp_id = (await operator.charge_point("CP", PASSWORD))["id"]
    assert await status_of_upgrade(f"{operator.ocpp_url}/{operator.id('NOPE')}") == 404
    assert await status_of_upgrade(f"{operator.ocpp_url}/{cp_id}") == 401
    assert await status_of_upgrade(f"{operator.ocpp_url}/{cp_id}",
                                   {"Authorization": basic_auth(cp_id, "not-the-password-1")}) == 401
    async with charge_point(operator.ocpp_url, cp_id, "2.0.1", password=PASSWORD) as cp:
        assert await boot(cp) == 300


@pytest.mark.parametrize(("subprotocol", "codes"), [
    ("ocpp1.6", ["FormationViolation", "ProtocolError", "NotImplemented", "OccurenceConstraintViolation"]),
    ("ocpp2.0.1", ["RpcFrameworkError", "ProtocolError", "NotImplemented", "OccurenceConstraintViolation"]),
])
async def test_malformed_frames_get_call_errors_and_the_connection_keeps_working(server, operator, subprotocol,
                                                                                codes):
    cp_id = (await operator.charge_point("CP"))["id"]
    async with connect(f"{operator.ocpp_url}/{cp_id}", subprotocols=[subprotocol]) as ws:
        answers = []
        for frame in ("{oops", '[2,"a1","Heartbeat"]', '[2,"a2","Teleport",{}]', '[2,"a3","BootNotification",{}]'):
            await ws.send(frame)
            answers.append(json.loads(await ws.recv()))
        assert [a[0] for a in answers] == [4, 4, 4, 4]
        assert [a[1] for a in answers] == ["-1", "a1", "a2", "a3"]
        assert [a[2] for a in answers] == codes
        await ws.send('[2,"ok","Heartbeat",{}]')
        assert json.loads(await ws.recv())[:2] == [3, "ok"]
    await operator.eventually(lambda: operator.get(f"/charge-points/{cp_id}"), lambda cp: cp["online"] is False)


async def test_a_reconnect_replaces_the_old_connection(server, operator):
    cp_id = (await operator.charge_point("CP"))["id"]
    async with charge_point(operator.ocpp_url, cp_id, "1.6") as old:
        await boot(old)
        async with charge_point(operator.ocpp_url, cp_id, "2.0.1") as new:
            await old._connection.wait_closed()
            answer = await operator.post(f"/charge-points/{cp_id}/commands/reset", {"type": "soft"})
            assert answer["status"] == "Accepted"
            assert [a for a, _ in new.received] == ["Reset"] and old.received == []
            listed = await operator.get(f"/charge-points/{cp_id}")
            assert (listed["online"], listed["ocpp_version"]) == (True, "2.0.1")


async def test_tls_and_basic_auth_security_profile_2(sqlite_database_url):
    settings = settings_for(sqlite_database_url, ocpp_tls_cert=str(TLS / "cert.pem"),
                            ocpp_tls_key=str(TLS / "key.pem"))
    running = Server(settings, grpc=False)
    await running.start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{running.http_port}/api/v1", timeout=20) as http:
            operator = await Operator.sign_up(http, f"wss://127.0.0.1:{running.ocpp_port}/ocpp")
            cp_id = (await operator.charge_point("CP", PASSWORD))["id"]
            trusted = ssl.create_default_context(cafile=str(TLS / "cert.pem"))
            async with charge_point(operator.ocpp_url, cp_id, "1.6", password=PASSWORD, tls=trusted) as cp:
                assert (await cp.call(call16.Heartbeat())).current_time
            # No plain websockets on the TLS port (websockets before 15 reports the closed stream as EOFError).
            with pytest.raises((InvalidHandshake, EOFError)):
                async with connect(f"ws://127.0.0.1:{running.ocpp_port}/ocpp/{cp_id}", subprotocols=["ocpp1.6"]):
                    pass
    finally:
        await running.stop()


def test_charge_serve_takes_the_tls_flags_and_refuses_half_of_them(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHARGE_")}
    done = subprocess.run([sys.executable, "-m", "entrypoints.cli", "serve", "--http-port", "0", "--ocpp-port", "0",
                           "--no-grpc", "--database-url", f"sqlite:///{tmp_path / 'charge.db'}",
                           "--ocpp-tls-cert", str(TLS / "cert.pem")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "needs both --ocpp-tls-cert and --ocpp-tls-key" in done.stderr, done.stderr


async def test_the_ocpp_url_a_registration_answers_is_where_the_charge_point_connects(server, operator):
    registered = await operator.charge_point("CP-URL")
    assert registered["ocpp_url"] == f"ws://localhost:{server.ocpp_port}/ocpp/{operator.id('CP-URL')}"
    url = registered["ocpp_url"].replace("localhost", "127.0.0.1")
    async with connect(url, subprotocols=["ocpp1.6"]) as websocket:
        assert websocket.subprotocol == "ocpp1.6"
