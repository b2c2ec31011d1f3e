"""The webhook endpoints over REST on the running server, SQLite and PostgreSQL: the secret shown once, a rotation
whose overlap signs with both secrets, the delivery log, redelivery, roles, and another organization's endpoint
and events answering 404. Every answer is checked against the OpenAPI document."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from ocpp.v16 import call as call16

from entrypoints.simulator import SimulatedChargePoint16, boot, charge_point, now
from tests.e2e.ocpp.operator import Operator
from tests.e2e.rest.conformance import Conformance
from tests.e2e.webhooks.receiver import Post, Receiver
from tests.e2e.webhooks.serving import serving, signatures, signed_with, valid_event

STATUS = "charge_point.status_changed"


async def _report(cp: SimulatedChargePoint16, receiver: Receiver, status: str) -> Post:
    """A StatusNotification that changes the charge point's status; the post of its event."""
    before = len(receiver.received())
    await cp.call(call16.StatusNotification(connector_id=1, error_code="NoError", status=status, timestamp=now()))

    def of_it(posts: list[Post]) -> list[Post]:
        return [p for p in posts[before:] if valid_event(p.body)["data"]["status"] == status]

    [post] = of_it(await receiver.until(lambda got: bool(of_it(got))))
    return post


def _status_of(post: Post) -> str:
    return str(valid_event(post.body)["data"]["status"])


async def _key(admin: Operator, role: str) -> dict[str, str]:
    created = await admin.post(f"/organizations/{admin.organization_id}/api-keys", {"name": role, "role": role})
    return {"Authorization": f"Bearer {created['key']}"}


async def test_endpoints_secret_once_rotation_log_redelivery_roles_and_tenancy(database_url, tmp_path):
    conformance = Conformance()
    with Receiver() as receiver, serving(database_url, tmp_path) as server:
        async with httpx.AsyncClient(base_url=server.api, timeout=20,
                                     event_hooks={"response": [conformance.hook]}) as http:
            admin = await Operator.sign_up(http, server.ocpp, role="admin")
            other = await Operator.sign_up(http, server.ocpp, role="admin")
            member, viewer = await _key(admin, "member"), await _key(admin, "viewer")

            # Created: the secret in this answer only, never cached.
            body = {"url": receiver.url, "events": ["session.started"], "description": "first"}
            response = await admin.request("POST", "/webhook-endpoints", body, expect=201)
            assert response.headers["cache-control"] == "no-store"
            created = response.json()
            first_secret, endpoint_id = created["secret"], created["id"]
            path = f"/webhook-endpoints/{endpoint_id}"
            shown = await admin.request("GET", path, expect=200)
            listed = await admin.request("GET", "/webhook-endpoints", expect=200)
            assert "secret" not in shown.json() and first_secret not in shown.text + listed.text
            assert shown.json()["secrets_in_use"] == 1 and shown.json()["status"] == "enabled"
            assert [e["id"] for e in listed.json()["data"]] == [endpoint_id]

            # Replaced (PUT): now the status changes.
            updated = (await admin.request("PUT", path, {"url": receiver.url, "events": [STATUS],
                                                         "description": "status"}, expect=200)).json()
            assert (updated["events"], updated["description"]) == ([STATUS], "status")

            cp_id = str((await admin.charge_point("CP"))["id"])
            async with charge_point(admin.ocpp_url, cp_id, "1.6") as cp:
                await boot(cp)
                await admin.eventually(lambda: admin.get(f"/charge-points/{cp_id}"),
                                       lambda found: found["status"] == "Available", seconds=20)
                first = await _report(cp, receiver, "Faulted")
                assert signatures(first.headers["charge-signature"]) == 1
                assert signed_with(first.headers["charge-signature"], first.body, first_secret)

                # Rotated with an overlap: both secrets sign, each verifies.
                rotated = await admin.request("POST", f"{path}/rotate-secret", {"overlap_seconds": 3600}, expect=200)
                assert rotated.headers["cache-control"] == "no-store"
                second_secret = rotated.json()["secret"]
                assert second_secret != first_secret
                assert (await admin.get(path))["secrets_in_use"] == 2
                overlapping = await _report(cp, receiver, "Available")
                assert signatures(overlapping.headers["charge-signature"]) == 2
                assert signed_with(overlapping.headers["charge-signature"], overlapping.body, first_secret)
                assert signed_with(overlapping.headers["charge-signature"], overlapping.body, second_secret)

                # Rotated with no overlap: the newest alone signs.
                third_secret = (await admin.request("POST", f"{path}/rotate-secret", {"overlap_seconds": 0},
                                                    expect=200)).json()["secret"]
                assert (await admin.get(path))["secrets_in_use"] == 1
                alone = await _report(cp, receiver, "Unavailable")
                assert signatures(alone.headers["charge-signature"]) == 1
                assert signed_with(alone.headers["charge-signature"], alone.body, third_secret)
                assert not any(signed_with(alone.headers["charge-signature"], alone.body, secret)
                               for secret in (first_secret, second_secret))

            # Gone offline: the last change posted.
            await receiver.until(lambda got: _status_of(got[-1]) == "Offline")
            posts = receiver.received()

            # The delivery log: newest first, one attempt each.
            log = (await admin.get(f"{path}/deliveries", limit=100))["data"]
            newest = [d["event_id"] for d in log][1:4]      # after the Offline one
            assert newest == [p.headers["charge-event-id"] for p in (alone, overlapping, first)]
            assert {d["event_id"] for d in log} == {p.headers["charge-event-id"] for p in posts}
            assert all(d["status"] == "succeeded" and [a["status_code"] for a in d["attempts"]] == [204]
                       for d in log)

            # The event as REST shows it is the delivered document; redelivered, it comes again, signed anew.
            event_id = first.headers["charge-event-id"]
            event = await admin.get(f"/events/{event_id}")
            assert event == {k: v for k, v in valid_event(first.body).items()}
            requeued = (await admin.request("POST", f"/events/{event_id}/redeliver", expect=202)).json()
            assert [(d["endpoint_id"], d["event_id"], d["status"]) for d in requeued] == [
                (endpoint_id, event_id, "pending")]
            [again] = (await receiver.until(lambda got: len(got) > len(posts)))[len(posts):]
            assert again.headers["charge-event-id"] == event_id and again.body == first.body
            assert signed_with(again.headers["charge-signature"], again.body, third_secret)
            redelivered = await admin.eventually(
                lambda: admin.get(f"{path}/deliveries", limit=100),
                lambda page: [len(d["attempts"]) for d in page["data"] if d["event_id"] == event_id] == [2])
            [entry] = [d for d in redelivered["data"] if d["event_id"] == event_id]
            assert [a["number"] for a in entry["attempts"]] == [1, 2] and entry["status"] == "succeeded"

            # Roles: managing endpoints is an admin's; reading events, anyone's in the organization.
            as_member = await http.post("/webhook-endpoints", headers=member, json=body)
            assert as_member.status_code == 403
            assert (await http.get(path, headers=member)).status_code == 403
            assert (await http.post(f"/events/{event_id}/redeliver", headers=member)).status_code == 403
            assert (await http.get(f"/events/{event_id}", headers=viewer)).status_code == 200

            # Another organization sees none of it: 404, never 403, and its lists are empty.
            for method, url, payload in [("GET", path, None), ("PUT", path, body), ("DELETE", path, None),
                                         ("POST", f"{path}/rotate-secret", {}), ("GET", f"{path}/deliveries", None),
                                         ("GET", f"/events/{event_id}", None),
                                         ("POST", f"/events/{event_id}/redeliver", None)]:
                answer = await other.request(method, url, payload)
                assert answer.status_code == 404, (method, url, answer.text)
                assert answer.headers["content-type"].startswith("application/problem+json")
            assert (await other.get("/webhook-endpoints"))["data"] == []
            assert event_id not in {e["id"] for e in (await other.get("/events", limit=100))["data"]}
            assert (await admin.get(path))["url"] == receiver.url          # untouched by the other's PUT/DELETE

            # Deleted: gone, and nothing more is posted to it.
            await admin.request("DELETE", path, expect=204)
            await admin.request("GET", path, expect=404)
            count = len(receiver.received())
            async with charge_point(admin.ocpp_url, cp_id, "1.6") as cp:
                await cp.call(call16.StatusNotification(connector_id=1, error_code="NoError", status="Faulted",
                                                        timestamp=now()))
            await admin.eventually(lambda: _statuses(admin), lambda found: found.count("Faulted") == 2, seconds=20)
            await asyncio.sleep(1.0)
            assert len(receiver.received()) == count
    assert conformance.checked > 20


async def _statuses(operator: Operator) -> list[Any]:
    page = await operator.get("/events", limit=100)
    return [e["data"]["status"] for e in page["data"] if e["type"] == STATUS]
