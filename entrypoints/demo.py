"""``charge demo``: a populated organization on a running server, and simulated charge points charging in it.

It is a client, like a newcomer's own scripts: the network is built through the REST API and the charge
points speak OCPP to the OCPP door, so what the demo shows is what the server really does (on SQLite or
PostgreSQL, with any configuration), and it never writes to the database behind the server's back. Run it
after ``make run`` (or ``charge serve``) in another terminal. Running it again reuses what exists: the user,
the organization, its locations, charge points, tariff and drivers are found by name or id; only a new API
key is made (a key's secret is shown once). Loopback servers only, as for ``charge simulate``: the demo
user's password is printed.
"""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlsplit

from attrs import define, field, frozen

from entrypoints.simulator import Options, Report, require_loopback, simulate

EMAIL = "demo@charge.localhost"
PASSWORD = "charge demo password"
ORGANIZATION = {"name": "Charge Demo", "country": "NL", "contact_email": "ops@demo.charge.localhost"}
TARIFF_NAME = "Demo standard"
# 35 ct per kWh and 2.40 € an hour while charging (per minute), 21 % VAT: an energy and a time component.
TARIFF = {
    "name": TARIFF_NAME, "currency": "EUR", "type": "REGULAR",
    "tariff_alt_text": [{"language": "en", "text": "0.35 €/kWh and 2.40 €/h while charging, incl. 21 % VAT"}],
    "elements": [{"price_components": [{"type": "ENERGY", "price": "0.35", "vat": "21", "step_size": 1},
                                       {"type": "TIME", "price": "2.40", "vat": "21", "step_size": 60}]}],
}


@frozen
class Site:
    """A demo location, its charge points (``<prefix>1..n``), the OCPP version they speak and their drivers."""

    name: str
    address: str
    city: str
    country: str
    timezone: str
    prefix: str
    charge_points: int
    ocpp_version: str
    drivers: tuple[tuple[str, str], ...]   # (name, id tag)

    def location_body(self) -> dict[str, Any]:
        return {"name": self.name, "address": self.address, "city": self.city, "country": self.country,
                "timezone": self.timezone}


# Two time zones, both OCPP versions, a driver with a tag of their own at each charge point.
SITES = (
    Site("Amsterdam Zuid Garage", "Parnassusweg 220", "Amsterdam", "NL", "Europe/Amsterdam", "DEMO-AMS-", 2,
         "2.0.1", (("Anouk de Vries", "DEMO-TAG-A1"), ("Bram Jansen", "DEMO-TAG-A2"))),
    Site("London Canary Wharf Depot", "1 Canada Square", "London", "GB", "Europe/London", "DEMO-LON-", 2,
         "1.6", (("Charlotte Evans", "DEMO-TAG-L1"), ("Dev Patel", "DEMO-TAG-L2"))),
)


class DemoError(Exception):
    """Why the demo cannot go on, in one line."""


@define
class Rest:
    """A small JSON-over-HTTP client of the REST door (the standard library's: the server needs no client)."""

    base_url: str
    token: str | None = None
    timeout: float = 30.0

    def call(self, method: str, path: str, body: Any = None, *, missing_ok: bool = False) -> Any:
        data = None if body is None else json.dumps(body).encode()
        headers = {"accept": "application/json"}
        if data is not None:
            headers["content-type"] = "application/json"
        if self.token is not None:
            headers["authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            if missing_ok and error.code == 404:
                return None
            raise DemoError(f"{method} {path} answered {error.code}: {_detail(error.read())}") from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise DemoError(f"no Charge server answers at {self.base_url} ({reason}); start one with `make run` "
                            "(or `charge serve`) in another terminal, or name it with --url") from None
        return json.loads(raw) if raw else None

    def every(self, path: str) -> list[dict[str, Any]]:
        """Every item of a paginated list."""
        items: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            page = self.call("GET", f"{path}?limit=100" + (f"&cursor={quote(cursor)}" if cursor else ""))
            items += page["data"]
            cursor = page.get("next_cursor")
            if not page.get("has_more") or not cursor:
                return items


def _detail(raw: bytes) -> str:
    try:
        problem = json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")[:200]
    errors = problem.get("errors") or []
    fields = "; ".join(f"{e.get('field')}: {e.get('message')}" for e in errors if isinstance(e, dict))
    return (problem.get("detail") or problem.get("title") or "") + (f" ({fields})" if fields else "")


@frozen
class Network:
    """What the demo made or found: where to look, with which key, and what to run."""

    base_url: str
    organization_id: str
    api_key: str
    ocpp_url: str
    created: tuple[str, ...]
    sites: tuple[Site, ...] = field(default=SITES)


def _named(items: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    return next((item for item in items if item.get("name") == name), None)


def build_network(base_url: str) -> Network:
    """Create (or find) the demo user, organization, locations, charge points, tariff and drivers."""
    require_loopback(base_url, "charge demo")
    if urlsplit(base_url).scheme not in ("http", "https"):
        raise ValueError(f"the REST URL must start with http:// or https://, not {base_url!r}")
    api = Rest(base_url.rstrip("/") + "/api/v1")
    created: list[str] = []
    api.token = _sign_in(api, created)
    organization = _named(api.every("/organizations"), ORGANIZATION["name"])
    if organization is None:
        organization = api.call("POST", "/organizations", ORGANIZATION)
        created.append(f"organization {organization['id']}")
    org_id = organization["id"]
    key = api.call("POST", f"/organizations/{org_id}/api-keys", {"name": "demo", "role": "admin"})["key"]
    api.token = key   # from here on as the organization's API key, as an integration would
    tariff = _named(api.every("/tariffs"), TARIFF_NAME)
    if tariff is None:
        tariff = api.call("POST", "/tariffs", TARIFF)
        created.append(f"tariff {tariff['id']}")
    locations = api.every("/locations")
    drivers = api.every("/drivers")
    ocpp_url = ""
    for site in SITES:
        location = _named(locations, site.name)
        if location is None:
            location = api.call("POST", "/locations", site.location_body())
            created.append(f"location {location['id']} ({site.city}, {site.timezone})")
        api.call("PUT", f"/locations/{location['id']}/tariff", {"tariff_id": tariff["id"]})  # a PUT: idempotent
        for n in range(1, site.charge_points + 1):
            identity = f"{site.prefix}{n}"
            charge_point = api.call("GET", f"/charge-points/{quote(identity)}", missing_ok=True)
            if charge_point is None:
                charge_point = api.call("POST", "/charge-points", {"id": identity, "location_id": location["id"]})
                created.append(f"charge point {identity}")
            ocpp_url = charge_point["ocpp_url"].rsplit("/", 1)[0]
        for name, tag in site.drivers:
            if _named(drivers, name) is None:
                driver = api.call("POST", "/drivers", {"name": name, "id_tags": [tag]})
                created.append(f"driver {driver['id']} ({name}, tag {tag})")
    return Network(base_url.rstrip("/"), org_id, key, ocpp_url, tuple(created))


def _sign_in(api: Rest, created: list[str]) -> str:
    credentials = {"email": EMAIL, "password": PASSWORD}
    try:
        token: str = api.call("POST", "/auth/token", credentials)["access_token"]
        return token
    except DemoError as error:
        if " 401:" not in str(error):
            raise
    user = api.call("POST", "/auth/signup", credentials | {"name": "Demo Operator"})
    created.append(f"user {user['id']} ({EMAIL})")
    token = api.call("POST", "/auth/token", credentials)["access_token"]
    return token


def introduction(network: Network, duration: float) -> str:
    """What the newcomer reads: the key, where to sign in, and what to curl."""
    key, base = network.api_key, network.base_url
    lines = [f"charge demo: organization {ORGANIZATION['name']} ({network.organization_id}) on {base}"]
    lines += [f"  created {what}" for what in network.created] or ["  (everything was there already: reused)"]
    lines += [
        f"  API key (admin): {key}",
        f"  user: {EMAIL} / {PASSWORD}",
        "",
        "Look around (another terminal):",
        f"  KEY={key}",
        f"  curl -s {base}/api/v1/charge-points -H \"authorization: Bearer $KEY\"   # status, online",
        f"  curl -s {base}/api/v1/sessions -H \"authorization: Bearer $KEY\"        # energy and cost",
        f"  curl -s {base}/api/v1/locations -H \"authorization: Bearer $KEY\"",
        f"  curl -s {base}/api/v1/drivers -H \"authorization: Bearer $KEY\"",
        f"  curl -s {base}/api/v1/tariffs -H \"authorization: Bearer $KEY\"",
        "",
        f"{sum(s.charge_points for s in network.sites)} simulated charge points charge for {duration:g} s at "
        f"{network.ocpp_url}; Ctrl-C stops them (sessions under way are stopped and priced).",
    ]
    return "\n".join(lines)


async def run_charge_points(network: Network, *, duration: float, session_seconds: float, meter_interval: float,
                            stop: asyncio.Event | None = None) -> Report:
    """Every demo site's charge points, in their OCPP version, each with its drivers' tags."""
    stop = stop or asyncio.Event()
    reports = await asyncio.gather(*(
        simulate(Options(url=network.ocpp_url, count=site.charge_points, version=site.ocpp_version,
                         duration=duration, prefix=site.prefix, id_tags=tuple(tag for _, tag in site.drivers),
                         session_seconds=session_seconds, meter_interval=meter_interval, power_kw=Decimal(22),
                         ramp_seconds=0), stop)
        for site in network.sites))
    total = Report()
    for report in reports:
        total.connected += report.connected
        total.failed += report.failed
        total.sessions += report.sessions
        total.energy_wh += report.energy_wh
        total.errors += report.errors
        total.latencies_ms += report.latencies_ms
    return total

