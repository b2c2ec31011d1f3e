"""Customers (billing accounts): who pays. Created by operators, or made for a driver or a fleet that names none
the first time one of its sessions is billed; their balances come from the ledger.

Who pays for a session: the customer its driver names; else, when the session started in a fleet, the fleet's
(the customer it names, else its own); else the driver's own."""

from __future__ import annotations

from decimal import Decimal

from attrs import evolve, frozen

from application.authorization import Action, Actor, authorize
from application.pagination import Page, PageRequest
from application.ports import Clock, UnitOfWork, UnitOfWorkFactory
from application.ports.registries import TaxIds
from domain.billing.customers import Customer, InvoiceDelivery
from domain.billing.invoices import Address
from domain.billing.ledger import UNBILLED_RECEIVABLE, receivable
from domain.charging import ChargingSession
from domain.errors import NotFound
from domain.fleets import Fleet
from domain.identity import Organization
from domain.ids import PREFIXES, new_id
from domain.network import Driver
from domain.validation import normalize_email


@frozen
class CustomerDetails:
    """What an operator gives (a PUT replaces all of it)."""

    name: str
    email: str
    billing_address: Address | None = None
    tax_id: str | None = None
    currency: str | None = None
    payment_terms_days: int | None = None
    invoice_delivery: InvoiceDelivery = InvoiceDelivery.EMAIL


@frozen
class CurrencyBalance:
    currency: str
    invoiced_outstanding: Decimal     # owed on finalized invoices (negative: the customer is in credit)
    unbilled: Decimal                 # priced sessions not on a finalized invoice yet (excl. VAT)


@frozen
class CustomerBalance:
    customer_id: str
    balances: tuple[CurrencyBalance, ...]


def _checked(details: CustomerDetails, tax_ids: TaxIds) -> CustomerDetails:
    Customer.validate(name=details.name, email=details.email, billing_address=details.billing_address,
                      currency=details.currency, payment_terms_days=details.payment_terms_days)
    tax_id = tax_ids.vat_id(details.tax_id, "tax_id") if details.tax_id is not None else None
    return evolve(details, name=details.name.strip(), email=normalize_email(details.email), tax_id=tax_id)


async def create_customer(cmd: CustomerDetails, actor: Actor, organization_id: str, *,
                          uow_factory: UnitOfWorkFactory, clock: Clock, tax_ids: TaxIds) -> Customer:
    d = _checked(cmd, tax_ids)
    customer = Customer(id=new_id(PREFIXES["customer"]), organization_id=organization_id, name=d.name, email=d.email,
                        created_at=clock.now(), billing_address=d.billing_address, tax_id=d.tax_id,
                        currency=d.currency, payment_terms_days=d.payment_terms_days,
                        invoice_delivery=d.invoice_delivery)
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        await uow.customers.add(customer)
        await uow.commit()
    return customer


async def update_customer(customer_id: str, cmd: CustomerDetails, actor: Actor, organization_id: str, *,
                          uow_factory: UnitOfWorkFactory, clock: Clock, tax_ids: TaxIds) -> Customer:
    d = _checked(cmd, tax_ids)
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        customer = await uow.customers.get(organization_id, customer_id)
        if customer is None:
            raise NotFound("customer", customer_id)
        customer = evolve(customer, name=d.name, email=d.email, billing_address=d.billing_address, tax_id=d.tax_id,
                          currency=d.currency, payment_terms_days=d.payment_terms_days,
                          invoice_delivery=d.invoice_delivery, updated_at=clock.now())
        await uow.customers.save(customer)
        await uow.commit()
    return customer


async def get_customer(customer_id: str, actor: Actor, organization_id: str, *,
                       uow_factory: UnitOfWorkFactory) -> Customer:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        customer = await uow.customers.get(organization_id, customer_id)
    if customer is None:
        raise NotFound("customer", customer_id)
    return customer


async def list_customers(actor: Actor, organization_id: str, page: PageRequest, *,
                         uow_factory: UnitOfWorkFactory) -> Page[Customer]:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        return await uow.customers.list(organization_id, page)


async def customer_balance(customer_id: str, actor: Actor, organization_id: str, *,
                           uow_factory: UnitOfWorkFactory) -> CustomerBalance:
    """From the ledger: the customer's receivable, and its sessions priced but not invoiced yet, per currency."""
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        if await uow.customers.get(organization_id, customer_id) is None:
            raise NotFound("customer", customer_id)
        rows = await uow.ledger.customer_balances(organization_id, customer_id)
    out: dict[str, list[Decimal]] = {}
    for row in rows:
        sums = out.setdefault(row.currency, [Decimal(0), Decimal(0)])
        if row.account == receivable(customer_id):
            sums[0] += row.balance
        elif row.account == UNBILLED_RECEIVABLE:
            sums[1] += row.balance
    return CustomerBalance(customer_id, tuple(CurrencyBalance(currency, owed, unbilled)
                                              for currency, (owed, unbilled) in sorted(out.items())))


async def customer_of_driver(uow: UnitOfWork, organization: Organization, driver: Driver,
                             clock: Clock) -> Customer:
    """Who pays for the driver's sessions: the customer it names, else its own (made now, the first time)."""
    if driver.customer_id is not None:
        named = await uow.customers.get(organization.id, driver.customer_id)
        if named is not None:
            return named
    return await own_customer_of_driver(uow, organization, driver, clock)


async def own_customer_of_driver(uow: UnitOfWork, organization: Organization, driver: Driver,
                                 clock: Clock) -> Customer:
    """The customer made for the driver (made now, the first time): the account a driver manages in the portal,
    whoever else the driver's sessions may be billed to."""
    own = await uow.customers.find_by_driver(organization.id, driver.id)
    if own is not None:
        return own
    fallback = organization.settings.billing_email or organization.contact_email
    own = Customer.for_driver(id=new_id(PREFIXES["customer"]), organization_id=organization.id, driver_id=driver.id,
                              name=driver.name, email=driver.email, fallback_email=fallback, now=clock.now())
    await uow.customers.add(own)   # a concurrent first billing of the same driver conflicts: the event is retried
    return own


async def customer_of_fleet(uow: UnitOfWork, organization: Organization, fleet: Fleet, clock: Clock) -> Customer:
    """Who pays for a fleet's sessions: the customer it names, else its own (made now, the first time), whose
    invoices go to the organization's billing email until an operator completes it."""
    if fleet.customer_id is not None:
        named = await uow.customers.get(organization.id, fleet.customer_id)
        if named is not None:
            return named
    own = await uow.customers.find_by_fleet(organization.id, fleet.id)
    if own is not None:
        return own
    own = Customer.for_fleet(id=new_id(PREFIXES["customer"]), organization_id=organization.id, fleet_id=fleet.id,
                             name=fleet.name, email=organization.settings.billing_email or organization.contact_email,
                             now=clock.now())
    await uow.customers.add(own)   # a concurrent first billing of the same fleet conflicts: the event is retried
    return own


async def customer_of_session(uow: UnitOfWork, organization: Organization, session: ChargingSession,
                              clock: Clock) -> Customer | None:
    """Who pays for a session (see the module's docstring); None for a session nobody is known to have charged."""
    driver = await uow.drivers.get(organization.id, session.driver_id) if session.driver_id is not None else None
    if driver is not None and driver.customer_id is not None:
        named = await uow.customers.get(organization.id, driver.customer_id)
        if named is not None:
            return named
    if session.fleet_id is not None:
        fleet = await uow.fleets.get(organization.id, session.fleet_id)
        if fleet is not None:
            return await customer_of_fleet(uow, organization, fleet, clock)
    if driver is not None:
        return await customer_of_driver(uow, organization, driver, clock)
    return None
