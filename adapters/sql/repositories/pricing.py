"""Pricing in SQL: tariffs with their versions (each stored as its tariff's JSON document), membership
plans, and drivers' subscriptions to them."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.repositories._statements import fetch_page, insert_many, insert_or_conflict, upsert
from adapters.sql.tables import membership_plans, subscriptions, tariff_versions, tariffs
from application.pagination import Page, PageRequest
from domain.money import Money
from domain.pricing import MembershipPlan, Subscription, TariffRecord, TariffVersion
from domain.tariffs.parse import parse_tariff, tariff_to_json

versions = tariff_versions
plans = membership_plans


def tariff_to_row(record: TariffRecord) -> dict[str, Any]:
    return {"id": record.id, "organization_id": record.organization_id, "created_at": record.created_at}


def version_rows(record: TariffRecord) -> list[dict[str, Any]]:
    return [{"organization_id": record.organization_id, "tariff_id": record.id, "version": v.version,
             "document": tariff_to_json(v.tariff), "valid_from": v.valid_from} for v in record.versions]


def version_from_row(row: Row[Any]) -> TariffVersion:
    # The document was written by tariff_to_json, which parse_tariff reads back to the same Tariff.
    return TariffVersion(version=row.version, tariff=parse_tariff(row.document), valid_from=row.valid_from)


def tariff_from_row(row: Row[Any], version_list: list[TariffVersion]) -> TariffRecord:
    return TariffRecord(id=row.id, organization_id=row.organization_id, created_at=row.created_at,
                        versions=version_list)


class SqlTariffs:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, record: TariffRecord) -> None:
        # A savepoint: a record found taken must leave none of its versions behind.
        async with self._connection.begin_nested():
            await insert_or_conflict(self._connection, tariffs, tariff_to_row(record), f"tariff {record.id} exists")
            await self._write_versions(record)

    async def save(self, record: TariffRecord) -> None:
        async with self._connection.begin_nested():
            await upsert(self._connection, tariffs, tariff_to_row(record), {"id": record.id},
                         f"tariff {record.id} exists")
            await self._write_versions(record)

    async def _write_versions(self, record: TariffRecord) -> None:
        # Stored versions never change: those already stored are skipped, whatever the record says of them.
        await insert_many(self._connection, versions, version_rows(record),
                          lambda insert: insert.on_conflict_do_nothing())

    async def get(self, organization_id: str, tariff_id: str) -> TariffRecord | None:
        row = (await self._connection.execute(
            select(tariffs).where(tariffs.c.organization_id == organization_id, tariffs.c.id == tariff_id))).first()
        if row is None:
            return None
        found = await self._versions(organization_id, [tariff_id])
        return tariff_from_row(row, found[tariff_id])

    async def _versions(self, organization_id: str, tariff_ids: list[str]) -> dict[str, list[TariffVersion]]:
        by_tariff: dict[str, list[TariffVersion]] = defaultdict(list)
        rows = await self._connection.execute(
            select(versions).where(versions.c.organization_id == organization_id, versions.c.tariff_id.in_(tariff_ids))
            .order_by(versions.c.tariff_id, versions.c.version))
        for row in rows:
            by_tariff[row.tariff_id].append(version_from_row(row))
        return by_tariff

    async def list(self, organization_id: str, page: PageRequest) -> Page[TariffRecord]:
        statement = select(tariffs).where(tariffs.c.organization_id == organization_id)
        found = await fetch_page(self._connection, statement, tariffs.c.id, page,
                                 lambda row: tariff_from_row(row, []), lambda t: t.id)
        if found.items:
            by_tariff = await self._versions(organization_id, [t.id for t in found.items])
            for record in found.items:
                record.versions = by_tariff[record.id]
        return found


def plan_to_row(plan: MembershipPlan) -> dict[str, Any]:
    return {"id": plan.id, "organization_id": plan.organization_id, "name": plan.name,
            "monthly_fee_amount": plan.monthly_fee.amount, "monthly_fee_currency": plan.monthly_fee.currency,
            "created_at": plan.created_at, "tariff_id": plan.tariff_id, "discount_percent": plan.discount_percent}


def plan_from_row(row: Row[Any]) -> MembershipPlan:
    return MembershipPlan(id=row.id, organization_id=row.organization_id, name=row.name,
                          monthly_fee=Money(row.monthly_fee_amount, row.monthly_fee_currency),
                          created_at=row.created_at, tariff_id=row.tariff_id, discount_percent=row.discount_percent)


class SqlPlans:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, plan: MembershipPlan) -> None:
        await insert_or_conflict(self._connection, plans, plan_to_row(plan), f"plan {plan.id} exists")

    async def save(self, plan: MembershipPlan) -> None:
        await upsert(self._connection, plans, plan_to_row(plan), {"id": plan.id}, f"plan {plan.id} exists")

    async def get(self, organization_id: str, plan_id: str) -> MembershipPlan | None:
        row = (await self._connection.execute(
            select(plans).where(plans.c.organization_id == organization_id, plans.c.id == plan_id))).first()
        return plan_from_row(row) if row is not None else None

    async def list(self, organization_id: str, page: PageRequest) -> Page[MembershipPlan]:
        statement = select(plans).where(plans.c.organization_id == organization_id)
        return await fetch_page(self._connection, statement, plans.c.id, page, plan_from_row, lambda p: p.id)


def subscription_to_row(subscription: Subscription) -> dict[str, Any]:
    s = subscription
    return {"id": s.id, "organization_id": s.organization_id, "plan_id": s.plan_id, "driver_id": s.driver_id,
            "starts_at": s.starts_at, "ends_at": s.ends_at, "created_at": s.created_at}


def subscription_from_row(row: Row[Any]) -> Subscription:
    return Subscription(id=row.id, organization_id=row.organization_id, plan_id=row.plan_id,
                        driver_id=row.driver_id, starts_at=row.starts_at, created_at=row.created_at,
                        ends_at=row.ends_at)


class SqlSubscriptions:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, subscription: Subscription) -> None:
        await insert_or_conflict(self._connection, subscriptions, subscription_to_row(subscription),
                                 f"subscription {subscription.id} exists")

    async def save(self, subscription: Subscription) -> None:
        await upsert(self._connection, subscriptions, subscription_to_row(subscription), {"id": subscription.id},
                     f"subscription {subscription.id} exists")

    async def get(self, organization_id: str, subscription_id: str) -> Subscription | None:
        t = subscriptions
        row = (await self._connection.execute(
            select(t).where(t.c.organization_id == organization_id, t.c.id == subscription_id))).first()
        return subscription_from_row(row) if row is not None else None

    async def list(self, organization_id: str, page: PageRequest, driver_id: str | None = None,
                   plan_id: str | None = None) -> Page[Subscription]:
        t = subscriptions
        statement = select(t).where(t.c.organization_id == organization_id)
        if driver_id is not None:
            statement = statement.where(t.c.driver_id == driver_id)
        if plan_id is not None:
            statement = statement.where(t.c.plan_id == plan_id)
        return await fetch_page(self._connection, statement, t.c.id, page, subscription_from_row, lambda s: s.id)

    async def active_for_driver(self, organization_id: str, driver_id: str, instant: datetime) -> Subscription | None:
        t = subscriptions
        statement = (select(t).where(t.c.organization_id == organization_id, t.c.driver_id == driver_id,
                                     t.c.starts_at <= instant, (t.c.ends_at.is_(None)) | (t.c.ends_at > instant))
                     .order_by(t.c.starts_at.desc(), t.c.id.desc()).limit(1))
        row = (await self._connection.execute(statement)).first()
        return subscription_from_row(row) if row is not None else None
