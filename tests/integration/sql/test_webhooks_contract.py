"""The webhook repository on every adapter (memory, SQLite, PostgreSQL): endpoints round-trip with their
secrets, fan-out is idempotent, deliveries are claimed with a lease, attempts are logged in order, an endpoint
failing until a delivery is given up is disabled and its organization emailed, deletion takes its log along."""

from __future__ import annotations

from datetime import timedelta

from application import event_handlers
from application.events import EventDispatcher
from application.pagination import PageRequest
from application.ports import UnitOfWorkFactory
from application.ports.events import EventStatus
from application.ports.webhooks import Response
from application.webhooks import deliver_due, fan_out
from domain.charging.events import SessionStarted
from domain.webhooks import DeliveryStatus, EndpointStatus, WebhookEndpoint
from tests.fakes import FakeClock
from tests.integration.sql.builders import an_organization
from tests.integration.sql.seeding import seed


class Failing:
    def __init__(self, fail: int) -> None:
        self.fail, self.posts = fail, 0

    async def check(self, url: str) -> None:
        return None

    async def post(self, url, body, headers):
        self.posts += 1
        if self.fail:
            self.fail -= 1
            return Response(None, "ConnectError: refused", 5)
        return Response(200, None, 4, "ok")


def _started(organization_id: str, clock: FakeClock) -> SessionStarted:
    return SessionStarted(organization_id=organization_id, occurred_at=clock.now(), session_id="ses_1",
                          charge_point_id="CP-1", transaction_id="1", connector_id=1, evse_id=None, id_tag=None,
                          driver_id=None)


async def _setup(uow_factory: UnitOfWorkFactory, clock: FakeClock):
    organization = an_organization()
    await seed(uow_factory, organization)
    now = clock.now()
    endpoint = WebhookEndpoint(id="we_01JD0000000000000000000001", organization_id=organization.id,
                               url="https://hooks.example/x", events=("session.started",), description="ops",
                               created_at=now, updated_at=now)
    endpoint.rotate("whsec_a", now, timedelta(0))
    endpoint.rotate("whsec_b", now, timedelta(hours=1))
    async with uow_factory() as uow:
        await uow.webhooks.add_endpoint(endpoint)
        await uow.commit()
    return organization, endpoint


class TestWebhooks:
    async def test_fan_out_claims_attempts_and_retries(self, uow_factory: UnitOfWorkFactory) -> None:
        clock = FakeClock()
        organization, endpoint = await _setup(uow_factory, clock)
        async with uow_factory(read_only=True) as uow:
            stored = await uow.webhooks.get_endpoint(organization.id, endpoint.id)
            assert stored == endpoint
            assert stored.signing_secrets(clock.now()) == ["whsec_b", "whsec_a"]
            assert await uow.webhooks.get_endpoint(an_organization().id, endpoint.id) is None
        dispatcher = EventDispatcher(uow_factory, clock, event_handlers.handlers(clock),
                                     in_transaction=event_handlers.in_transaction(clock))
        event = _started(organization.id, clock)
        async with dispatcher.unit_of_work() as uow:
            await uow.events.add([event])
            await uow.commit()
        await fan_out(event, uow_factory=uow_factory, clock=clock)        # a sweep's second run adds nothing
        sender = Failing(fail=1)
        assert await deliver_due(uow_factory=uow_factory, sender=sender, clock=clock) == 1
        clock.advance(seconds=31)
        assert await deliver_due(uow_factory=uow_factory, sender=sender, clock=clock) == 1
        async with uow_factory(read_only=True) as uow:
            [delivery] = (await uow.webhooks.list_deliveries(organization.id, endpoint.id, PageRequest())).items
            attempts = (await uow.webhooks.attempts_of([delivery.id]))[delivery.id]
            assert [d.id for d in await uow.webhooks.deliveries_of_event(organization.id, event.id)] == [delivery.id]
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.SUCCEEDED, 2)
        assert [(a.number, a.status_code, a.error) for a in attempts] == [(1, None, "ConnectError: refused"),
                                                                          (2, 200, None)]

    async def test_an_event_is_fanned_out_in_the_transaction_that_stores_it(self,
                                                                          uow_factory: UnitOfWorkFactory) -> None:
        clock = FakeClock()
        organization, endpoint = await _setup(uow_factory, clock)
        dispatcher = EventDispatcher(uow_factory, clock, event_handlers.handlers(clock),
                                     in_transaction=event_handlers.in_transaction(clock))
        kept, dropped = _started(organization.id, clock), _started(organization.id, clock)
        async with dispatcher.unit_of_work() as uow:
            await uow.events.add([dropped])
            await uow.rollback()
        async with dispatcher.unit_of_work() as uow:
            await uow.events.add([kept])
            await uow.commit()
            async with uow_factory(read_only=True) as other:
                # Committed with the change, before any dispatch: the delivery, and the event already handled.
                assert [d.endpoint_id for d in
                        await other.webhooks.deliveries_of_event(organization.id, kept.id)] == [endpoint.id]
                stored = await other.events.get(organization.id, kept.id)
                assert stored is not None and stored.status is EventStatus.HANDLED
        async with uow_factory(read_only=True) as uow:
            assert await uow.events.get(organization.id, dropped.id) is None
            assert await uow.webhooks.deliveries_of_event(organization.id, dropped.id) == []
        assert await dispatcher.dispatch_pending() == 0

    async def test_a_lease_keeps_a_claimed_delivery_from_a_second_sender(self, uow_factory: UnitOfWorkFactory) -> None:
        clock = FakeClock()
        organization, _ = await _setup(uow_factory, clock)
        await fan_out(_started(organization.id, clock), uow_factory=uow_factory, clock=clock)
        now = clock.now()
        async with uow_factory() as uow:
            assert len(await uow.webhooks.claim_deliveries(now, now + timedelta(minutes=1), 10)) == 1
            await uow.commit()
        async with uow_factory() as uow:
            assert await uow.webhooks.claim_deliveries(now + timedelta(seconds=30), now, 10) == []
            assert len(await uow.webhooks.claim_deliveries(now + timedelta(minutes=2), now, 10)) == 1

    async def test_failing_until_given_up_disables_emails_and_deletion_clears(self,
                                                                              uow_factory: UnitOfWorkFactory) -> None:
        clock = FakeClock()
        organization, endpoint = await _setup(uow_factory, clock)
        event = _started(organization.id, clock)
        async with uow_factory() as uow:
            await uow.events.add([event])
            await uow.commit()
        await fan_out(event, uow_factory=uow_factory, clock=clock)
        sender = Failing(fail=10_000)
        for _ in range(100):
            await deliver_due(uow_factory=uow_factory, sender=sender, clock=clock)
            clock.advance(hours=1)
        async with uow_factory(read_only=True) as uow:
            stored = await uow.webhooks.endpoint(endpoint.id)
            emails = (await uow.outbox.list(PageRequest())).items
        assert stored is not None and stored.status is EndpointStatus.DISABLED
        assert [e.message.to for e in emails] == [organization.settings.billing_email]
        assert endpoint.url in emails[0].message.subject
        async with uow_factory() as uow:
            await uow.webhooks.delete_endpoint(organization.id, endpoint.id)
            await uow.commit()
        async with uow_factory(read_only=True) as uow:
            assert await uow.webhooks.endpoint(endpoint.id) is None
            assert (await uow.webhooks.list_deliveries(organization.id, endpoint.id, PageRequest())).items == []

    async def test_subscribed_sees_the_endpoints_this_unit_of_work_changed(
            self, uow_factory: UnitOfWorkFactory) -> None:
        clock = FakeClock()
        organization, endpoint = await _setup(uow_factory, clock)
        async with uow_factory() as uow:
            assert [e.id for e in await uow.webhooks.subscribed(organization.id, "session.started")] == [endpoint.id]
            assert await uow.webhooks.subscribed(organization.id, "session.completed") == []
            endpoint.disable(clock.now())
            await uow.webhooks.save_endpoint(endpoint)
            assert await uow.webhooks.subscribed(organization.id, "session.started") == []
            await uow.webhooks.delete_endpoint(organization.id, endpoint.id)
            second = WebhookEndpoint(id="we_01JD0000000000000000000002", organization_id=organization.id,
                                     url="https://hooks.example/y", events=("session.started",), description="",
                                     created_at=clock.now(), updated_at=clock.now())
            second.rotate("whsec_c", clock.now(), timedelta(0))
            await uow.webhooks.add_endpoint(second)
            assert [e.id for e in await uow.webhooks.subscribed(organization.id, "session.started")] == [second.id]
