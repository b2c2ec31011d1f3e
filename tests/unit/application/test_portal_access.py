"""Portal access on the in-memory fakes: magic links (same answer, once, expiring, throttled), portal tokens
(scoped, revocable), and the evidence pruning that spares disputed sessions."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from adapters.memory import InMemoryStore
from adapters.security.login_throttle import InMemoryLoginThrottle
from application import evidence, portal_access
from application.authorization import Actor
from application.ports.portal import OcppFrame
from domain.charging import ChargingSession, MeterSample, SessionStatus
from domain.errors import Forbidden, RateLimited, Unauthenticated
from domain.identity import Organization, Role
from domain.money import Money
from domain.network import Driver
from domain.portal import Dispute
from tests.fakes import FakeClock


@pytest.fixture
def world():
    clock = FakeClock()
    store = InMemoryStore(now=clock.now)
    org = Organization.create(id="org_01JD000000000000000000000A", name="Voltline", country="GB",
                              contact_email="ops@voltline.example", now=clock.now())
    driver = Driver(id="drv_01JD000000000000000000000A", organization_id=org.id, name="Grace",
                    created_at=clock.now(), email="grace@example.com")
    store.tables["organizations"][org.id] = org
    store.tables["drivers"][driver.id] = driver
    throttle = InMemoryLoginThrottle(max_per_email=3, max_per_address=10, window_seconds=600)
    return clock, store, org, driver, throttle


async def _ask(store, clock, throttle, email="grace@example.com", address="10.0.0.1"):
    await portal_access.request_magic_link(email, address, uow_factory=store.unit_of_work, clock=clock,
                                           throttle=throttle, public_url="https://charge.example")


def _links(store) -> list[str]:
    return [re.search(r"/portal/sign-in/(\S+)", e.message.text).group(1) for e in store.tables["outbox"].values()]


async def test_a_magic_link_signs_in_once_before_it_expires(world):
    clock, store, org, driver, throttle = world
    await _ask(store, clock, throttle, email="nobody@example.com")
    assert _links(store) == []                       # same answer, nothing sent, nothing stored
    await _ask(store, clock, throttle, email="Grace@Example.com")
    [link] = _links(store)
    issued = await portal_access.exchange_magic_link(link, uow_factory=store.unit_of_work, clock=clock)
    actor = await portal_access.authenticate_driver(issued.secret, uow_factory=store.unit_of_work, clock=clock)
    assert (actor.driver_id, actor.organization_id) == (driver.id, org.id)
    with pytest.raises(Unauthenticated):
        await portal_access.exchange_magic_link(link, uow_factory=store.unit_of_work, clock=clock)
    await _ask(store, clock, throttle)
    late = _links(store)[-1]
    clock.advance(minutes=16)
    with pytest.raises(Unauthenticated):
        await portal_access.exchange_magic_link(late, uow_factory=store.unit_of_work, clock=clock)


async def test_asking_too_often_is_throttled_whether_or_not_the_email_is_known(world):
    clock, store, _, _, throttle = world
    for email in ("grace@example.com", "nobody@example.com"):
        for _ in range(3):
            await _ask(store, clock, throttle, email=email)
        with pytest.raises(RateLimited):
            await _ask(store, clock, throttle, email=email)


async def test_a_revoked_token_stops_at_once_and_operator_credentials_are_no_driver(world):
    clock, store, org, driver, _ = world
    admin = Actor(api_key_id="key_1", api_key_organization_id=org.id, api_key_role=Role.ADMIN)
    issued = await portal_access.issue_portal_token(driver.id, admin, org.id, uow_factory=store.unit_of_work,
                                                    clock=clock)
    await portal_access.authenticate_driver(issued.secret, uow_factory=store.unit_of_work, clock=clock)
    await portal_access.revoke_portal_token(driver.id, issued.token.id, admin, org.id, uow_factory=store.unit_of_work,
                                            clock=clock)
    with pytest.raises(Unauthenticated):
        await portal_access.authenticate_driver(issued.secret, uow_factory=store.unit_of_work, clock=clock)
    for operator in ("ck_something", "cat_something"):
        with pytest.raises(Forbidden):
            await portal_access.authenticate_driver(operator, uow_factory=store.unit_of_work, clock=clock)


async def test_pruning_keeps_a_disputed_session_and_recent_evidence(world):
    clock, store, org, driver, _ = world
    old = clock.now() - timedelta(days=90 + 366)
    for sid, txn in (("ses_A", "1"), ("ses_B", "2")):
        store.tables["sessions"][sid] = ChargingSession(id=sid, organization_id=org.id, charge_point_id="CP",
                                                        transaction_id=txn, status=SessionStatus.COMPLETED,
                                                        driver_id=driver.id, started_at=old, stopped_at=old)
        store.tables["samples"][sid] = {"k": MeterSample(old, "Energy.Active.Import.Register", Decimal(1), "Wh")}
        for n in range(2):
            frame = OcppFrame(f"frm_{sid}{n}", org.id, "CP", txn, old, "in", "StopTransaction", "[2]")
            store.tables["ocpp_frames"][frame.id] = frame
    store.tables["disputes"]["dsp_B"] = Dispute.file(
        id="dsp_B", organization_id=org.id, session_id="ses_B", driver_id=driver.id, description="x",
        expected_cost=Money(Decimal(0), "GBP"), billed=None, session_ended_at=old, window_days=9999, now=old)
    removed = await evidence.prune_evidence(uow_factory=store.unit_of_work, clock=clock)
    assert removed == 3
    assert {f.transaction_id for f in store.tables["ocpp_frames"].values()} == {"2"}
    assert set(store.tables["samples"]) == {"ses_B"}
    assert await evidence.prune_evidence(uow_factory=store.unit_of_work, clock=clock) == 0
