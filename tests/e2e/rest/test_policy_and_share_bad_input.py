"""Issue 13's bad input through the real server (SQLite and PostgreSQL): a VIN whose check digit does not match, a
location in a charging policy the organization does not have, time windows that make no sense, a revenue share
above 100 % — each a 422 problem (RFC 9457) naming the field, on every endpoint that takes it, and nothing stored.
(The generic harness, tests/e2e/rest/bad_inputs.py, throws junk at every field; this file pins these rules.)"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e.rest.network import Network, fresh

VIN = "1HGCM82633A004352"            # a North American VIN whose check digit (9th: 3) matches
POLICY = {"allowed_location_ids": [], "time_windows": [{"days": ["MONDAY"], "start": "07:00", "end": "19:00"}]}
UNKNOWN_LOCATION = "loc_01JD0000000000000000000000"


def assert_names(response: httpx.Response, field: str, *words: str) -> None:
    """A 422 problem whose errors name ``field`` (with ``words`` in its message)."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    problem = response.json()
    assert problem["status"] == 422 and problem["code"]
    named = [e for e in problem["errors"] if e["field"] == field]
    assert named, (field, problem["errors"])
    assert all(w in named[0]["message"] for w in words), (field, words, named[0]["message"])


async def _fleet(api, net: Network) -> str:
    made = await api.post("/fleets", net.keys["admin"], json={"name": fresh("Acme"), "policy": {}})
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


@pytest.mark.parametrize(("vin", "words"), [
    ("1HGCM82634A004352", ("check digit",)),        # one digit off: the check digit no longer matches
    ("1HGCM8263XA004352", ("check digit",)),        # a wrong check character in its place
    ("1HGCM82633A00435I", ()),                       # I, O and Q are never in a VIN
    ("1HGCM82633A00435", ()),                        # 16 characters
])
async def test_a_bad_vin_is_422_naming_vin_on_create_and_update(api, network, vin, words):
    key = network.keys["admin"]
    fleet_id = await _fleet(api, network)
    body = {"fleet_id": fleet_id, "vin": vin, "make": "Honda", "model": "Accord", "battery_kwh": "35"}
    assert_names(await api.post("/vehicles", key, json=body), "vin", *words)
    made = await api.post("/vehicles", key, json=body | {"vin": VIN})
    assert made.status_code == 201, made.text
    assert_names(await api.put(f"/vehicles/{made.json()['id']}", key, json=body), "vin", *words)
    kept = await api.get(f"/vehicles/{made.json()['id']}", key)
    assert kept.json()["vin"] == VIN
    assert [v["vin"] for v in (await api.get("/vehicles", key, params={"fleet_id": fleet_id})).json()["data"]] == [VIN]


async def _policy_targets(api, net: Network) -> list[tuple[str, str, dict[str, Any]]]:
    """Every body that carries a charging policy: (method, path, body without its policy)."""
    fleet_id = await _fleet(api, net)
    driver = await api.post("/drivers", net.keys["admin"], json={"name": "Dana", "fleet_id": fleet_id,
                                                                  "id_tags": [fresh("TAG")]})
    assert driver.status_code == 201, driver.text
    return [("POST", "/fleets", {"name": "Acme"}), ("PUT", f"/fleets/{fleet_id}", {"name": "Acme"}),
            ("PUT", f"/drivers/{driver.json()['id']}", {"name": "Dana", "fleet_id": fleet_id, "active": True})]


_WINDOWS: list[tuple[list[dict[str, Any]], str, tuple[str, ...]]] = [
    # A window of no time.
    ([{"days": ["MONDAY"], "start": "08:00", "end": "08:00"}], "policy.time_windows[0].end", ("must differ",)),
    # Two windows covering the same minutes of the same weekday.
    ([{"days": ["MONDAY"], "start": "07:00", "end": "12:00"}, {"days": ["MONDAY"], "start": "11:00", "end": "14:00"}],
     "policy.time_windows[1]", ("overlaps time_windows[0]",)),
    # The same window twice.
    ([{"days": ["FRIDAY"], "start": "07:00", "end": "12:00"}, {"days": ["FRIDAY"], "start": "07:00", "end": "12:00"}],
     "policy.time_windows[1]", ("overlaps",)),
    # An overnight window (end before start runs into the next day) over the next day's morning window.
    ([{"days": ["MONDAY"], "start": "22:00", "end": "06:00"}, {"days": ["TUESDAY"], "start": "05:00", "end": "09:00"}],
     "policy.time_windows[1]", ("overlaps",)),
    # Sunday night runs into Monday morning: the week wraps.
    ([{"days": ["MONDAY"], "start": "00:00", "end": "03:00"}, {"days": ["SUNDAY"], "start": "23:00", "end": "01:00"}],
     "policy.time_windows[1]", ("overlaps",)),
    # A day twice in one window, an unknown day, no day at all.
    ([{"days": ["MONDAY", "MONDAY"], "start": "07:00", "end": "09:00"}], "policy.time_windows[0].days[1]",
     ("twice",)),
    ([{"days": ["FUNDAY"], "start": "07:00", "end": "09:00"}], "policy.time_windows[0].days[0]", ()),
    ([{"days": [], "start": "07:00", "end": "09:00"}], "policy.time_windows[0].days", ()),
    # Times that are no times of day.
    ([{"days": ["MONDAY"], "start": "24:00", "end": "09:00"}], "policy.time_windows[0].start", ()),
    ([{"days": ["MONDAY"], "start": "07:00", "end": "24:30"}], "policy.time_windows[0].end", ()),
    ([{"days": ["MONDAY"], "start": "7:00", "end": "09:00"}], "policy.time_windows[0].start", ()),
]


async def test_windows_that_make_no_sense_are_422_naming_the_window(api, network):
    targets = await _policy_targets(api, network)
    for windows, field, words in _WINDOWS:
        for method, path, body in targets:
            response = await api.request(method, path, network.keys["admin"],
                                         json=body | {"policy": {"time_windows": windows}})
            assert_names(response, field, *words)
    # Overnight windows that do not overlap are fine: end before start runs into the next day.
    fine = [{"days": ["MONDAY"], "start": "22:00", "end": "06:00"}, {"days": ["TUESDAY"], "start": "06:00",
                                                                       "end": "09:00"}]
    for method, path, body in targets:
        response = await api.request(method, path, network.keys["admin"],
                                     json=body | {"policy": {"time_windows": fine}})
        assert response.status_code in (200, 201), (path, response.text)
        assert response.json()["policy"]["time_windows"] == fine


async def test_an_unknown_location_in_a_policy_is_422_naming_it(api, network):
    targets = await _policy_targets(api, network)
    for locations, index in (([UNKNOWN_LOCATION], 0), ([network.location_id, UNKNOWN_LOCATION], 1),
                             (["not-a-location"], 0), ([network.location_id, network.location_id], 1)):
        for method, path, body in targets:
            response = await api.request(method, path, network.keys["admin"],
                                         json=body | {"policy": POLICY | {"allowed_location_ids": locations}})
            assert_names(response, f"policy.allowed_location_ids[{index}]")
    fleets = (await api.get("/fleets", network.keys["viewer"])).json()["data"]
    assert all(not f["policy"].get("allowed_location_ids") for f in fleets)


async def _owner(api, net: Network) -> str:
    invited = await api.post("/site-owners/invitations", net.keys["admin"],
                             json={"email": f"{fresh('owner').lower()}-{net.org_id[-6:].lower()}@example.com",
                                   "name": "Parkhaus"})
    assert invited.status_code == 201, invited.text
    return str(invited.json()["id"])


@pytest.mark.parametrize("percent", ["100.01", 101, 100.5, "150", "1e3", "-0.01", -5, "12.345", "NaN", "Infinity"])
async def test_a_share_above_100_percent_or_otherwise_no_percentage_is_422_naming_it(api, network, percent):
    key = network.keys["admin"]
    body = {"site_owner_id": await _owner(api, network), "name": "Harbour", "location_ids": [network.location_id],
            "revenue_share_percent": percent, "share_basis": "net_revenue"}
    assert_names(await api.post("/projects", key, json=body), "revenue_share_percent")
    # Nothing was made: the location is in no project and free for one with a sound share.
    location = (await api.get(f"/locations/{network.location_id}", key)).json()
    assert (location["site_owner_id"], location["project_id"]) == (None, None)
    made = await api.post("/projects", key, json=body | {"revenue_share_percent": "100"})
    assert made.status_code == 201 and made.json()["revenue_share_percent"] == "100", made.text
    assert_names(await api.put(f"/projects/{made.json()['id']}", key, json=body), "revenue_share_percent")
    kept = await api.get(f"/projects/{made.json()['id']}", key)
    assert kept.json()["revenue_share_percent"] == "100"
