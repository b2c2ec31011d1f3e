"""Reservations through a real server and database, with charge points that answer as scripted."""

from __future__ import annotations

from tests.e2e.rest.network import soon


def _body(network, **changes) -> dict:
    return {"charge_point_id": network.charge_point_id, "connector_id": 1, "expires_at": soon(),
            "id_tag": network.id_tag} | changes


async def test_reserve_list_and_cancel(api, network):
    created = await api.post("/reservations", network.keys["member"], json=_body(network),
                             headers={"Idempotency-Key": "reserve-" + network.org_id})
    assert created.status_code == 201, created.text
    reservation = created.json()
    assert reservation["status"] == "active" and reservation["connector_id"] == 1
    replay = await api.post("/reservations", network.keys["member"], json=_body(network) | {
        "expires_at": reservation["expires_at"]}, headers={"Idempotency-Key": "reserve-" + network.org_id})
    assert replay.status_code in (201, 409)  # 201 replayed when the body is byte-identical, else 409
    taken = await api.post("/reservations", network.keys["member"], json=_body(network))
    assert taken.status_code == 409 and taken.json()["code"] == "conflict"
    second = await api.post("/reservations", network.keys["member"], json=_body(network, connector_id=2))
    assert second.status_code == 201

    listed = await api.get("/reservations", network.keys["viewer"], params={"charge_point_id": network.charge_point_id})
    assert [r["id"] for r in listed.json()["data"]] == [reservation["id"], second.json()["id"]]
    assert listed.json()["data"][0] == reservation

    cancelled = await api.delete(f"/reservations/{reservation['id']}", network.keys["member"])
    assert cancelled.status_code == 204
    by_status = await api.get("/reservations", network.keys["viewer"], params={"status": "cancelled"})
    assert [r["id"] for r in by_status.json()["data"]] == [reservation["id"]]
    active = await api.get("/reservations", network.keys["viewer"], params={"status": "active"})
    assert [r["id"] for r in active.json()["data"]] == [second.json()["id"]]
    again = await api.delete(f"/reservations/{reservation['id']}", network.keys["member"])
    assert again.status_code == 409 and again.json()["code"] == "invalid_state"


async def test_a_refusal_is_409_reservation_rejected(api, network, charge_points):
    charge_points.answers["ReserveNow"] = "Occupied"
    refused = await api.post("/reservations", network.keys["member"], json=_body(network))
    assert refused.status_code == 409
    assert refused.json()["code"] == "reservation_rejected" and "Occupied" in refused.json()["detail"]
    assert (await api.get("/reservations", network.keys["viewer"])).json()["data"] == []


async def test_an_offline_charge_point_cannot_reserve(api, network, charge_points):
    charge_points.online.discard(network.charge_point_id)
    offline = await api.post("/reservations", network.keys["member"], json=_body(network))
    assert offline.status_code == 409 and offline.json()["code"] == "unavailable"


async def test_viewers_cannot_reserve_and_strangers_cannot_see(api, network):
    denied = await api.post("/reservations", network.keys["viewer"], json=_body(network))
    assert denied.status_code == 403
    created = await api.post("/reservations", network.keys["member"], json=_body(network))
    _, _, stranger = await api.user("Stranger")
    mine = await api.organization(stranger)
    gone = await api.delete(f"/reservations/{created.json()['id']}", stranger, headers={"X-Organization-Id": mine})
    assert gone.status_code == 404
