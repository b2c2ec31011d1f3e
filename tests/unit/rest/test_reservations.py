"""Reservations (seed 002): the charge point is asked first; its refusal is a 409 naming its answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from application.ports.charge_point_commands import CancelReservation, ReserveNow


def _body(network, clock=None, **changes) -> dict:
    now = clock.now() if clock is not None else datetime.now(UTC)
    expires = (now + timedelta(hours=2)).replace(microsecond=0)
    return {"charge_point_id": network.charge_point_id, "connector_id": 1,
            "expires_at": expires.isoformat().replace("+00:00", "Z"), "id_tag": network.id_tag} | changes


async def test_an_accepted_reservation(api, network, charge_points, clock):
    body = _body(network, clock)
    created = await api.post("/reservations", network.keys["member"], json=body)
    assert created.status_code == 201, created.text
    reservation = created.json()
    assert set(reservation) == {"id", "charge_point_id", "connector_id", "id_tag", "expires_at", "status",
                                "created_at"}
    assert reservation | {"id": None, "created_at": None} == {
        "id": None, "charge_point_id": network.charge_point_id, "connector_id": 1, "id_tag": network.id_tag,
        "expires_at": (clock.now() + timedelta(hours=2)).isoformat().replace("+00:00", "Z"), "status": "active",
        "created_at": None}
    assert reservation["id"].startswith("rsv_")
    assert reservation["created_at"] == clock.now().isoformat().replace("+00:00", "Z")
    cp, command = charge_points.sent[-1]
    assert cp == network.charge_point_id and isinstance(command, ReserveNow)
    assert (command.connector_id, command.id_tag, command.expires_at) == (1, network.id_tag,
                                                                          clock.now() + timedelta(hours=2))
    listed = (await api.get("/reservations", network.keys["viewer"])).json()["data"]
    assert listed == [reservation]


async def test_expiry_is_read_with_any_offset_and_answered_in_utc(api, network, clock):
    local = (clock.now() + timedelta(hours=3)).astimezone(ZoneInfo("Asia/Kolkata"))
    created = await api.post("/reservations", network.keys["member"],
                             json=_body(network, expires_at=local.isoformat().replace("+00:00", "Z")))
    assert created.status_code == 201
    assert created.json()["expires_at"] == (clock.now() + timedelta(hours=3)).isoformat().replace("+00:00", "Z")


async def test_a_refusal_is_409_reservation_rejected_and_nothing_is_kept(api, network, charge_points):
    for answer in ("Occupied", "Faulted", "Rejected", "Unavailable"):
        charge_points.answers["ReserveNow"] = answer
        refused = await api.post("/reservations", network.keys["member"], json=_body(network))
        assert refused.status_code == 409, refused.text
        problem = refused.json()
        assert problem["code"] == "reservation_rejected" and answer in problem["detail"]
    assert (await api.get("/reservations", network.keys["viewer"])).json()["data"] == []


async def test_an_offline_charge_point_is_409_unavailable(api, network, charge_points):
    charge_points.online.clear()
    response = await api.post("/reservations", network.keys["member"], json=_body(network))
    assert response.status_code == 409 and response.json()["code"] == "unavailable"


async def test_a_reserved_connector_cannot_be_reserved_again(api, network):
    assert (await api.post("/reservations", network.keys["member"], json=_body(network))).status_code == 201
    again = await api.post("/reservations", network.keys["member"], json=_body(network))
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    other = await api.post("/reservations", network.keys["member"], json=_body(network, connector_id=2))
    assert other.status_code == 201


async def test_the_request_is_checked_before_the_charge_point_is_asked(api, network, charge_points, clock):
    cases = [({"expires_at": clock.now().isoformat().replace("+00:00", "Z")}, "expires_at"),
             ({"expires_at": (clock.now() + timedelta(hours=25)).isoformat().replace("+00:00", "Z")}, "expires_at"),
             ({"connector_id": 3}, "connector_id"),
             ({"charge_point_id": "CP-NOBODY"}, "charge_point_id"),
             ({"id_tag": "has space"}, "id_tag")]
    for change, field in cases:
        response = await api.post("/reservations", network.keys["member"], json=_body(network, clock, **change))
        assert response.status_code == 422 and [e["field"] for e in response.json()["errors"]] == [field], change
    assert charge_points.sent == []


async def test_list_filters_by_charge_point_and_status_as_of_now(api, network, charge_points, clock):
    await api.post("/charge-points", network.keys["admin"], json={"id": "CP-B", "location_id": network.location_id})
    charge_points.online.add("CP-B")
    short = await api.post("/reservations", network.keys["member"], json=_body(network, clock) | {
        "expires_at": (clock.now() + timedelta(minutes=30)).isoformat().replace("+00:00", "Z")})
    long = await api.post("/reservations", network.keys["member"], json=_body(network, clock, connector_id=2))
    elsewhere = await api.post("/reservations", network.keys["member"], json=_body(network, clock,
                                                                                   charge_point_id="CP-B"))
    cancelled = await api.post("/reservations", network.keys["member"], json=_body(network, clock,
                                                                                   charge_point_id="CP-B",
                                                                                   connector_id=2))
    assert (await api.delete(f"/reservations/{cancelled.json()['id']}", network.keys["member"])).status_code == 204
    clock.advance(hours=1)

    async def ids(**params) -> list[str]:
        response = await api.get("/reservations", network.keys["viewer"], params=params)
        assert response.status_code == 200, response.text
        return [r["id"] for r in response.json()["data"]]

    assert await ids(status="expired") == [short.json()["id"]]
    assert await ids(status="active") == [long.json()["id"], elsewhere.json()["id"]]
    assert await ids(status="cancelled") == [cancelled.json()["id"]]
    assert await ids(status="used") == []
    assert await ids(charge_point_id="CP-B") == [elsewhere.json()["id"], cancelled.json()["id"]]
    assert await ids(charge_point_id="CP-B", status="active") == [elsewhere.json()["id"]]
    listed = (await api.get("/reservations", network.keys["viewer"])).json()["data"]
    assert [r["status"] for r in listed] == ["expired", "active", "active", "cancelled"]


async def test_a_reservation_used_by_its_tag_is_used(api, network, sessions):
    created = await api.post("/reservations", network.keys["member"], json=_body(network))
    await sessions.start(network.charge_point_id, network.id_tag, connector_id=1)
    listed = (await api.get("/reservations", network.keys["viewer"], params={"status": "used"})).json()["data"]
    assert [r["id"] for r in listed] == [created.json()["id"]]


async def test_cancel_asks_the_charge_point_then_answers_204(api, network, charge_points):
    created = (await api.post("/reservations", network.keys["member"], json=_body(network))).json()
    response = await api.delete(f"/reservations/{created['id']}", network.keys["member"])
    assert response.status_code == 204 and response.content == b""
    assert charge_points.sent[-1][1] == CancelReservation(charge_points.sent[-2][1].reservation_id)
    listed = (await api.get("/reservations", network.keys["viewer"])).json()["data"]
    assert [r["status"] for r in listed] == ["cancelled"]
    again = await api.delete(f"/reservations/{created['id']}", network.keys["member"])
    assert again.status_code == 409 and again.json()["code"] == "invalid_state"


async def test_cancelling_on_an_offline_charge_point_is_409_and_keeps_the_reservation(api, network, charge_points):
    created = (await api.post("/reservations", network.keys["member"], json=_body(network))).json()
    charge_points.online.clear()
    response = await api.delete(f"/reservations/{created['id']}", network.keys["member"])
    assert response.status_code == 409 and response.json()["code"] == "unavailable"
    listed = (await api.get("/reservations", network.keys["viewer"])).json()["data"]
    assert [r["status"] for r in listed] == ["active"]


async def test_unknown_malformed_and_foreign_reservations_are_404(api, network):
    created = (await api.post("/reservations", network.keys["member"], json=_body(network))).json()
    _, _, stranger = await api.user("Stranger")
    org = await api.organization(stranger)
    for reservation_id, token, headers in [("rsv_01JD0000000000000000000000", network.keys["admin"], {}),
                                           ("ses_01JD0000000000000000000000", network.keys["admin"], {}),
                                           (created["id"], stranger, {"X-Organization-Id": org})]:
        response = await api.delete(f"/reservations/{reservation_id}", token, headers=headers)
        assert response.status_code == 404, reservation_id
    assert (await api.get("/reservations", stranger, headers={"X-Organization-Id": org})).json()["data"] == []


async def test_creating_is_idempotent(api, network, charge_points):
    headers = {"Idempotency-Key": "reserve-1"}
    body = _body(network)
    first = await api.post("/reservations", network.keys["member"], json=body, headers=headers)
    again = await api.post("/reservations", network.keys["member"], json=body, headers=headers)
    assert first.status_code == again.status_code == 201 and again.content == first.content
    assert len(charge_points.sent) == 1
