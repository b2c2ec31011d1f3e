"""The OCPP door over the in-memory core: a real websocket server, the real gateway, fake storage."""

from __future__ import annotations

import asyncio
import functools
from types import SimpleNamespace

from adapters.ocpp.connections import ConnectionRegistry
from adapters.ocpp.gateway import OcppCommandGateway
from application import charge_point_events, commands, evidence, reservations
from application.network import RegisterChargePoint
from domain.network import ValidationMode
from entrypoints.ocpp.server import start_ocpp_server
from tests.unit.application.charging_env import charging_env
from tests.unit.application.conftest import build_env

PASSWORD = "a-very-secret-pass"    # CP-1's, as charging_env registers it


async def ocpp_world(*, timeout: float = 2.0, tls=None) -> SimpleNamespace:
    """CP-1 (password, EVSEs 1 and 2), CP-2 (no password), CP-L (lenient); drivers RFID-DANA and RFID-ELI."""
    net = await charging_env(build_env())
    uow, clock, p = net.uow, net.clock, functools.partial
    net.registry = ConnectionRegistry()
    net.gateway = OcppCommandGateway(net.registry, timeout)
    net.send_command = p(commands.send_command, uow_factory=uow, commands=net.gateway, clock=clock)
    net.stop_session = p(commands.stop_session, uow_factory=uow, commands=net.gateway)
    net.create_reservation = p(reservations.create_reservation, uow_factory=uow, commands=net.gateway, clock=clock)
    net.cancel_reservation = p(reservations.cancel_reservation, uow_factory=uow, commands=net.gateway, clock=clock)
    await net.register_charge_point(RegisterChargePoint("CP-L", net.location.id,
                                                        validation_mode=ValidationMode.LENIENT),
                                    net.operator, net.org.id)
    net.use_cases = SimpleNamespace(
        admit_charge_point=net.admit,
        charge_point_connected=p(charge_point_events.charge_point_connected, uow_factory=uow, clock=clock),
        charge_point_disconnected=p(charge_point_events.charge_point_disconnected, uow_factory=uow, clock=clock),
        boot=net.boot,
        heartbeat=p(charge_point_events.heartbeat, uow_factory=uow, clock=clock),
        status_changed=net.status_changed,
        authorize_id_tag=net.authorize,
        start_transaction=net.start,
        stop_transaction=net.stop,
        meter_values=net.meter_values,
        transaction_event=net.transaction_event,
        record_frames=p(evidence.record_frames, uow_factory=uow),
    )
    net.server = await start_ocpp_server("127.0.0.1", 0, use_cases=net.use_cases, connections=net.registry,
                                         clock=clock, tls=tls)
    port = next(iter(net.server.sockets)).getsockname()[1]
    net.url = f"{'wss' if tls else 'ws'}://127.0.0.1:{port}/ocpp"
    return net


async def close_world(net: SimpleNamespace) -> None:
    net.server.close()
    await net.server.wait_closed()


def stored_charge_point(net: SimpleNamespace, charge_point_id: str):
    return net.store.tables["charge_points"][charge_point_id]


async def until(holds, seconds: float = 5.0) -> None:
    """Wait for what the server does after a socket event (registering, recording a disconnection)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not holds():
        assert asyncio.get_running_loop().time() < deadline, "the server did not get there in time"
        await asyncio.sleep(0.01)
