"""Collection in SQL: payment methods, customers at a provider, provider events applied once (their id is the
primary key: a replay inserts nothing), chargebacks, bank statement lines."""

from __future__ import annotations

import builtins
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.repositories._statements import dialect_insert, fetch_page, insert_or_conflict, upsert
from adapters.sql.tables import chargebacks, payment_methods, provider_customers, provider_events, statement_lines
from application.pagination import Page, PageRequest
from application.ports.payment_records import StatementLine, StatementLineStatus
from domain.billing.chargebacks import Chargeback, ChargebackStatus
from domain.billing.payment_methods import MethodKind, MethodStatus, PaymentMethod


def _method_row(m: PaymentMethod) -> dict[str, Any]:
    return {"id": m.id, "organization_id": m.organization_id, "customer_id": m.customer_id, "provider": m.provider,
            "kind": m.kind.value, "status": m.status.value, "provider_reference": m.provider_reference,
            "setup_reference": m.setup_reference, "client_secret": m.client_secret, "label": m.label,
            "brand": m.brand, "last4": m.last4, "exp_month": m.exp_month, "exp_year": m.exp_year,
            "is_default": m.is_default, "created_at": m.created_at, "updated_at": m.updated_at}


def _method_from(row: Row[Any]) -> PaymentMethod:
    return PaymentMethod(id=row.id, organization_id=row.organization_id, customer_id=row.customer_id,
                         provider=row.provider, kind=MethodKind(row.kind), status=MethodStatus(row.status),
                         created_at=row.created_at, provider_reference=row.provider_reference,
                         setup_reference=row.setup_reference, client_secret=row.client_secret, label=row.label,
                         brand=row.brand, last4=row.last4, exp_month=row.exp_month, exp_year=row.exp_year,
                         is_default=row.is_default, updated_at=row.updated_at)


class SqlPaymentMethods:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, method: PaymentMethod) -> None:
        await insert_or_conflict(self._connection, payment_methods, _method_row(method), "payment method exists")

    async def get(self, organization_id: str, method_id: str) -> PaymentMethod | None:
        t = payment_methods.c
        row = (await self._connection.execute(select(payment_methods).where(
            t.organization_id == organization_id, t.id == method_id))).first()
        return _method_from(row) if row is not None else None

    async def save(self, method: PaymentMethod) -> None:
        await upsert(self._connection, payment_methods, _method_row(method), {"id": method.id},
                     "payment method exists")

    async def for_customer(self, organization_id: str, customer_id: str) -> builtins.list[PaymentMethod]:
        t = payment_methods.c
        rows = await self._connection.execute(select(payment_methods).where(
            t.organization_id == organization_id, t.customer_id == customer_id,
            t.status != MethodStatus.DETACHED.value).order_by(t.id))
        return [_method_from(row) for row in rows]

    async def find_by_setup(self, organization_id: str, setup_reference: str) -> PaymentMethod | None:
        t = payment_methods.c
        row = (await self._connection.execute(select(payment_methods).where(
            t.organization_id == organization_id, t.setup_reference == setup_reference))).first()
        return _method_from(row) if row is not None else None


class SqlProviderCustomers:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def get(self, organization_id: str, customer_id: str, provider: str) -> str | None:
        t = provider_customers.c
        value = (await self._connection.execute(select(t.reference).where(
            t.organization_id == organization_id, t.customer_id == customer_id, t.provider == provider))).scalar()
        return str(value) if value is not None else None

    async def add(self, organization_id: str, customer_id: str, provider: str, reference: str) -> None:
        await insert_or_conflict(self._connection, provider_customers, {
            "organization_id": organization_id, "customer_id": customer_id, "provider": provider,
            "reference": reference}, f"customer {customer_id} has a {provider} customer already")


class SqlProviderEvents:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, provider: str, event_id: str, event_type: str, organization_id: str | None,
                  received_at: datetime) -> bool:
        result = await self._connection.execute(dialect_insert(self._connection, provider_events).values(
            provider=provider, event_id=event_id, type=event_type[:120], organization_id=organization_id,
            received_at=received_at).on_conflict_do_nothing())
        return bool(result.rowcount)


def _chargeback_row(c: Chargeback) -> dict[str, Any]:
    return {"id": c.id, "organization_id": c.organization_id, "invoice_id": c.invoice_id,
            "customer_id": c.customer_id, "payment_id": c.payment_id, "provider": c.provider,
            "provider_reference": c.provider_reference, "amount": c.amount, "currency": c.currency,
            "reason": c.reason[:120], "status": c.status.value, "opened_at": c.opened_at, "closed_at": c.closed_at}


def _chargeback_from(row: Row[Any]) -> Chargeback:
    return Chargeback(id=row.id, organization_id=row.organization_id, invoice_id=row.invoice_id,
                      customer_id=row.customer_id, payment_id=row.payment_id, provider=row.provider,
                      provider_reference=row.provider_reference, amount=row.amount, currency=row.currency,
                      reason=row.reason, status=ChargebackStatus(row.status), opened_at=row.opened_at,
                      closed_at=row.closed_at)


class SqlChargebacks:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, chargeback: Chargeback) -> None:
        await insert_or_conflict(self._connection, chargebacks, _chargeback_row(chargeback),
                                 f"dispute {chargeback.provider_reference} is recorded already")

    async def find(self, provider: str, provider_reference: str) -> Chargeback | None:
        t = chargebacks.c
        row = (await self._connection.execute(select(chargebacks).where(
            t.provider == provider, t.provider_reference == provider_reference))).first()
        return _chargeback_from(row) if row is not None else None

    async def save(self, chargeback: Chargeback) -> None:
        await upsert(self._connection, chargebacks, _chargeback_row(chargeback), {"id": chargeback.id},
                     "chargeback exists")

    async def get(self, organization_id: str, chargeback_id: str) -> Chargeback | None:
        t = chargebacks.c
        row = (await self._connection.execute(select(chargebacks).where(
            t.organization_id == organization_id, t.id == chargeback_id))).first()
        return _chargeback_from(row) if row is not None else None

    async def list(self, organization_id: str, page: PageRequest) -> Page[Chargeback]:
        t = chargebacks.c
        return await fetch_page(self._connection, select(chargebacks).where(t.organization_id == organization_id),
                                t.id, page, _chargeback_from, lambda c: c.id, newest_first=True)

    async def between(self, organization_id: str, start: datetime, end: datetime) -> builtins.list[Chargeback]:
        t = chargebacks.c
        rows = await self._connection.execute(select(chargebacks).where(
            t.organization_id == organization_id,
            or_(t.opened_at.between(start, end), t.closed_at.between(start, end))).order_by(t.id))
        return [c for c in map(_chargeback_from, rows)
                if start <= c.opened_at < end or (c.closed_at is not None and start <= c.closed_at < end)]


def _line_row(s: StatementLine) -> dict[str, Any]:
    return {"id": s.id, "organization_id": s.organization_id, "key": s.key, "booked_on": s.booked_on,
            "amount": s.amount, "currency": s.currency, "reference": s.reference, "counterparty": s.counterparty,
            "status": s.status.value, "imported_at": s.imported_at, "invoice_id": s.invoice_id,
            "payment_id": s.payment_id}


class SqlStatementLines:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, line: StatementLine) -> bool:
        result = await self._connection.execute(dialect_insert(self._connection, statement_lines).values(
            **_line_row(line)).on_conflict_do_nothing())
        return bool(result.rowcount)

    async def between(self, organization_id: str, start: date, end: date) -> builtins.list[StatementLine]:
        t = statement_lines.c
        rows = await self._connection.execute(select(statement_lines).where(
            t.organization_id == organization_id, t.booked_on >= start, t.booked_on < end
        ).order_by(t.booked_on, t.id))
        return [StatementLine(id=r.id, organization_id=r.organization_id, key=r.key, booked_on=r.booked_on,
                              amount=r.amount, currency=r.currency, reference=r.reference,
                              counterparty=r.counterparty, status=StatementLineStatus(r.status),
                              imported_at=r.imported_at, invoice_id=r.invoice_id, payment_id=r.payment_id)
                for r in rows]
