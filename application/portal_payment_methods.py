"""A driver's payment methods in the portal: list them, add one through the organization's payment provider,
remove one, choose the default. The rules are ``application.payment_methods``'s; this module only says whose.

The methods are those of the driver's own customer account (``customers.find_by_driver``), the account whose
invoices the portal shows (``application.portal``); it is made the first time the driver adds a method. A
driver whose sessions are billed to a customer the operator named for them (a company paying for its drivers)
adds none: that customer's methods are the operator's to manage, and a card on the driver's own account would
never be charged. Another driver's method, or another organization's, is a 404 like one that does not exist.
"""

from __future__ import annotations

from attrs import frozen

from application import payment_methods
from application.customers import own_customer_of_driver
from application.payment_providers import PaymentProviders
from application.portal_access import DriverActor
from application.ports import Clock, UnitOfWork, UnitOfWorkFactory
from domain.billing.customers import Customer
from domain.billing.payment_methods import PaymentMethod
from domain.errors import Conflict, NotFound
from domain.identity import Organization
from domain.network import Driver


@frozen
class MyMethodRequest:
    iban: str | None = None          # a bank mandate (bank_transfer); a card is set up in the browser (stripe)
    holder: str | None = None


async def _me(uow: UnitOfWork, driver: DriverActor) -> tuple[Organization, Driver]:
    organization = await uow.organizations.get(driver.organization_id)
    me = await uow.drivers.get(driver.organization_id, driver.driver_id)
    if organization is None or me is None:
        raise NotFound("driver", driver.driver_id)
    return organization, me


async def _mine(driver: DriverActor, uow_factory: UnitOfWorkFactory) -> tuple[Organization, Customer | None]:
    async with uow_factory(read_only=True) as uow:
        organization, _ = await _me(uow, driver)
        return organization, await uow.customers.find_by_driver(driver.organization_id, driver.driver_id)


async def my_payment_methods(driver: DriverActor, *, uow_factory: UnitOfWorkFactory, providers: PaymentProviders,
                             clock: Clock) -> list[PaymentMethod]:
    organization, customer = await _mine(driver, uow_factory)
    if customer is None:
        return []
    return await payment_methods.methods_of(organization, customer.id, uow_factory=uow_factory, providers=providers,
                                            clock=clock)


async def add_my_payment_method(driver: DriverActor, request: MyMethodRequest, *, uow_factory: UnitOfWorkFactory,
                                providers: PaymentProviders, clock: Clock) -> PaymentMethod:
    async with uow_factory() as uow:
        organization, me = await _me(uow, driver)
        if me.customer_id is not None and await uow.customers.get(me.organization_id, me.customer_id) is not None:
            raise Conflict("your charging is billed to an account your operator manages: ask them to change its "
                           "payment methods")
        customer = await own_customer_of_driver(uow, organization, me, clock)
        await uow.commit()
    return await payment_methods.save_method(organization, customer, iban=request.iban, holder=request.holder,
                                             uow_factory=uow_factory, providers=providers, clock=clock)


async def remove_my_payment_method(driver: DriverActor, method_id: str, *, uow_factory: UnitOfWorkFactory,
                                   providers: PaymentProviders, clock: Clock) -> None:
    organization, customer = await _mine(driver, uow_factory)
    if customer is None:
        raise NotFound("payment method", method_id)
    await payment_methods.detach(organization, method_id, customer.id, uow_factory=uow_factory, providers=providers,
                                 clock=clock)


async def make_my_payment_method_default(driver: DriverActor, method_id: str, *, uow_factory: UnitOfWorkFactory,
                                         providers: PaymentProviders, clock: Clock) -> PaymentMethod:
    organization, customer = await _mine(driver, uow_factory)
    if customer is None:
        raise NotFound("payment method", method_id)
    return await payment_methods.choose_default(organization, method_id, customer.id, uow_factory=uow_factory,
                                                providers=providers, clock=clock)
