"""Sessions listed and read through a real server and database (seeded through the transaction use cases,
as the OCPP door would)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

T0 = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)


async def test_sessions_list_filter_page_and_read(api, network, sessions):
    fleet = (await api.post("/fleets", network.keys["admin"], json={"name": "Fleet"})).json()["id"]
    driver = await api.post("/drivers", network.keys["admin"], json={"name": "Fleet", "fleet_id": fleet,
                                                                     "id_tags": ["F-" + network.org_id[-8:]]})
    assert driver.status_code == 201, driver.text
    completed, tx = await sessions.start(network.charge_point_id, "F-" + network.org_id[-8:], meter_wh=1000, at=T0)
    await sessions.meter(network.charge_point_id, tx, T0 + timedelta(minutes=10), wh=5000, power_w=22000)
    await sessions.stop(network.charge_point_id, tx, meter_wh=13345, at=T0 + timedelta(minutes=30))
    active, tx2 = await sessions.start(network.charge_point_id, network.id_tag, connector_id=2, meter_wh=0,
                                       at=T0 + timedelta(hours=1))
    await sessions.meter(network.charge_point_id, tx2, T0 + timedelta(hours=1, minutes=1), wh=250)
    started, _ = await sessions.start(network.charge_point_id, network.id_tag, at=T0 + timedelta(hours=2))

    async def ids(**params) -> list[str]:
        response = await api.get("/sessions", network.keys["viewer"], params=params)
        assert response.status_code == 200, response.text
        return [s["id"] for s in response.json()["data"]]

    assert await ids() == [started, active, completed]
    assert await ids(status="completed") == [completed]
    assert await ids(status="active") == [active]
    assert await ids(status="started") == [started]
    assert await ids(fleet_id=fleet) == [completed]
    assert await ids(driver_id=network.driver_id) == [started, active]
    assert await ids(charge_point_id=network.charge_point_id, **{"from": "2026-01-15T10:00:00+01:00",
                                                                  "to": "2026-01-15T09:30:00Z"}) == [completed]
    assert await ids(**{"from": "2026-01-15T09:30:00Z"}) == [started, active]
    first = (await api.get("/sessions", network.keys["viewer"], params={"limit": 2})).json()
    second = (await api.get("/sessions", network.keys["viewer"],
                            params={"limit": 2, "cursor": first["next_cursor"]})).json()
    assert [s["id"] for s in first["data"] + second["data"]] == [started, active, completed]
    assert second["next_cursor"] is None

    detail = (await api.get(f"/sessions/{completed}", network.keys["viewer"])).json()
    assert detail["status"] == "completed" and detail["energy_kwh"] == "12.345"
    assert detail["started_at"] == "2026-01-15T09:00:00Z" and detail["stopped_at"] == "2026-01-15T09:30:00Z"
    assert detail["meter"] == {"samples": 2, "first_reading_at": "2026-01-15T09:10:00Z",
                               "last_reading_at": "2026-01-15T09:10:00Z", "max_power_kw": "22.000"}
    assert detail["cost"] is None and detail["tariff_id"] is None
    assert (await api.get(f"/sessions/{active}", network.keys["viewer"])).json()["energy_kwh"] == "0.250"


async def test_another_organizations_sessions_are_invisible(api, network, sessions):
    session_id, _ = await sessions.start(network.charge_point_id, network.id_tag)
    _, _, stranger = await api.user("Stranger")
    mine = await api.organization(stranger)
    headers = {"X-Organization-Id": mine}
    assert (await api.get(f"/sessions/{session_id}", stranger, headers=headers)).status_code == 404
    assert (await api.get("/sessions", stranger, headers=headers)).json()["data"] == []
