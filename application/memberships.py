"""Membership plans and drivers' subscriptions: a member charges at the plan's price."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from attrs import frozen

from application.authorization import Action, Actor, authorize
from application.pagination import Page, PageRequest
from application.ports import Clock, UnitOfWorkFactory
from application.tariffs import existing_tariff_id
from domain.errors import Conflict, FieldErrors, InvalidInput, NotFound
from domain.ids import PREFIXES, new_id
from domain.money import Money
from domain.pricing import MembershipPlan, Subscription


@frozen
class PlanTerms:
    name: str
    monthly_fee: Money
    tariff_id: str | None = None
    discount_percent: Decimal | None = None


@frozen
class Subscribe:
    plan_id: str
    driver_id: str
    starts_at: datetime | None = None
    ends_at: datetime | None = None


async def create_plan(terms: PlanTerms, actor: Actor, organization_id: str, *, uow_factory: UnitOfWorkFactory,
                      clock: Clock) -> MembershipPlan:
    MembershipPlan.validate(name=terms.name, monthly_fee=terms.monthly_fee, tariff_id=terms.tariff_id,
                            discount_percent=terms.discount_percent)
    plan = MembershipPlan(id=new_id(PREFIXES["plan"]), organization_id=organization_id, name=terms.name.strip(),
                          monthly_fee=terms.monthly_fee, created_at=clock.now(), tariff_id=terms.tariff_id,
                          discount_percent=terms.discount_percent)
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        await existing_tariff_id(uow, organization_id, terms.tariff_id, "tariff_id")
        await uow.plans.add(plan)
        await uow.commit()
    return plan


async def update_plan(plan_id: str, terms: PlanTerms, actor: Actor, organization_id: str, *,
                      uow_factory: UnitOfWorkFactory) -> MembershipPlan:
    """PUT replaces the terms; sessions already running keep the price they started with."""
    MembershipPlan.validate(name=terms.name, monthly_fee=terms.monthly_fee, tariff_id=terms.tariff_id,
                            discount_percent=terms.discount_percent)
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        plan = await uow.plans.get(organization_id, plan_id)
        if plan is None:
            raise NotFound("plan", plan_id)
        await existing_tariff_id(uow, organization_id, terms.tariff_id, "tariff_id")
        plan.name, plan.monthly_fee = terms.name.strip(), terms.monthly_fee
        plan.tariff_id, plan.discount_percent = terms.tariff_id, terms.discount_percent
        await uow.plans.save(plan)
        await uow.commit()
    return plan


async def get_plan(plan_id: str, actor: Actor, organization_id: str, *,
                   uow_factory: UnitOfWorkFactory) -> MembershipPlan:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        plan = await uow.plans.get(organization_id, plan_id)
    if plan is None:
        raise NotFound("plan", plan_id)
    return plan


async def list_plans(actor: Actor, organization_id: str, page: PageRequest, *,
                     uow_factory: UnitOfWorkFactory) -> Page[MembershipPlan]:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        return await uow.plans.list(organization_id, page)


async def subscribe(cmd: Subscribe, actor: Actor, organization_id: str, *, uow_factory: UnitOfWorkFactory,
                    clock: Clock) -> Subscription:
    now = clock.now()
    starts_at = cmd.starts_at or now
    errors = FieldErrors()
    errors.check("ends_at", cmd.ends_at is None or cmd.ends_at > starts_at, "must be after starts_at")
    errors.raise_if_any()
    subscription = Subscription(id=new_id(PREFIXES["subscription"]), organization_id=organization_id,
                                plan_id=cmd.plan_id, driver_id=cmd.driver_id, starts_at=starts_at, created_at=now,
                                ends_at=cmd.ends_at)
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        if await uow.plans.get(organization_id, cmd.plan_id) is None:
            raise InvalidInput.field("plan_id", "no such plan in this organization")
        if await uow.drivers.get(organization_id, cmd.driver_id) is None:
            raise InvalidInput.field("driver_id", "no such driver in this organization")
        current = await uow.subscriptions.active_for_driver(organization_id, cmd.driver_id, starts_at)
        if current is not None:
            raise Conflict(f"the driver already has a subscription in force then ({current.id})")
        await uow.subscriptions.add(subscription)
        await uow.commit()
    return subscription


async def get_subscription(subscription_id: str, actor: Actor, organization_id: str, *,
                           uow_factory: UnitOfWorkFactory) -> Subscription:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        subscription = await uow.subscriptions.get(organization_id, subscription_id)
    if subscription is None:
        raise NotFound("subscription", subscription_id)
    return subscription


async def list_subscriptions(actor: Actor, organization_id: str, page: PageRequest, *,
                             uow_factory: UnitOfWorkFactory, driver_id: str | None = None,
                             plan_id: str | None = None) -> Page[Subscription]:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        return await uow.subscriptions.list(organization_id, page, driver_id, plan_id)


async def end_subscription(subscription_id: str, actor: Actor, organization_id: str, *,
                           uow_factory: UnitOfWorkFactory, clock: Clock) -> Subscription:
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        subscription = await uow.subscriptions.get(organization_id, subscription_id)
        if subscription is None:
            raise NotFound("subscription", subscription_id)
        subscription.end(clock.now())
        await uow.subscriptions.save(subscription)
        await uow.commit()
    return subscription
