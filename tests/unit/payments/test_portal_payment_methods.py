"""A driver's payment methods in the portal, on the fakes: a card saved through a SetupIntent on the driver's own
account (made the first time), bank mandates, the default and removal, the same rules as the operator's (a pending
card is no default; a new default pays what a declined card left open), and isolation: another driver's method,
or another organization's, is a 404, and a driver billed to an operator-managed account adds none."""

from __future__ import annotations

import functools
from types import SimpleNamespace

import pytest
from attrs import evolve

from application import portal_payment_methods
from application.payment_methods import MethodRequest
from application.portal_access import DriverActor
from application.portal_payment_methods import MyMethodRequest
from domain.billing.customers import Customer
from domain.billing.invoices import InvoiceStatus
from domain.billing.payment_methods import MethodStatus
from domain.errors import Conflict, InvalidInput, InvalidState, NotFound
from domain.identity import Organization
from domain.ids import PREFIXES, new_id
from domain.network import Driver
from tests.unit.payments.fake_stripe import DECLINE, OK
from tests.unit.payments.world import ACTOR, ORG, build, deliver, finalized_invoice, organization

IBAN, OTHER_IBAN = "DE89 3704 0044 0532 0130 00", "GB33BUKB20201555555555"


def _portal(world: SimpleNamespace) -> SimpleNamespace:
    """The portal's use cases bound as the container binds them."""
    p = functools.partial
    kw = {"uow_factory": world.uow, "providers": world.providers, "clock": world.clock}
    return SimpleNamespace(list=p(portal_payment_methods.my_payment_methods, **kw),
                           add=p(portal_payment_methods.add_my_payment_method, **kw),
                           remove=p(portal_payment_methods.remove_my_payment_method, **kw),
                           default=p(portal_payment_methods.make_my_payment_method_default, **kw))


def _as(driver: Driver, organization_id: str = ORG) -> DriverActor:
    return DriverActor(driver_id=driver.id, organization_id=organization_id, token_id="ptk_x")


async def _card(world: SimpleNamespace, me: DriverActor, number: str = OK) -> str:
    """A card the driver saves: started in the portal, confirmed in the browser (Stripe.js), its webhook."""
    started = await _portal(world).add(me, MyMethodRequest())
    assert started.status is MethodStatus.PENDING and started.client_secret
    world.stripe.confirm_setup(started.setup_reference, number)
    await deliver(world)
    return started.id


async def test_a_drivers_first_card_is_saved_on_their_own_account_and_is_the_default():
    world = build()
    (grace, _) = await organization(world)
    portal, me = _portal(world), _as(grace)
    assert await portal.list(me) == []                      # no account yet: nothing, and none made by reading
    async with world.uow(read_only=True) as uow:
        assert await uow.customers.find_by_driver(ORG, grace.id) is None
    method_id = await _card(world, me)
    (method,) = await portal.list(me)
    assert (method.id, method.status, method.is_default, method.last4) == (method_id, MethodStatus.ACTIVE, True,
                                                                           "4242")
    async with world.uow(read_only=True) as uow:
        own = await uow.customers.find_by_driver(ORG, grace.id)
    assert method.customer_id == own.id
    assert [m.id for m in await world.list_methods(own.id, ACTOR, ORG)] == [method_id]   # the operator's view


async def test_a_card_confirmed_without_its_webhook_is_active_when_the_driver_lists():
    world = build()
    (grace, _) = await organization(world)
    portal, me = _portal(world), _as(grace)
    started = await portal.add(me, MyMethodRequest())
    world.stripe.confirm_setup(started.setup_reference, OK, send_event=False)
    (method,) = await portal.list(me)
    assert method.status is MethodStatus.ACTIVE and method.is_default and method.client_secret is None


async def test_the_driver_chooses_the_default_and_removes_methods_with_the_operators_rules():
    world = build()
    (grace, _) = await organization(world)
    portal, me = _portal(world), _as(grace)
    first = await _card(world, me)
    second = await _card(world, me, DECLINE)
    pending = await portal.add(me, MyMethodRequest())
    with pytest.raises(InvalidState):
        await portal.default(me, pending.id)                 # a card not confirmed yet is no default
    chosen = await portal.default(me, second)
    assert chosen.is_default
    listed = {m.id: m.is_default for m in await portal.list(me)}
    assert listed == {first: False, second: True, pending.id: False}
    (provider_customer,) = world.stripe.customers.values()
    assert provider_customer["default"] == world.stripe.setups[next(
        s for s, v in world.stripe.setups.items() if v["payment_method"] and
        world.stripe.methods[v["payment_method"]]["number"] == DECLINE)]["payment_method"]
    await portal.remove(me, first)
    assert {m.id for m in await portal.list(me)} == {second, pending.id}
    assert not any(m["customer"] and m["number"] == OK for m in world.stripe.methods.values())   # detached there
    with pytest.raises(NotFound):
        await portal.remove(me, first)                      # gone
    with pytest.raises(NotFound):
        await portal.default(me, first)


async def test_a_new_default_chosen_in_the_portal_pays_what_a_declined_card_left_open():
    world = build()
    (grace, _) = await organization(world)
    portal, me = _portal(world), _as(grace)
    await _card(world, me, DECLINE)
    invoice = await finalized_invoice(world, grace)
    assert invoice.status is InvoiceStatus.OPEN and invoice.last_payment_error == "insufficient_funds"
    good = await _card(world, me, OK)
    await portal.default(me, good)
    paid = (await world.get_invoice(invoice.id, ACTOR, ORG)).invoice
    assert paid.status is InvoiceStatus.PAID and paid.payment_attempts == 2


async def test_bank_mandates_without_stripe_are_active_at_once_and_a_bad_iban_names_the_field():
    world = build(stripe=False)
    (grace, _) = await organization(world)
    portal, me = _portal(world), _as(grace)
    mandate = await portal.add(me, MyMethodRequest(iban=IBAN, holder="Grace Hopper"))
    assert (mandate.status, mandate.is_default, mandate.provider) == (MethodStatus.ACTIVE, True, "bank_transfer")
    other = await portal.add(me, MyMethodRequest(iban=OTHER_IBAN))
    assert not other.is_default
    await portal.default(me, other.id)
    assert {m.id: m.is_default for m in await portal.list(me)} == {mandate.id: False, other.id: True}
    with pytest.raises(InvalidInput) as refused:
        await portal.add(me, MyMethodRequest(iban="DE00370400440532013000"))
    assert [e.field for e in refused.value.errors] == ["iban"]
    assert len(await portal.list(me)) == 2


async def test_another_drivers_or_organizations_method_is_a_404_and_lists_are_each_ones_own():
    world = build(stripe=False)
    (grace, hank) = await organization(world)
    portal = _portal(world)
    mine = await portal.add(_as(grace), MyMethodRequest(iban=IBAN))
    theirs = await portal.add(_as(hank), MyMethodRequest(iban=OTHER_IBAN))
    assert [m.id for m in await portal.list(_as(grace))] == [mine.id]
    assert [m.id for m in await portal.list(_as(hank))] == [theirs.id]
    # A driver of another organization, and a driver with no account yet, reach neither.
    async with world.uow() as uow:
        other_org = Organization.create(id="org_01JD00000000000000000000ZZ", name="Elsewhere", country="GB",
                                        contact_email="ops@elsewhere.example", now=world.clock.now())
        await uow.organizations.add(other_org)
        stranger = Driver(id=new_id(PREFIXES["driver"]), organization_id=other_org.id, name="Stranger",
                          created_at=world.clock.now(), email="stranger@example.com")
        await uow.drivers.add(stranger)
        await uow.commit()
    newcomer = await organization_driver(world, "Newcomer")
    for intruder in (_as(hank), _as(stranger, other_org.id), _as(newcomer)):
        with pytest.raises(NotFound):
            await portal.remove(intruder, mine.id)
        with pytest.raises(NotFound):
            await portal.default(intruder, mine.id)
    assert [(m.id, m.is_default, m.status) for m in await portal.list(_as(grace))] == [
        (mine.id, True, MethodStatus.ACTIVE)]
    assert await portal.list(_as(newcomer)) == []


async def test_a_driver_billed_to_an_operator_managed_account_adds_no_method_there_or_on_their_own():
    world = build(stripe=False)
    (grace, _) = await organization(world)
    async with world.uow() as uow:
        company = Customer(id=new_id(PREFIXES["customer"]), organization_id=ORG, name="Acme Fleet Ltd",
                           email="accounts@acme.example", created_at=world.clock.now())
        await uow.customers.add(company)
        await uow.drivers.save(evolve(grace, customer_id=company.id))
        await uow.commit()
    operator_method = await world.save_method(MethodRequest(company.id, iban=IBAN), ACTOR, ORG)
    portal, me = _portal(world), _as(grace)
    with pytest.raises(Conflict):
        await portal.add(me, MyMethodRequest(iban=OTHER_IBAN))
    assert await portal.list(me) == []                       # the company's methods are not hers
    for act in (portal.remove, portal.default):
        with pytest.raises(NotFound):
            await act(me, operator_method.id)


async def organization_driver(world: SimpleNamespace, name: str) -> Driver:
    """One more driver of the organization."""
    async with world.uow() as uow:
        driver = Driver(id=new_id(PREFIXES["driver"]), organization_id=ORG, name=name, created_at=world.clock.now(),
                        email=f"{name.lower()}@example.com")
        await uow.drivers.add(driver)
        await uow.commit()
    return driver
