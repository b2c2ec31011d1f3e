"""Webhooks on the fakes: committed events fan out to subscribed endpoints and are posted signed; a failure is
retried with backoff; a rolled-back change sends nothing; rotation signs with both secrets; every body
validates against its JSON Schema in contracts/events."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest

from adapters.memory import InMemoryStore
from adapters.payments import BankTransferProvider
from application import event_handlers
from application.events import EventDispatcher
from application.payment_providers import PaymentProviders
from application.ports.events import EventStatus
from application.ports.webhooks import Response, UrlNotAllowed
from application.webhook_events import SCHEMAS
from application.webhooks import deliver_due
from domain.billing.events import DefaultPaymentMethodChanged
from domain.charging.events import SessionCompleted, SessionStarted
from domain.network.events import ChargePointStatusChanged, ReservationCreated
from domain.webhooks import DeliveryStatus, WebhookEndpoint, retry_delay, verify
from tests.fakes import FakeClock

ORG = "org_01JD0000000000000000000000"
CONTRACTS = Path(__file__).resolve().parents[3] / "contracts" / "events"


class Receiver:
    def __init__(self, fail: int = 0) -> None:
        self.fail = fail
        self.got: list[tuple[str, dict[str, str], bytes]] = []

    async def check(self, url: str) -> None:
        if "internal" in url:
            raise UrlNotAllowed("private")

    async def post(self, url, body, headers):
        self.got.append((url, dict(headers), body))
        if self.fail:
            self.fail -= 1
            return Response(500, "HTTP 500", 3, "boom")
        return Response(204, None, 2)


@pytest.fixture
def world():
    clock = FakeClock()
    store = InMemoryStore(now=clock.now)
    dispatcher = EventDispatcher(store.unit_of_work, clock, event_handlers.handlers(clock),
                                 in_transaction=event_handlers.in_transaction(clock))
    return store, clock, dispatcher


async def _endpoint(store, clock, events, secret="whsec_one") -> WebhookEndpoint:
    now = clock.now()
    endpoint = WebhookEndpoint(id="we_1", organization_id=ORG, url="https://hooks.example/charge", events=events,
                               description=None, created_at=now, updated_at=now)
    endpoint.rotate(secret, now, timedelta(0))
    async with store.unit_of_work() as uow:
        await uow.webhooks.add_endpoint(endpoint)
        await uow.commit()
    return endpoint


def _started(clock) -> SessionStarted:
    return SessionStarted(organization_id=ORG, occurred_at=clock.now(), session_id="ses_1", charge_point_id="CP-1",
                          transaction_id="1", connector_id=1, evse_id=None, id_tag="TAG", driver_id=None)


def _events(clock):
    now = clock.now()
    return [_started(clock),
            SessionCompleted(organization_id=ORG, occurred_at=now, session_id="ses_1", charge_point_id="CP-1",
                             started_at=now, stopped_at=now, energy_wh=Decimal("12.5"), stop_reason="Local"),
            ReservationCreated(organization_id=ORG, occurred_at=now, reservation_id="rsv_1", charge_point_id="CP-1",
                               connector_id=1, id_tag="T", expires_at=now),
            ChargePointStatusChanged(organization_id=ORG, occurred_at=now, charge_point_id="CP-1",
                                     status="Available", previous_status="Offline")]


async def test_subscribed_events_are_posted_signed_and_valid_against_their_schemas(world):
    store, clock, dispatcher = world
    await _endpoint(store, clock, ("session.started", "reservation.created", "charge_point.status_changed"))
    async with dispatcher.unit_of_work() as uow:
        await uow.events.add(_events(clock))
        await uow.commit()
    receiver = Receiver()
    assert await deliver_due(uow_factory=store.unit_of_work, sender=receiver, clock=clock) == 3
    assert sorted(json.loads(body)["type"] for _, _, body in receiver.got) == [
        "charge_point.status_changed", "reservation.created", "session.started"]
    for _, headers, body in receiver.got:
        assert verify(headers["Charge-Signature"], body, "whsec_one", int(clock.now().timestamp()))
        assert not verify(headers["Charge-Signature"], body, "whsec_other", int(clock.now().timestamp()))
        document = json.loads(body)
        schema = json.loads((CONTRACTS / SCHEMAS[document["type"]]).read_text())
        jsonschema.validate(document, schema, format_checker=jsonschema.FormatChecker())
    assert await deliver_due(uow_factory=store.unit_of_work, sender=receiver, clock=clock) == 0


def test_every_subscribable_event_has_a_schema_file():
    for name, file in SCHEMAS.items():
        schema = json.loads((CONTRACTS / file).read_text())
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["properties"]["type"] == {"const": name}


async def test_a_rolled_back_change_sends_nothing(world):
    store, clock, dispatcher = world
    await _endpoint(store, clock, ("session.started",))
    async with dispatcher.unit_of_work() as uow:
        await uow.events.add([_started(clock)])
        await uow.rollback()
    receiver = Receiver()
    assert await deliver_due(uow_factory=store.unit_of_work, sender=receiver, clock=clock) == 0
    assert receiver.got == []


async def test_a_failed_post_is_retried_after_a_backoff_and_logged_per_attempt(world):
    store, clock, dispatcher = world
    await _endpoint(store, clock, ("session.started",))
    async with dispatcher.unit_of_work() as uow:
        await uow.events.add([_started(clock)])
        await uow.commit()
    receiver = Receiver(fail=1)
    assert await deliver_due(uow_factory=store.unit_of_work, sender=receiver, clock=clock) == 1
    assert await deliver_due(uow_factory=store.unit_of_work, sender=receiver, clock=clock) == 0   # not due yet
    clock.advance(seconds=31)
    assert await deliver_due(uow_factory=store.unit_of_work, sender=receiver, clock=clock) == 1
    async with store.unit_of_work() as uow:
        [delivery] = await uow.webhooks.pending_of_endpoint("we_1") or [
            d for d in (await uow.webhooks.list_deliveries(ORG, "we_1", _page())).items]
        attempts = (await uow.webhooks.attempts_of([delivery.id]))[delivery.id]
    assert delivery.status is DeliveryStatus.SUCCEEDED
    assert [(a.number, a.status_code) for a in attempts] == [(1, 500), (2, 204)]
    assert receiver.got[0][2] == receiver.got[1][2]     # the same event, the same bytes


def _page():
    from application.pagination import PageRequest
    return PageRequest()


async def test_an_endpoint_failing_for_three_days_is_disabled_and_its_deliveries_given_up(world):
    store, clock, dispatcher = world
    await _endpoint(store, clock, ("session.started",))
    async with dispatcher.unit_of_work() as uow:
        await uow.events.add([_started(clock)])
        await uow.commit()
    receiver = Receiver(fail=10_000)
    for _ in range(200):
        await deliver_due(uow_factory=store.unit_of_work, sender=receiver, clock=clock)
        clock.advance(hours=1)
    async with store.unit_of_work() as uow:
        endpoint = await uow.webhooks.endpoint("we_1")
        [delivery] = (await uow.webhooks.list_deliveries(ORG, "we_1", _page())).items
    assert endpoint.status.value == "disabled" and endpoint.disabled_reason == "failing"
    assert delivery.status is DeliveryStatus.FAILED
    assert 10 < len(receiver.got) < 40            # exponential: not one an hour


def test_rotation_signs_with_both_secrets_during_the_overlap_only():
    clock = FakeClock()
    now = clock.now()
    endpoint = WebhookEndpoint(id="we_1", organization_id=ORG, url="https://x.example", events=("a",),
                               description=None, created_at=now, updated_at=now)
    endpoint.rotate("old", now, timedelta(0))
    endpoint.rotate("new", now + timedelta(seconds=1), timedelta(hours=1))
    assert endpoint.signing_secrets(now + timedelta(minutes=30)) == ["new", "old"]
    assert endpoint.signing_secrets(now + timedelta(hours=2)) == ["new"]


def test_retry_delays_grow_exponentially_with_jitter_and_are_capped():
    import random
    rng = random.Random(7)
    delays = [retry_delay(n, rng).total_seconds() for n in range(1, 16)]
    assert 15 <= delays[0] <= 30 and 30 <= delays[1] <= 60
    assert max(delays) <= 6 * 3600


def test_the_first_retry_delay_sets_where_the_backoff_starts_and_the_cap_still_holds():
    import random
    first = timedelta(seconds=2)
    for attempts, ceiling in [(0, 2), (1, 2), (2, 4), (3, 8), (5, 32)]:
        for seed in range(20):
            delay = retry_delay(attempts, random.Random(seed), first).total_seconds()
            assert ceiling / 2 <= delay <= ceiling, (attempts, seed, delay)
    assert retry_delay(40, random.Random(1), first) <= timedelta(hours=6)
    assert retry_delay(1, random.Random(1)) == retry_delay(1, random.Random(1), timedelta(seconds=30))   # default
    with pytest.raises(ValueError):
        retry_delay(1, random.Random(1), timedelta(0))


async def test_a_failed_post_is_retried_after_the_configured_first_delay(world):
    store, clock, dispatcher = world
    await _endpoint(store, clock, ("session.started",))
    async with dispatcher.unit_of_work() as uow:
        await uow.events.add([_started(clock)])
        await uow.commit()
    receiver = Receiver(fail=2)
    first = timedelta(seconds=4)

    async def deliver() -> int:
        return await deliver_due(uow_factory=store.unit_of_work, sender=receiver, clock=clock, first_retry=first)

    assert await deliver() == 1                     # attempt 1 fails: due within 2..4 s
    clock.advance(seconds=1.9)
    assert await deliver() == 0
    clock.advance(seconds=2.2)
    assert await deliver() == 1                     # attempt 2 fails: due within 4..8 s
    clock.advance(seconds=3.9)
    assert await deliver() == 0
    clock.advance(seconds=4.2)
    assert await deliver() == 1                     # attempt 3 succeeds, long before the default 30 s
    async with store.unit_of_work() as uow:
        [delivery] = (await uow.webhooks.list_deliveries(ORG, "we_1", _page())).items
    assert delivery.status is DeliveryStatus.SUCCEEDED and delivery.attempts == 3


def test_the_first_retry_setting_is_read_from_the_environment_and_checked():
    from entrypoints.config import Settings
    assert Settings.from_env({}).webhook_first_retry_seconds == 30.0
    assert Settings.from_env({"CHARGE_WEBHOOK_FIRST_RETRY_SECONDS": "0.5"}).webhook_first_retry_seconds == 0.5
    for bad in ("0", "-1", "99999", "soon"):
        with pytest.raises(SystemExit, match="CHARGE_WEBHOOK_FIRST_RETRY_SECONDS"):
            Settings.from_env({"CHARGE_WEBHOOK_FIRST_RETRY_SECONDS": bad})


async def test_the_container_threads_the_first_retry_setting_to_the_sender():
    from dependency_injector import providers

    from application.webhooks import fan_out
    from tests.unit.rest.conftest import build_container

    container = build_container(webhook_first_retry_seconds=3.0)
    clock = FakeClock()
    container.core.clock.override(providers.Object(clock))
    receiver = Receiver(fail=1)
    container.adapters.webhook_sender.override(providers.Object(receiver))
    store = container.adapters.raw_uow_factory().__self__
    await _endpoint(store, clock, ("session.started",))
    event = _started(clock)
    async with store.unit_of_work() as uow:
        await uow.events.add([event])
        await uow.commit()
    await fan_out(event, uow_factory=store.unit_of_work, clock=clock)
    assert await container.use_cases.deliver_webhooks() == 1
    async with store.unit_of_work() as uow:
        [delivery] = (await uow.webhooks.list_deliveries(ORG, "we_1", _page())).items
    assert delivery.status is DeliveryStatus.PENDING and delivery.attempts == 1
    assert timedelta(seconds=1.5) <= delivery.next_attempt_at - clock.now() <= timedelta(seconds=3)


def test_a_refused_authorization_is_delivered_as_its_schema_says():
    from application.webhook_events import event_body
    from domain.fleets.events import AuthorizationRefused

    event = AuthorizationRefused(organization_id=f"org_{'0' * 26}", occurred_at=datetime(2026, 3, 2, 7, tzinfo=UTC),
                                 authorization_id="authz_1", charge_point_id="CP-1", id_tag="TAG-1",
                                 trigger="authorize", status="NotAtThisTime", reason="outside_time_window",
                                 detail=None, driver_id="drv_1", fleet_id="flt_1", vehicle_id=None,
                                 location_id="loc_1", connector_id=1)
    schema = json.loads((CONTRACTS / SCHEMAS["authorization.refused"]).read_text())
    body = event_body(event)
    jsonschema.validate(body, schema, format_checker=jsonschema.FormatChecker())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(body | {"data": body["data"] | {"reason": None}}, schema)


def test_every_schema_describes_exactly_its_events_fields():
    import attrs

    from domain.events import event_types

    known = event_types()
    for name, file in SCHEMAS.items():
        data = json.loads((CONTRACTS / file).read_text())["properties"]["data"]
        fields = {f.name for f in attrs.fields(known[name])} - {"id", "organization_id", "occurred_at"}
        assert set(data["properties"]) == fields, name


def test_dispute_and_payment_events_are_delivered_as_their_schemas_say():
    from application.webhook_events import event_body
    from domain.billing.events import InvoicePaymentFailed
    from domain.portal.events import DisputeOpened, DisputeResolved

    org, at = f"org_{'0' * 26}", datetime(2026, 3, 2, 7, tzinfo=UTC)
    for event in (DisputeOpened(organization_id=org, occurred_at=at, dispute_id="dsp_1", session_id=None,
                                driver_id="drv_1", source="driver"),
                  DisputeResolved(organization_id=org, occurred_at=at, dispute_id="dsp_1", outcome="accepted",
                                  refund_amount=Decimal("4.20"), currency="EUR"),
                  InvoicePaymentFailed(organization_id=org, occurred_at=at, invoice_id="inv_1", customer_id="cus_1",
                                       attempt=1, error="card_declined", next_attempt_at=at)):
        schema = json.loads((CONTRACTS / SCHEMAS[event.name]).read_text())
        jsonschema.validate(event_body(event), schema, format_checker=jsonschema.FormatChecker())
    assert {"dispute.created", "dispute.updated", "payment.failed", "authorization.refused"} <= set(SCHEMAS)


async def test_events_with_only_the_fan_out_are_fanned_out_before_the_commit_and_stored_handled(world):
    store, clock, dispatcher = world
    await _endpoint(store, clock, ("charge_point.status_changed", "session.completed"))
    status, completed = _events(clock)[3], _events(clock)[1]
    async with dispatcher.unit_of_work() as uow:
        await uow.events.add([status, completed])
        # Staged, not yet fanned out: the reaction runs as the unit of work commits, inside it.
        async with store.unit_of_work() as other:
            assert await other.webhooks.deliveries_of_event(ORG, status.id) == []
        await uow.commit()
        async with store.unit_of_work() as other:   # committed with the change, before any dispatch
            assert len(await other.webhooks.deliveries_of_event(ORG, status.id)) == 1
            assert (await other.events.get(ORG, status.id)).status is EventStatus.HANDLED
            assert await other.webhooks.deliveries_of_event(ORG, completed.id) == []
    async with store.unit_of_work() as uow:
        # session.completed has reactions of its own (pricing, facts): fanned out after the commit, as before.
        assert len(await uow.webhooks.deliveries_of_event(ORG, completed.id)) == 1
    assert await dispatcher.dispatch_pending() == 0


async def test_an_event_stored_outside_the_dispatcher_is_still_fanned_out_by_the_sweep(world):
    store, clock, dispatcher = world
    await _endpoint(store, clock, ("charge_point.status_changed",))
    status = _events(clock)[3]
    async with store.unit_of_work() as uow:      # a raw unit of work: the event is stored pending
        await uow.events.add([status])
        await uow.commit()
    assert await dispatcher.dispatch_pending() == 1
    receiver = Receiver()
    assert await deliver_due(uow_factory=store.unit_of_work, sender=receiver, clock=clock) == 1
    assert json.loads(receiver.got[0][2])["id"] == status.id


def test_only_events_whose_sole_reaction_is_the_fan_out_are_fanned_out_in_their_transaction():
    clock = FakeClock()
    within = {event.name for event in event_handlers.in_transaction(clock)}
    assert {"charge_point.status_changed", "session.started", "reservation.created"} <= within
    assert "session.completed" not in within and "invoice.finalized" not in within
    # An event with no reaction in this wiring is the dispatcher's too (a new default card retries collection
    # when payments are configured: settling it at once would lose that retry).
    payments = PaymentProviders([BankTransferProvider()])
    with_payments = {event.name for event in event_handlers.in_transaction(clock, payments)}
    assert DefaultPaymentMethodChanged.name not in within | with_payments
    assert with_payments == within
