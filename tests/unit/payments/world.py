"""A payments world on the in-memory fakes: the billing world's organization and sessions, collecting through
the fake Stripe (or bank transfer alone), with the collection use cases bound as the container binds them."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace

from adapters.memory import InMemoryStore
from adapters.payments import BankTransferProvider, StatementFiles
from application import (
    bank_statements,
    collection,
    event_handlers,
    invoice_runs,
    invoices,
    ledger,
    payment_methods,
    provider_events,
    reconciliation,
    refunds,
)
from application.customers import customer_of_driver
from application.events import EventDispatcher
from application.pagination import PageRequest
from application.payment_methods import MethodRequest
from application.payment_providers import PaymentProviders
from application.ports.billing import InvoiceFilter
from domain.billing.invoices import Invoice, InvoiceKind
from domain.billing.ledger import PAYMENT_CLEARING
from domain.billing.periods import BillingPeriod
from domain.billing.settings import BillingSettings
from tests.fakes import FakeClock
from tests.unit.billing.world import ACTOR, ADDRESS, ORG, priced_session, setup
from tests.unit.payments.fake_stripe import OK, FakeStripe

__all__ = ["ACTOR", "ORG", "build", "card_customer", "finalized_invoice", "ledger_balance"]


def build(*, stripe: bool = True, now: datetime = datetime(2026, 4, 15, 9, tzinfo=UTC), storage: object = None,
          **billing: object) -> SimpleNamespace:
    """The world on ``storage`` (an ``InMemoryStore`` or a ``Database``), a fresh in-memory one by default."""
    clock = FakeClock(now)
    store = storage if storage is not None else InMemoryStore(now=clock.now)
    fake = FakeStripe() if stripe else None
    providers = PaymentProviders([BankTransferProvider(), fake])
    dispatcher = EventDispatcher(store.unit_of_work, clock, event_handlers.handlers(clock, providers))
    uow = dispatcher.unit_of_work
    p = functools.partial
    return SimpleNamespace(
        store=store, clock=clock, uow=uow, dispatcher=dispatcher, stripe=fake, providers=providers,
        settings=BillingSettings(legal_name="Voltline Ltd", billing_address=ADDRESS, vat_id="GB980780684",
                                 iban="GB33BUKB20201555555555", bic="BUKBGB22",
                                 payment_provider="stripe" if stripe else "bank_transfer", **billing),
        run_period=p(invoice_runs.run_period, uow_factory=uow, clock=clock),
        finalize=p(invoices.finalize_invoice, uow_factory=uow, clock=clock),
        get_invoice=p(invoices.get_invoice, uow_factory=uow),
        pay=p(invoices.record_payment, uow_factory=uow, clock=clock),
        trial_balance=p(ledger.trial_balance, uow_factory=uow),
        save_method=p(payment_methods.start_saving_method, uow_factory=uow, providers=providers, clock=clock),
        list_methods=p(payment_methods.list_methods, uow_factory=uow, providers=providers, clock=clock),
        detach_method=p(payment_methods.detach_method, uow_factory=uow, providers=providers, clock=clock),
        set_default=p(payment_methods.set_default_method, uow_factory=uow, providers=providers, clock=clock),
        retry_due=p(collection.retry_due_collections, uow_factory=uow, providers=providers, clock=clock),
        attempt=p(collection.attempt_collection, uow_factory=uow, providers=providers, clock=clock),
        refund=p(refunds.refund_invoice, uow_factory=uow, providers=providers, clock=clock),
        webhook=p(provider_events.receive_stripe_event, uow_factory=uow, providers=providers, clock=clock),
        import_statement=p(bank_statements.import_statement, uow_factory=uow, reader=StatementFiles(), clock=clock),
        reconcile=p(reconciliation.reconcile, uow_factory=uow),
    )


async def organization(world: SimpleNamespace, drivers: int = 2):
    """The organization (its billing settings, collecting through the world's provider) and its drivers."""
    return await setup(world, drivers=drivers)


async def deliver(world: SimpleNamespace) -> list[str]:
    """Every webhook the fake Stripe has queued, in order; what each answered."""
    results = []
    while world.stripe.outbox:
        payload, headers = world.stripe.outbox.pop(0)
        results.append((await world.webhook(payload, headers)).value)
    return results


async def card_customer(world: SimpleNamespace, driver, number: str = OK) -> tuple[str, str]:
    """The driver's customer with a card saved through a SetupIntent (confirmed as Stripe.js would): its id and
    the saved method's id."""
    async with world.uow() as uow:
        organization = await uow.organizations.get(ORG)
        customer = await customer_of_driver(uow, organization, await uow.drivers.get(ORG, driver.id), world.clock)
        await uow.commit()
    method = await world.save_method(MethodRequest(customer.id), ACTOR, ORG)
    world.stripe.confirm_setup(method.setup_reference, number)
    await deliver(world)
    return customer.id, method.id


async def finalized_invoice(world: SimpleNamespace, driver, energy: str = "10", month: str = "2026-03") -> Invoice:
    """A session of the driver's in ``month``, invoiced and finalized (collection runs on finalization)."""
    period = BillingPeriod.month(month)
    await priced_session(world, driver, datetime.combine(period.start, datetime.min.time(), UTC).replace(hour=10),
                         Decimal(energy))
    await world.run_period(ORG, period, finalize=True)
    async with world.uow(read_only=True) as uow:
        customer = await uow.customers.find_by_driver(ORG, driver.id)
        page = await uow.invoices.list(ORG, InvoiceFilter(customer_id=customer.id, period_start=period.start,
                                                          kind=InvoiceKind.INVOICE), PageRequest(limit=10))
    (invoice,) = page.items
    return (await world.get_invoice(invoice.id, ACTOR, ORG)).invoice


async def ledger_balance(world: SimpleNamespace, account: str = PAYMENT_CLEARING, currency: str = "GBP") -> Decimal:
    trial = await world.trial_balance(ACTOR, ORG, None)
    return sum((row.debits - row.credits for row in trial.accounts if row.account == account
                and row.currency == currency), Decimal(0))
