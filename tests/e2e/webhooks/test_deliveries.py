"""Webhooks through the running server, SQLite and PostgreSQL: a receiver started by the test gets every subscribed
event, signed, across an injected receiver failure and across a server killed between the commit and the
delivery; a rolled-back change sends nothing. Real processes (`charge serve`), a real charge point over a
websocket, REST over HTTP; the signatures are checked here by the receiver's own code."""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from entrypoints.config import Settings
from entrypoints.containers import Application
from entrypoints.simulator import boot, charge_point
from tests.e2e.grpc.ocpp_sessions import Charging
from tests.e2e.ocpp.operator import Operator
from tests.e2e.webhooks.receiver import Post, Receiver
from tests.e2e.webhooks.serving import rows, serving, signed_with, valid_event

SUBSCRIBED = ["charge_point.status_changed", "reservation.created", "reservation.cancelled", "session.started",
              "session.completed"]


async def _admin(http: httpx.AsyncClient, ocpp: str) -> Operator:
    return await Operator.sign_up(http, ocpp, role="admin")


async def _subscribe(operator: Operator, url: str, events: list[str]) -> dict[str, Any]:
    created = (await operator.request("POST", "/webhook-endpoints", {"url": url, "events": events,
                                                                     "description": "e2e receiver"},
                                      expect=201)).json()
    assert created["secret"].startswith("whsec_")
    return dict(created)


async def _drive(operator: Operator) -> str:
    """Real state changes: a charge point connects and reports its status, a reservation is made and cancelled,
    a session runs from start to stop, the charge point goes away. Returns the charge point's id."""
    cp_id = str((await operator.charge_point("CP"))["id"])
    await operator.driver("Dana", "TAG")
    async with charge_point(operator.ocpp_url, cp_id, "1.6") as cp:
        await boot(cp)
        expires = (datetime.now(UTC) + timedelta(hours=1)).isoformat().replace("+00:00", "Z")
        reservation = await operator.post("/reservations", {"charge_point_id": cp_id, "connector_id": 1,
                                                            "id_tag": operator.id("TAG"), "expires_at": expires})
        await operator.request("DELETE", f"/reservations/{reservation['id']}", expect=204)
        charging = Charging(cp, operator.id("TAG"))
        await charging.start(0, 1_000)
        await charging.meter(10, 4_000)
        await charging.stop(20, 8_500)
    # The disconnection is a change too (to Offline): wait for it, so that the events read next are all there are.
    await operator.eventually(lambda: operator.get(f"/charge-points/{cp_id}"), lambda cp: cp["status"] == "Offline",
                              seconds=20)
    return cp_id


async def _events(operator: Operator, types: list[str]) -> dict[str, str]:
    """The organization's events of ``types`` (id → type), read over REST."""
    found: dict[str, str] = {}
    cursor = None
    while True:
        page = await operator.get("/events", limit=100, **({"cursor": cursor} if cursor else {}))
        found |= {e["id"]: e["type"] for e in page["data"] if e["type"] in types}
        if not page["has_more"]:
            return found
        cursor = page["next_cursor"]


def _answers(posts: list[Post]) -> dict[str, list[int]]:
    """Per event id, the status codes the receiver answered, in order."""
    answers: dict[str, list[int]] = defaultdict(list)
    for post in posts:
        answers[post.headers["charge-event-id"]].append(post.answered)
    return answers


async def test_every_subscribed_event_arrives_signed_and_a_failing_receiver_is_retried(database_url, tmp_path):
    with Receiver(fail=3) as receiver, serving(database_url, tmp_path) as server:
        async with httpx.AsyncClient(base_url=server.api, timeout=20) as http:
            operator = await _admin(http, server.ocpp)
            endpoint = await _subscribe(operator, receiver.url, SUBSCRIBED)
            await _drive(operator)
            expected = await _events(operator, SUBSCRIBED)
            assert set(expected.values()) == set(SUBSCRIBED)
            posts = await receiver.until(lambda got: {p.headers["charge-event-id"] for p in got if p.answered == 204}
                                         >= set(expected))
            await asyncio.sleep(1.0)          # a few more worker rounds: nothing is sent twice
            posts = receiver.received()
            log = await operator.get(f"/webhook-endpoints/{endpoint['id']}/deliveries", limit=100)

    # Every subscribed event, and only those; each answered 2xx exactly once, the three failures retried.
    answers = _answers(posts)
    assert set(answers) == set(expected)
    assert all(codes[-1] == 204 and codes.count(204) == 1 for codes in answers.values()), answers
    assert sum(codes.count(500) for codes in answers.values()) == 3
    assert any(len(codes) > 1 for codes in answers.values())
    for post in posts:
        assert post.path == "/hooks" and post.headers["content-type"] == "application/json"
        assert signed_with(post.headers["charge-signature"], post.body, endpoint["secret"])
        assert not signed_with(post.headers["charge-signature"], post.body, "whsec_" + "0" * 43)
        document = valid_event(post.body)
        assert document["id"] == post.headers["charge-event-id"]
        assert document["type"] == post.headers["charge-event-type"] == expected[document["id"]]
        assert document["organization_id"] == operator.organization_id
    # A retry posts the same bytes.
    by_event: dict[str, set[bytes]] = defaultdict(set)
    for post in posts:
        by_event[post.headers["charge-event-id"]].add(post.body)
    assert all(len(bodies) == 1 for bodies in by_event.values())
    # The delivery log: one delivery per event, its attempts as the receiver saw them.
    deliveries = {d["event_id"]: d for d in log["data"]}
    assert set(deliveries) == set(expected)
    for event_id, delivery in deliveries.items():
        assert delivery["status"] == "succeeded" and delivery["last_error"] is None
        attempts = delivery["attempts"]
        assert [a["status_code"] for a in attempts] == answers[event_id]
        assert [a["number"] for a in attempts] == list(range(1, len(attempts) + 1))
        assert delivery["attempt_count"] == len(attempts)
        assert delivery["id"] in {p.headers["charge-delivery-id"] for p in posts}


async def test_a_server_killed_after_the_commit_leaves_deliveries_that_the_next_one_sends_once(database_url,
                                                                                              tmp_path):
    with Receiver() as receiver:
        with serving(database_url, tmp_path, CHARGE_WEBHOOK_WORKER="false") as first:
            async with httpx.AsyncClient(base_url=first.api, timeout=20) as http:
                operator = await _admin(http, first.ocpp)
                endpoint = await _subscribe(operator, receiver.url, SUBSCRIBED)
                await _drive(operator)
                expected = await _events(operator, SUBSCRIBED)
                assert set(expected.values()) == set(SUBSCRIBED)

                async def pending() -> list[tuple[Any, ...]]:
                    return await rows(database_url, "SELECT event_id, status, attempts FROM webhook_deliveries "
                                                    "WHERE endpoint_id = :e", e=endpoint["id"])

                # Committed and fanned out: one delivery per event, none attempted (this server sends none).
                due = await operator.eventually(pending, lambda found: len(found) == len(expected), seconds=20)
                assert sorted(due) == sorted((event_id, "pending", 0) for event_id in expected)
            first.kill()
        assert receiver.received() == []

        with serving(database_url, tmp_path) as second:
            posts = await receiver.until(lambda got: len(got) >= len(expected))
            await asyncio.sleep(1.5)          # more worker rounds and sweeps: nothing is sent again
            posts = receiver.received()
    assert Counter(p.headers["charge-event-id"] for p in posts) == Counter(expected.keys())
    assert all(p.answered == 204 and signed_with(p.headers["charge-signature"], p.body, endpoint["secret"])
               for p in posts)
    delivered = await rows(database_url, "SELECT event_id, status, attempts FROM webhook_deliveries "
                                         "WHERE endpoint_id = :e", e=endpoint["id"])
    assert sorted(delivered) == sorted((event_id, "succeeded", 1) for event_id in expected)
    assert second.proc.returncode == 0


async def test_a_rolled_back_change_sends_nothing(database_url, tmp_path):
    with Receiver() as receiver, serving(database_url, tmp_path) as server:
        async with httpx.AsyncClient(base_url=server.api, timeout=20) as http:
            operator = await _admin(http, server.ocpp)
            await _subscribe(operator, receiver.url, ["charge_point.status_changed"])
            cp_id = str((await operator.charge_point("CP"))["id"])
            async with charge_point(operator.ocpp_url, cp_id, "1.6") as cp:
                await boot(cp)     # connecting and the first status report may each change its status
                await operator.eventually(lambda: operator.get(f"/charge-points/{cp_id}"),
                                          lambda found: found["status"] == "Available", seconds=20)
                changed = await _events(operator, ["charge_point.status_changed"])
                booted = await receiver.until(lambda got: len(got) >= len(changed))

                # The same kind of change as a StatusNotification makes, in a unit of work of this process on the
                # server's database: staged with its event, then rolled back by an error before the commit.
                changes = _Changes(database_url, tmp_path)
                try:
                    assert await changes.status(cp_id, "Faulted", commit=False) == 1
                    await asyncio.sleep(1.5)      # the server's worker and sweep run many times meanwhile
                    assert len(receiver.received()) == len(booted)
                    stored = await rows(database_url, "SELECT payload FROM domain_events WHERE name = :n",
                                        n="charge_point.status_changed")
                    assert stored and not [p for (p,) in stored if "Faulted" in str(p)]
                    assert len(await rows(database_url, "SELECT id FROM webhook_deliveries")) == len(booted)
                    # The same change committed is sent: the test would see a leak.
                    assert await changes.status(cp_id, "Faulted", commit=True) == 1
                finally:
                    await changes.close()
                posts = await receiver.until(lambda got: len(got) > len(booted))
    faulted = [valid_event(p.body)["data"] for p in posts[len(booted):]]
    assert [(d["charge_point_id"], d["status"]) for d in faulted] == [(cp_id, "Faulted")]


class _Changes:
    """A unit of work of the application on the server's database, from the test's process."""

    def __init__(self, database_url: str, tmp_path: Path) -> None:
        self.container = Application(config=Settings(database_url=database_url,
                                                     mail_dir=str(tmp_path / "mail")).as_config())

    async def status(self, cp_id: str, status: str, *, commit: bool) -> int:
        """Report connector 1's ``status``; returns how many events the change staged."""
        uow_factory = self.container.adapters.uow_factory()
        staged = 0
        try:
            async with uow_factory() as uow:
                charge_point = await uow.charge_points.find_for_update(cp_id)
                assert charge_point is not None
                charge_point.status_changed(evse_id=1, connector_id=1, status=status, error_code="GroundFailure",
                                            timestamp=datetime.now(UTC))
                staged = len(charge_point.pending_events)
                await uow.charge_points.save(charge_point)
                if not commit:
                    raise _Failed
                await uow.commit()
        except _Failed:
            pass
        return staged

    async def close(self) -> None:
        await self.container.adapters.feed_sequencer().close()
        await self.container.adapters.database().dispose()


class _Failed(Exception):
    """What goes wrong after the change is staged."""
