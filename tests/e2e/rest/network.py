"""A populated charging network for the operator-endpoint tests, in memory or against a real server.

``build_network`` makes an organization with one user and one API key per role, a location, a
charge point and a driver, all through the REST API. Sessions only arise from OCPP traffic, so
``Sessions`` opens and closes them through the container's use cases, run wherever the container
lives (the test's loop in memory, the server's loop end to end).
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from attrs import define

from application.transactions import MeterValues, StartTransaction, StopTransaction
from domain.charging import MeterSample
from tests.e2e.rest.client import Api

Runner = Callable[[Callable[[], Awaitable[Any]]], Awaitable[Any]]
_counter = itertools.count(1)

LOCATION = {"name": "Riverside Car Park", "address": "1 Riverside Way", "city": "London", "country": "GB",
            "timezone": "Europe/London", "latitude": 51.5072, "longitude": "-0.1276"}


def fresh(prefix: str) -> str:
    return f"{prefix}-{next(_counter)}"


def soon(hours: float = 2) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).replace(microsecond=0).isoformat()


@define
class Network:
    org_id: str
    tokens: dict[str, str]       # role → a user's access token
    keys: dict[str, str]         # role → an API key secret of the organization
    location_id: str
    charge_point_id: str         # connectors 1 and 2 on EVSE 1
    driver_id: str
    id_tag: str                  # the driver's tag

    @property
    def headers(self) -> dict[str, str]:
        return {"X-Organization-Id": self.org_id}

    @property
    def cp(self) -> str:
        """The charge point's id as it stands in a path."""
        return quote(self.charge_point_id, safe="")

    def reads(self, session_id: str | None = None) -> list[tuple[str, str]]:
        """Every operator read of this network: (method, path)."""
        reads = [("GET", "/locations"), ("GET", f"/locations/{self.location_id}"), ("GET", "/charge-points"),
                 ("GET", f"/charge-points/{self.cp}"), ("GET", "/drivers"), ("GET", f"/drivers/{self.driver_id}"),
                 ("GET", "/sessions"), ("GET", "/reservations")]
        if session_id is not None:
            reads.append(("GET", f"/sessions/{session_id}"))
        return reads

    def operations(self, reservation_id: str) -> list[tuple[str, str, dict | None]]:
        """Every operator write, with a valid body that may be sent once: (method, path, body)."""
        commands = f"/charge-points/{self.cp}/commands"
        return [
            ("POST", "/locations", LOCATION),
            ("POST", "/charge-points", {"id": fresh(f"CP-{self.org_id[-6:]}"), "location_id": self.location_id}),
            ("POST", "/drivers", {"name": "Another", "id_tags": [fresh("TAG")]}),
            ("POST", "/reservations", {"charge_point_id": self.charge_point_id, "connector_id": 2,
                                       "expires_at": soon(), "id_tag": self.id_tag}),
            ("DELETE", f"/reservations/{reservation_id}", None),
            ("POST", f"{commands}/reset", {"type": "soft"}),
            ("POST", f"{commands}/unlock", {"connector_id": 1}),
            ("POST", f"{commands}/clear-cache", {}),
        ]


async def build_network(api: Api, name: str = "Network") -> Network:
    _, _, admin = await api.user(f"{name} Admin")
    org_id = await api.organization(admin, name)
    _, member = await api.member(admin, org_id, "member", f"{name} Member")
    _, viewer = await api.member(admin, org_id, "viewer", f"{name} Viewer")
    keys = {}
    for role in ("admin", "member", "viewer"):
        created = await api.post(f"/organizations/{org_id}/api-keys", admin, json={"name": role, "role": role})
        keys[role] = created.json()["key"]
    headers = {"X-Organization-Id": org_id}
    location = await api.post("/locations", admin, headers=headers, json=LOCATION)
    assert location.status_code == 201, location.text
    charge_point_id = fresh(f"CP-{org_id[-6:]}")
    registered = await api.post("/charge-points", admin, headers=headers, json={
        "id": charge_point_id, "location_id": location.json()["id"],
        "evses": [{"evse_id": 1, "connectors": [{"connector_id": 1}, {"connector_id": 2}]}]})
    assert registered.status_code == 201, registered.text
    id_tag = fresh(f"RFID-{org_id[-6:]}")
    driver = await api.post("/drivers", admin, headers=headers, json={"name": "Grace", "email": "grace@example.com",
                                                                      "id_tags": [id_tag]})
    assert driver.status_code == 201, driver.text
    return Network(org_id=org_id, tokens={"admin": admin, "member": member, "viewer": viewer}, keys=keys,
                   location_id=location.json()["id"], charge_point_id=charge_point_id,
                   driver_id=driver.json()["id"], id_tag=id_tag)


async def reservation(api: Api, network: Network, connector_id: int = 1) -> str:
    """An active reservation on the network's charge point (which must be online): its id."""
    created = await api.post("/reservations", network.tokens["admin"], headers=network.headers, json={
        "charge_point_id": network.charge_point_id, "connector_id": connector_id, "expires_at": soon(),
        "id_tag": network.id_tag})
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


class Sessions:
    """Opens and closes sessions as the OCPP door would, through the container's use cases."""

    def __init__(self, use_cases: Any, run: Runner) -> None:
        self.use_cases = use_cases
        self.run = run

    async def start(self, charge_point_id: str, id_tag: str, *, connector_id: int = 1, meter_wh: int = 1000,
                    at: datetime | None = None) -> tuple[str, int]:
        """A started session: (session id, OCPP transaction id)."""
        cmd = StartTransaction(charge_point_id=charge_point_id, connector_id=connector_id, id_tag=id_tag,
                               meter_start_wh=Decimal(meter_wh), timestamp=at or datetime.now(UTC))
        started = await self.run(lambda: self.use_cases.start_transaction(cmd))
        return started.session_id, started.transaction_id

    async def meter(self, charge_point_id: str, transaction_id: int, at: datetime, *, wh: int,
                    power_w: int | None = None) -> None:
        samples = [MeterSample(at, "Energy.Active.Import.Register", Decimal(wh), "Wh")]
        if power_w is not None:
            samples.append(MeterSample(at, "Power.Active.Import", Decimal(power_w) / 1000, "kW"))
        cmd = MeterValues(charge_point_id=charge_point_id, samples=tuple(samples), transaction_id=str(transaction_id))
        await self.run(lambda: self.use_cases.meter_values(cmd))

    async def stop(self, charge_point_id: str, transaction_id: int, *, meter_wh: int, at: datetime | None = None,
                   reason: str = "Local") -> None:
        cmd = StopTransaction(charge_point_id=charge_point_id, transaction_id=str(transaction_id),
                              meter_stop_wh=Decimal(meter_wh), timestamp=at or datetime.now(UTC), reason=reason)
        await self.run(lambda: self.use_cases.stop_transaction(cmd))
