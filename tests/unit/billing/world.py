"""A billing world on the in-memory fakes: an organization ready to invoice, drivers, and priced sessions
stored as the pricing handler stores them (so the billing handlers book them), with the use cases bound."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

from attrs import evolve

from adapters.memory import InMemoryStore
from application import customers, event_handlers, invoice_runs, invoices, ledger, mail_relay
from application.authorization import Actor
from application.events import EventDispatcher
from domain.billing.invoices import Address
from domain.billing.settings import BillingSettings
from domain.charging import ChargingSession, SessionStatus
from domain.identity import Organization, Role
from domain.ids import PREFIXES, new_id
from domain.money import Money
from domain.network import ChargePoint, Driver, Location
from domain.pricing import MembershipPlan, SessionCost, Subscription
from domain.tariffs import parse_tariff, quote_profile, rate
from tests.fakes import CapturingMailer, FakeClock

ORG = "org_01JD0000000000000000000000"
ACTOR = Actor(api_key_id="key_01JD0000000000000000000000", api_key_organization_id=ORG, api_key_role=Role.ADMIN)
CHARGE_POINT = "CP-BILLING-1"
ADDRESS = Address("1 Quay Street", "BS1 4DJ", "Bristol", "GB")


class FakeDocuments:
    """The InvoiceDocuments port as recognisable bytes (the real adapter renders EN 16931 CII and Factur-X)."""

    def xml(self, invoice) -> bytes:
        return f'<?xml version="1.0"?><fake-invoice number="{invoice.number}"/>'.encode()

    def pdf(self, invoice) -> bytes:
        return f"%PDF-1.7\n% fake invoice {invoice.number} {invoice.total} {invoice.currency}\n%%EOF\n".encode()


def tariff(vat: str | None, price: str = "0.30", flat: str | None = None):
    components = [{"type": "ENERGY", "price": price, "step_size": 1} | ({"vat": vat} if vat else {})]
    if flat:
        components.append({"type": "FLAT", "price": flat, "step_size": 1} | ({"vat": vat} if vat else {}))
    return parse_tariff({"currency": "GBP", "elements": [{"price_components": components}]})


def build(now: datetime = datetime(2026, 4, 15, 9, tzinfo=UTC), storage: object = None,
          **billing: object) -> SimpleNamespace:
    """The world on ``storage`` (an ``InMemoryStore`` or a ``Database``), a fresh in-memory one by default."""
    clock = FakeClock(now)
    store = storage if storage is not None else InMemoryStore(now=clock.now)
    dispatcher = EventDispatcher(store.unit_of_work, clock, event_handlers.handlers(clock))
    uow = dispatcher.unit_of_work
    documents, mailer = FakeDocuments(), CapturingMailer()
    p = functools.partial
    return SimpleNamespace(
        store=store, clock=clock, uow=uow, dispatcher=dispatcher, documents=documents, mailer=mailer,
        settings=BillingSettings(legal_name="Voltline Ltd", billing_address=ADDRESS, vat_id="GB980780684",
                                 iban="GB33BUKB20201555555555", bic="BUKBGB22", **billing),
        create_customer=p(customers.create_customer, uow_factory=uow, clock=clock, tax_ids=_tax_ids()),
        balance=p(customers.customer_balance, uow_factory=uow),
        run_period=p(invoice_runs.run_period, uow_factory=uow, clock=clock),
        finalize=p(invoices.finalize_invoice, uow_factory=uow, clock=clock),
        void=p(invoices.void_invoice, uow_factory=uow, clock=clock),
        uncollectible=p(invoices.mark_uncollectible, uow_factory=uow, clock=clock),
        pay=p(invoices.record_payment, uow_factory=uow, clock=clock),
        credit=p(invoices.issue_credit_note, uow_factory=uow, clock=clock),
        get_invoice=p(invoices.get_invoice, uow_factory=uow),
        trial_balance=p(ledger.trial_balance, uow_factory=uow),
        transactions=p(ledger.list_transactions, uow_factory=uow),
        relay=p(mail_relay.relay_due_emails, uow_factory=uow, mailer=mailer, clock=clock,
                attachments=invoices.InvoiceAttachments(uow_factory=uow, documents=documents)),
    )


def _tax_ids():
    from adapters.registries import StdnumTaxIds

    return StdnumTaxIds()


async def setup(world: SimpleNamespace, drivers: int = 2) -> list[Driver]:
    """The organization with its billing settings, and ``drivers`` drivers with emails."""
    async with world.uow() as uow:
        organization = Organization.create(id=ORG, name="Voltline", country="GB", contact_email="ops@voltline.example",
                                           now=world.clock.now())
        organization.settings = evolve(organization.settings, billing=world.settings)
        await uow.organizations.add(organization)
        location = Location(id=new_id(PREFIXES["location"]), organization_id=ORG, name="Harbour Depot",
                            address="1 Quay Street", city="Bristol", country="GB", timezone="Europe/London",
                            created_at=world.clock.now())
        await uow.locations.add(location)
        await uow.charge_points.add(ChargePoint(id=CHARGE_POINT, organization_id=ORG, location_id=location.id,
                                                created_at=world.clock.now()))
        made = [Driver(id=new_id(PREFIXES["driver"]), organization_id=ORG, name=f"Driver {i}",
                       created_at=world.clock.now(), email=f"driver{i}@example.com") for i in range(drivers)]
        for driver in made:
            await uow.drivers.add(driver)
        await uow.commit()
    return made


async def priced_session(world: SimpleNamespace, driver: Driver | None, started: datetime, energy: Decimal,
                         vat: str | None = "20", flat: str | None = None) -> ChargingSession:
    """A completed session priced by an energy tariff, stored with its SessionPriced event (as pricing does)."""
    stopped = started + timedelta(hours=1)
    breakdown = rate(tariff(vat, flat=flat), quote_profile(started, stopped, energy), UTC).rounded()
    session = ChargingSession(id=new_id(PREFIXES["session"]), organization_id=ORG, charge_point_id=CHARGE_POINT,
                              transaction_id=new_id("tx"), status=SessionStatus.COMPLETED,
                              driver_id=driver.id if driver else None, started_at=started, stopped_at=stopped,
                              meter_start_wh=Decimal(0), meter_stop_wh=energy * 1000)
    session.priced(SessionCost.of(breakdown), world.clock.now())
    async with world.uow() as uow:
        await uow.sessions.add(session)
        await uow.commit()
    return session


async def subscribe(world: SimpleNamespace, driver: Driver, fee: str, starts_at: datetime,
                    ends_at: datetime | None = None, currency: str = "GBP") -> Subscription:
    """The driver on a membership plan of ``fee`` a month (a 10 % discount plan) from ``starts_at``."""
    plan = MembershipPlan(id=new_id(PREFIXES["plan"]), organization_id=ORG, name="Commuter",
                          monthly_fee=Money(Decimal(fee), currency), created_at=world.clock.now(),
                          discount_percent=Decimal(10))
    subscription = Subscription(id=new_id(PREFIXES["subscription"]), organization_id=ORG, plan_id=plan.id,
                                driver_id=driver.id, starts_at=starts_at, created_at=world.clock.now(),
                                ends_at=ends_at)
    async with world.uow() as uow:
        await uow.plans.add(plan)
        await uow.subscriptions.add(subscription)
        await uow.commit()
    return subscription
