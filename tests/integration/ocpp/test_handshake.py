"""The upgrade: identity, HTTP Basic auth (security profile 1), subprotocols, TLS (security profile 2)."""

from __future__ import annotations

import base64
import ssl
from pathlib import Path

import pytest
from ocpp.v16 import call as call16
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from entrypoints.ocpp.handshake import basic_password, identity_from_path
from entrypoints.ocpp.server import tls_context
from entrypoints.simulator import basic_auth, charge_point
from tests.integration.ocpp.world import PASSWORD, close_world, ocpp_world

TLS = Path(__file__).parent / "tls"


async def refused(url: str, headers: dict[str, str] | None = None, subprotocols=("ocpp1.6",)) -> int:
    with pytest.raises(InvalidStatus) as info:
        async with connect(url, subprotocols=list(subprotocols), additional_headers=headers):
            pass
    return info.value.response.status_code


async def test_unknown_identity_and_foreign_paths_are_refused_with_404(world):
    assert await refused(f"{world.url}/CP-404") == 404
    assert await refused(world.url.replace("/ocpp", "/elsewhere/CP-2")) == 404
    assert await refused(f"{world.url}/bad%20id") == 404


async def test_a_charge_point_with_a_password_needs_it(world):
    assert await refused(f"{world.url}/CP-1") == 401
    assert await refused(f"{world.url}/CP-1", {"Authorization": basic_auth("CP-1", "wrong-password-123")}) == 401
    assert await refused(f"{world.url}/CP-1", {"Authorization": basic_auth("CP-2", PASSWORD)}) == 401
    assert await refused(f"{world.url}/CP-1", {"Authorization": "Basic !!!not-base64"}) == 401
    assert await refused(f"{world.url}/CP-1", {"Authorization": "Bearer " + PASSWORD}) == 401
    with pytest.raises(InvalidStatus) as info:
        async with connect(f"{world.url}/CP-1", subprotocols=["ocpp1.6"]):
            pass
    assert info.value.response.headers["WWW-Authenticate"].startswith("Basic ")
    async with charge_point(world.url, "CP-1", "1.6", password=PASSWORD) as cp:
        assert (await cp.call(call16.Heartbeat())).current_time


async def test_no_common_subprotocol_completes_the_handshake_without_one_then_closes(world):
    async with connect(f"{world.url}/CP-2", subprotocols=["ocpp1.5", "chat"]) as ws:
        assert ws.subprotocol is None
        await ws.wait_closed()
        assert ws.close_code == 1002
    async with connect(f"{world.url}/CP-2") as ws:
        await ws.wait_closed()
        assert ws.close_code == 1002
    assert "CP-2" not in world.registry


async def test_the_server_prefers_201_and_speaks_21_when_offered_alone(world):
    async with connect(f"{world.url}/CP-2", subprotocols=["ocpp1.6", "ocpp2.0.1", "ocpp2.1"]) as ws:
        assert ws.subprotocol == "ocpp2.0.1"
    async with connect(f"{world.url}/CP-2", subprotocols=["ocpp2.1"]) as ws:
        assert ws.subprotocol == "ocpp2.1"
        await ws.send('[2,"b","BootNotification",{"chargingStation":{"vendorName":"A","model":"B"},'
                      '"reason":"PowerUp"}]')
        assert '"status":"Accepted"' in await ws.recv()


def test_basic_credentials_parsing():
    latin1 = "Basic " + base64.b64encode("CP-1:p\xe9ssword".encode("latin-1")).decode()
    assert basic_password(basic_auth("CP-1", "p:with:colons"), "CP-1") == "p:with:colons"
    assert basic_password(basic_auth("CP-1", "p\xe9ssword"), "CP-1") == "p\xe9ssword"
    assert basic_password(latin1, "CP-1") == "p\xe9ssword"   # old chargers encode Latin-1
    assert basic_password("Basic Q1AtMQ==", "CP-1") is None          # "CP-1" with no colon
    assert basic_password("Basic Q1At", "CP-1") is None              # bad padding
    assert basic_password(None, "CP-1") is None
    assert identity_from_path("/ocpp/CP-1?x=1") == "CP-1" and identity_from_path("/ocpp/a/b") is None


async def test_tls_security_profile_2():
    tls = tls_context(str(TLS / "cert.pem"), str(TLS / "key.pem"))
    net = await ocpp_world(tls=tls)
    try:
        client = ssl.create_default_context(cafile=str(TLS / "cert.pem"))
        async with charge_point(net.url, "CP-1", "1.6", password=PASSWORD, tls=client) as cp:
            assert (await cp.call(call16.Heartbeat())).current_time
        with pytest.raises(ssl.SSLCertVerificationError):
            async with connect(f"{net.url}/CP-2", subprotocols=["ocpp1.6"], ssl=ssl.create_default_context()):
                pass
    finally:
        await close_world(net)


def test_tls_needs_both_files():
    with pytest.raises(ValueError, match="both"):
        tls_context(str(TLS / "cert.pem"), "")
