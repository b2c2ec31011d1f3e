"""Customers' saved payment methods: start saving one (a card's SetupIntent, or a bank mandate's IBAN), list them
(asking the provider about cards still being set up), detach one, choose the default.

The provider is the organization's (``payment_provider`` setting). The first method a customer has becomes its
default; a new default raises ``payment_method.default_changed``, on which invoices a declined card left open
are tried again (``application.collection``).

Each operator use case checks the caller's role, then runs the rule it shares with the driver portal
(``application.portal_payment_methods``): ``save_method``, ``methods_of``, ``detach`` and ``choose_default`` act
for an organization, and the last two only on one customer's method when they are given its id (another's is a
404, as one that does not exist).
"""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from application.authorization import Action, Actor, authorize
from application.collection import provider_customer
from application.payment_providers import PaymentProviders
from application.ports import Clock, UnitOfWork, UnitOfWorkFactory
from application.ports.payments import PaymentProvider, SavedMethod, SaveMethod
from domain.billing.customers import Customer
from domain.billing.events import DefaultPaymentMethodChanged
from domain.billing.payment_methods import MethodKind, MethodStatus, PaymentMethod
from domain.errors import InvalidInput, NotFound
from domain.identity import Organization
from domain.ids import PREFIXES, new_id


@frozen
class MethodRequest:
    customer_id: str
    iban: str | None = None          # a bank mandate (bank_transfer); a card is set up in the browser (stripe)
    holder: str | None = None


async def _organization(uow: UnitOfWork, organization_id: str) -> Organization:
    organization = await uow.organizations.get(organization_id)
    if organization is None:
        raise NotFound("organization", organization_id)
    return organization


async def make_default(uow: UnitOfWork, method: PaymentMethod, now: datetime) -> None:
    """``method`` becomes its customer's only default (in the caller's unit of work), with its event."""
    for other in await uow.payment_methods.for_customer(method.organization_id, method.customer_id):
        if other.id != method.id and other.is_default:
            other.is_default = False
            await uow.payment_methods.save(other)
    method.make_default(now)
    await uow.payment_methods.save(method)
    await uow.events.add([DefaultPaymentMethodChanged(organization_id=method.organization_id, occurred_at=now,
                                                      customer_id=method.customer_id, payment_method_id=method.id)])


def activate(method: PaymentMethod, saved: SavedMethod, now: datetime) -> bool:
    if saved.provider_reference is None:
        return False
    return method.activate(provider_reference=saved.provider_reference, label=saved.label, brand=saved.brand,
                           last4=saved.last4, exp_month=saved.exp_month, exp_year=saved.exp_year, now=now)


async def activated(uow: UnitOfWork, method: PaymentMethod, saved: SavedMethod, now: datetime) -> None:
    """A pending method the provider says is saved: active, and the default when the customer has none."""
    if not activate(method, saved, now):
        return
    await uow.payment_methods.save(method)
    others = await uow.payment_methods.for_customer(method.organization_id, method.customer_id)
    if not any(m.is_default and m.usable for m in others if m.id != method.id):
        await make_default(uow, method, now)


async def start_saving_method(cmd: MethodRequest, actor: Actor, organization_id: str, *,
                              uow_factory: UnitOfWorkFactory, providers: PaymentProviders,
                              clock: Clock) -> PaymentMethod:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        organization = await _organization(uow, organization_id)
        customer = await uow.customers.get(organization_id, cmd.customer_id)
    if customer is None:
        raise InvalidInput.field("customer_id", "no such customer in this organization")
    return await save_method(organization, customer, iban=cmd.iban, holder=cmd.holder, uow_factory=uow_factory,
                             providers=providers, clock=clock)


async def save_method(organization: Organization, customer: Customer, *, iban: str | None, holder: str | None,
                      uow_factory: UnitOfWorkFactory, providers: PaymentProviders, clock: Clock) -> PaymentMethod:
    """Start saving a method for the customer with the organization's provider (a card pending its holder's
    confirmation, a bank mandate active at once); the first usable one is the customer's default."""
    organization_id = organization.id
    billing = organization.settings.billing
    provider = providers.of(billing)
    account = PaymentProviders.account(billing, provider)
    saved = await provider.save_method(SaveMethod(
        organization_id=organization_id, customer_id=customer.id, iban=iban, holder=holder,
        provider_customer=await provider_customer(uow_factory, providers, organization, customer), account=account))
    now = clock.now()
    method = PaymentMethod(
        id=new_id(PREFIXES["payment_method"]), organization_id=organization_id, customer_id=customer.id,
        provider=provider.name, kind=MethodKind(saved.kind),
        status=MethodStatus.PENDING if saved.pending else MethodStatus.ACTIVE, created_at=now,
        provider_reference=saved.provider_reference, setup_reference=saved.setup_reference,
        client_secret=saved.client_secret, label=saved.label, brand=saved.brand, last4=saved.last4,
        exp_month=saved.exp_month, exp_year=saved.exp_year)
    async with uow_factory() as uow:
        await uow.payment_methods.add(method)
        others = await uow.payment_methods.for_customer(organization_id, customer.id)
        if method.usable and not any(m.is_default and m.usable for m in others if m.id != method.id):
            await make_default(uow, method, now)
        await uow.commit()
    return method


async def sync_pending(uow_factory: UnitOfWorkFactory, provider: PaymentProvider, organization: Organization,
                       methods: list[PaymentMethod], clock: Clock) -> None:
    """Ask the provider about the cards still being set up (when its webhook has not told us yet)."""
    pending = [m for m in methods if m.status is MethodStatus.PENDING and m.setup_reference and m.provider ==
               provider.name]
    if not pending:
        return
    account = PaymentProviders.account(organization.settings.billing, provider)
    for method in pending:
        async with uow_factory(read_only=True) as uow:
            known = await uow.provider_customers.get(organization.id, method.customer_id, provider.name)
        assert method.setup_reference is not None
        saved = await provider.method_setup(method.setup_reference, known, account)
        if saved is None:
            continue
        async with uow_factory() as uow:
            current = await uow.payment_methods.get(organization.id, method.id)
            if current is not None:
                await activated(uow, current, saved, clock.now())
                await uow.commit()


async def list_methods(customer_id: str, actor: Actor, organization_id: str, *, uow_factory: UnitOfWorkFactory,
                       providers: PaymentProviders, clock: Clock) -> list[PaymentMethod]:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        organization = await _organization(uow, organization_id)
        if await uow.customers.get(organization_id, customer_id) is None:
            raise NotFound("customer", customer_id)
    return await methods_of(organization, customer_id, uow_factory=uow_factory, providers=providers, clock=clock)


async def methods_of(organization: Organization, customer_id: str, *, uow_factory: UnitOfWorkFactory,
                     providers: PaymentProviders, clock: Clock) -> list[PaymentMethod]:
    """The customer's methods not detached, after asking the provider about the cards still being set up."""
    async with uow_factory(read_only=True) as uow:
        methods = await uow.payment_methods.for_customer(organization.id, customer_id)
    if providers.has(organization.settings.billing.payment_provider):
        await sync_pending(uow_factory, providers.of(organization.settings.billing), organization, methods, clock)
    async with uow_factory(read_only=True) as uow:
        return await uow.payment_methods.for_customer(organization.id, customer_id)


async def _method(uow: UnitOfWork, organization_id: str, method_id: str, customer_id: str | None) -> PaymentMethod:
    method = await uow.payment_methods.get(organization_id, method_id)
    if (method is None or method.status is MethodStatus.DETACHED
            or (customer_id is not None and method.customer_id != customer_id)):
        raise NotFound("payment method", method_id)
    return method


async def detach_method(method_id: str, actor: Actor, organization_id: str, *, uow_factory: UnitOfWorkFactory,
                        providers: PaymentProviders, clock: Clock) -> None:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        organization = await _organization(uow, organization_id)
    await detach(organization, method_id, None, uow_factory=uow_factory, providers=providers, clock=clock)


async def detach(organization: Organization, method_id: str, customer_id: str | None, *,
                 uow_factory: UnitOfWorkFactory, providers: PaymentProviders, clock: Clock) -> None:
    """Detach the method at its provider too, then mark it detached: it is never charged again. With
    ``customer_id``, only that customer's method (another's is a 404)."""
    async with uow_factory(read_only=True) as uow:
        method = await _method(uow, organization.id, method_id, customer_id)
    if method.provider_reference is not None and providers.has(method.provider):
        provider = providers.named(method.provider)
        await provider.detach_method(method.provider_reference,
                                     PaymentProviders.account(organization.settings.billing, provider))
    async with uow_factory() as uow:
        method = await _method(uow, organization.id, method_id, customer_id)
        method.detach(clock.now())
        await uow.payment_methods.save(method)
        await uow.commit()


async def set_default_method(method_id: str, actor: Actor, organization_id: str, *, uow_factory: UnitOfWorkFactory,
                             providers: PaymentProviders, clock: Clock) -> PaymentMethod:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        organization = await _organization(uow, organization_id)
    return await choose_default(organization, method_id, None, uow_factory=uow_factory, providers=providers,
                                clock=clock)


async def choose_default(organization: Organization, method_id: str, customer_id: str | None, *,
                         uow_factory: UnitOfWorkFactory, providers: PaymentProviders,
                         clock: Clock) -> PaymentMethod:
    """The method becomes its customer's default, at the provider too (a card still pending is refused first).
    With ``customer_id``, only that customer's method (another's is a 404)."""
    async with uow_factory(read_only=True) as uow:
        method = await _method(uow, organization.id, method_id, customer_id)
        known = await uow.provider_customers.get(organization.id, method.customer_id, method.provider)
    method.make_default(clock.now())      # refuses a method still pending before the provider is asked
    if method.provider_reference is not None and providers.has(method.provider):
        provider = providers.named(method.provider)
        await provider.set_default_method(known, method.provider_reference,
                                          PaymentProviders.account(organization.settings.billing, provider))
    async with uow_factory() as uow:
        method = await _method(uow, organization.id, method_id, customer_id)
        await make_default(uow, method, clock.now())
        await uow.commit()
    return method
