"""Billing in SQL: customers, charges, invoices (their payments; a credit note's lines), document counters, the
ledger, invoice runs.

Lines and the sessions table's rows travel as compact JSON arrays (decimals as text, instants in ISO 8601
with their offset), written by ``line_json`` / ``session_json`` and read back exactly.
"""

from __future__ import annotations

import asyncio
import builtins
import functools
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import msgspec
from sqlalchemy import Row, Text, and_, bindparam, cast, exists, func, select, tuple_, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.repositories._statements import dialect_insert, fetch_page, insert_many, insert_or_conflict, upsert
from adapters.sql.repositories.events import SqlEvents
from adapters.sql.tables import (
    charge_details,
    charges,
    customers,
    document_counters,
    invoice_lines,
    invoice_payments,
    invoice_refunds,
    invoice_runs,
    invoices,
    ledger_entries,
    ledger_transactions,
)
from application.pagination import Page, PageRequest
from application.ports.billing import InvoiceFilter, InvoiceRun, RunStatus, TransactionFilter
from domain.billing.customers import Customer, InvoiceDelivery
from domain.billing.invoices import (
    Address,
    Charge,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceSession,
    InvoiceStatus,
    LineKind,
    Party,
    Payment,
    Refund,
)
from domain.billing.ledger import AccountBalance, Entry, LedgerTransaction, Source, SourceKind, TrialBalance
from domain.billing.vat import VatTreatment
from domain.errors import Conflict
from domain.geography import CURRENCY_EXPONENTS

# ------------------------------------------------------------------ JSON shapes


def _t(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _d(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def address_json(address: Address | None) -> dict[str, Any] | None:
    if address is None:
        return None
    return {"line1": address.line1, "line2": address.line2, "postal_code": address.postal_code,
            "city": address.city, "country": address.country}


def address_from(value: dict[str, Any] | None) -> Address | None:
    if value is None:
        return None
    return Address(line1=value["line1"], postal_code=value["postal_code"], city=value["city"],
                   country=value["country"], line2=value.get("line2"))


def _party_json(party: Party | None) -> dict[str, Any] | None:
    if party is None:
        return None
    return {"name": party.name, "address": address_json(party.address), "vat_id": party.vat_id, "email": party.email,
            "iban": party.iban, "bic": party.bic}


def _party_from(value: dict[str, Any] | None) -> Party | None:
    if value is None:
        return None
    return Party(name=value["name"], address=address_from(value["address"]), vat_id=value["vat_id"],
                 email=value["email"], iban=value["iban"], bic=value["bic"])


def line_json(line: InvoiceLine) -> list[Any]:
    v = line.vat
    return [line.kind.value, line.description, _t(line.quantity), line.unit, _t(line.unit_price), _t(line.net_amount),
            v.category, _t(v.rate), v.exemption_reason, line.session_id,
            line.service_date.isoformat() if line.service_date else None]


_KINDS = {kind.value: kind for kind in LineKind}


@functools.lru_cache(maxsize=1024)
def _treatment(category: str, rate: str, reason: str | None) -> VatTreatment:
    return VatTreatment(category, Decimal(rate), reason)


@functools.lru_cache(maxsize=4096)
def _day(text: str) -> date:
    return date.fromisoformat(text)


def line_from(value: list[Any]) -> InvoiceLine:
    # A run reads a million of these: the few VAT treatments and days are shared rather than made anew.
    kind, description, quantity, unit, unit_price, net, category, rate, reason, session_id, day = value
    return InvoiceLine(_KINDS[kind], description, Decimal(quantity), unit, Decimal(unit_price), Decimal(net),
                       _treatment(category, rate, reason), session_id, _day(day) if day else None)


def session_json(session: InvoiceSession) -> list[Any]:
    s = session
    return [s.session_id, s.started_at.isoformat(), s.stopped_at.isoformat() if s.stopped_at else None, s.location,
            s.charge_point_id, _t(s.energy_kwh), _t(s.net_amount)]


def session_from(value: list[Any]) -> InvoiceSession:
    session_id, started, stopped, location, charge_point_id, energy, net = value
    return InvoiceSession(session_id, datetime.fromisoformat(started),
                          datetime.fromisoformat(stopped) if stopped else None, location, charge_point_id,
                          Decimal(energy), Decimal(net))


# ------------------------------------------------------------------ customers


def _customer_row(c: Customer) -> dict[str, Any]:
    return {"id": c.id, "organization_id": c.organization_id, "name": c.name, "email": c.email,
            "billing_address": address_json(c.billing_address), "tax_id": c.tax_id, "currency": c.currency,
            "payment_terms_days": c.payment_terms_days, "invoice_delivery": c.invoice_delivery.value,
            "driver_id": c.driver_id, "created_at": c.created_at, "updated_at": c.updated_at, "fleet_id": c.fleet_id}


def _customer_from(row: Row[Any]) -> Customer:
    return Customer(id=row.id, organization_id=row.organization_id, name=row.name, email=row.email,
                    created_at=row.created_at, billing_address=address_from(row.billing_address), tax_id=row.tax_id,
                    currency=row.currency, payment_terms_days=row.payment_terms_days,
                    invoice_delivery=InvoiceDelivery(row.invoice_delivery), driver_id=row.driver_id,
                    updated_at=row.updated_at, fleet_id=row.fleet_id)


class SqlCustomers:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, customer: Customer) -> None:
        await insert_or_conflict(self._connection, customers, _customer_row(customer),
                                 "the customer exists, or its driver or fleet has a customer already")

    async def get(self, organization_id: str, customer_id: str) -> Customer | None:
        row = (await self._connection.execute(select(customers).where(
            customers.c.organization_id == organization_id, customers.c.id == customer_id))).first()
        return _customer_from(row) if row is not None else None

    async def find_by_driver(self, organization_id: str, driver_id: str) -> Customer | None:
        row = (await self._connection.execute(select(customers).where(
            customers.c.organization_id == organization_id, customers.c.driver_id == driver_id))).first()
        return _customer_from(row) if row is not None else None

    async def find_by_fleet(self, organization_id: str, fleet_id: str) -> Customer | None:
        row = (await self._connection.execute(select(customers).where(
            customers.c.organization_id == organization_id, customers.c.fleet_id == fleet_id))).first()
        return _customer_from(row) if row is not None else None

    async def save(self, customer: Customer) -> None:
        await upsert(self._connection, customers, _customer_row(customer),
                     {"organization_id": customer.organization_id, "id": customer.id}, "customer exists")

    async def list(self, organization_id: str, page: PageRequest) -> Page[Customer]:
        statement = select(customers).where(customers.c.organization_id == organization_id)
        return await fetch_page(self._connection, statement, customers.c.id, page, _customer_from, lambda c: c.id)


# ------------------------------------------------------------------ charges


def charge_rows(c: Charge) -> tuple[dict[str, Any], dict[str, Any]]:
    """A charge as its ``charges`` row and its ``charge_details`` row."""
    return ({"id": c.id, "organization_id": c.organization_id, "customer_id": c.customer_id, "currency": c.currency,
             "started_at": c.started_at, "net_amount": c.net_amount, "invoice_id": c.invoice_id},
            {"charge_id": c.id, "lines": [line_json(line) for line in c.lines],
             "session": session_json(c.session) if c.session is not None else None})


def _charge_from(row: Any) -> Charge:
    id_, organization_id, customer_id, currency, started_at, invoice_id, lines, session = row   # as _CHARGE
    session = _decode(session) if session is not None else None    # a fee's: SQL NULL, or JSON null
    return Charge(id_, organization_id, customer_id, currency, started_at,
                  tuple([line_from(v) for v in _decode(lines)]),
                  session_from(session) if session is not None else None, invoice_id)


# A run reads a million charges: their JSON is read as text and decoded by msgspec (several times faster than
# the json module the JSON type uses), a chunk at a time, giving the event loop a turn in between: a run
# writes its previous batch meanwhile, and its statements' answers should not wait for the whole parse.
_decode = msgspec.json.decode
_PARSE_CHUNK = 1000
_CHARGE = (charges.c.id, charges.c.organization_id, charges.c.customer_id, charges.c.currency, charges.c.started_at,
           charges.c.invoice_id, cast(charge_details.c.lines, Text).label("lines"),
           cast(charge_details.c.session, Text).label("session"))


def _charges_with_details() -> Any:
    return select(*_CHARGE).select_from(charges.join(charge_details, charge_details.c.charge_id == charges.c.id))


class SqlCharges:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, charge: Charge) -> bool:
        row, details = charge_rows(charge)
        result = await self._connection.execute(
            dialect_insert(self._connection, charges).values(**row).on_conflict_do_nothing())
        if not result.rowcount:
            return False
        await self._connection.execute(charge_details.insert().values(**details))
        return True

    async def get(self, organization_id: str, charge_id: str) -> Charge | None:
        row = (await self._connection.execute(_charges_with_details().where(
            charges.c.organization_id == organization_id, charges.c.id == charge_id))).first()
        return _charge_from(row) if row is not None else None

    def _pending(self, organization_id: str, before: datetime) -> Any:
        c = charges.c
        return and_(c.organization_id == organization_id, c.invoice_id.is_(None), c.customer_id.is_not(None),
                    c.started_at < before)

    async def pending_customers(self, organization_id: str, before: datetime, after: tuple[str, str] | None,
                                limit: int) -> builtins.list[tuple[str, str]]:
        c = charges.c
        statement = select(c.customer_id, c.currency).where(self._pending(organization_id, before)).distinct()
        if after is not None:
            statement = statement.where(tuple_(c.customer_id, c.currency) > tuple_(*after))
        statement = statement.order_by(c.customer_id, c.currency).limit(limit)
        return [(row.customer_id, row.currency) for row in await self._connection.execute(statement)]

    async def pending(self, organization_id: str, customers_: Sequence[tuple[str, str]],
                      before: datetime) -> builtins.list[Charge]:
        if not customers_:
            return []
        c = charges.c
        statement = _charges_with_details().where(self._pending(organization_id, before),
                                                  c.customer_id.in_(sorted({k[0] for k in customers_})))
        wanted = set(customers_)
        rows = (await self._connection.execute(statement)).all()
        found: list[Charge] = []
        for start in range(0, len(rows), _PARSE_CHUNK):
            found += [_charge_from(row) for row in rows[start:start + _PARSE_CHUNK] if (row[2], row[3]) in wanted]
            await asyncio.sleep(0)
        # Sorted here rather than by the database, which would sort the rows with their JSON (and spill).
        found.sort(key=lambda charge: (charge.customer_id or "", charge.currency, charge.started_at, charge.id))
        return found

    async def organizations_pending(self) -> builtins.list[str]:
        c = charges.c
        statement = (select(c.organization_id).where(c.invoice_id.is_(None), c.customer_id.is_not(None))
                     .distinct().order_by(c.organization_id))
        return [row.organization_id for row in await self._connection.execute(statement)]


async def _assign(connection: AsyncConnection, organization_id: str, invoices_: Sequence[Invoice]) -> None:
    """Put the invoices' charges that are on none yet (``invoice_id`` None as read) on them: a charge goes on one
    invoice, ever, so one another invoice took since it was read is a Conflict. On PostgreSQL in one statement
    (the pairs as arrays, unnested); the customers' condition leads the planner to the index of waiting charges
    rather than through the whole table."""
    pairs = [(c.id, i.id) for i in invoices_ for c in i.charges if c.invoice_id is None]
    if not pairs:
        return
    c = charges.c
    waiting = and_(c.organization_id == organization_id, c.invoice_id.is_(None))
    if connection.dialect.name == "postgresql":
        values = (func.unnest(bindparam("ids", type_=postgresql.ARRAY(Text)),
                              bindparam("invoices", type_=postgresql.ARRAY(Text)))
                  .table_valued("id", "invoice_id").render_derived("pairs"))
        statement = (update(charges).where(waiting, c.customer_id.in_(sorted({i.customer_id for i in invoices_})),
                                           c.id == values.c.id)
                     .values(invoice_id=values.c.invoice_id))
        result = await connection.execute(statement, {"ids": [p[0] for p in pairs],
                                                      "invoices": [p[1] for p in pairs]})
    else:
        statement = (update(charges).where(waiting, c.id == bindparam("charge"))
                     .values(invoice_id=bindparam("invoice")))
        result = await connection.execute(statement, [{"charge": charge, "invoice": invoice}
                                                      for charge, invoice in pairs])
    if int(result.rowcount) != len(pairs):
        # Some were not waiting: fine if they are on these very invoices already (stored before), else taken.
        on_them = (await connection.execute(select(func.count()).select_from(charges).where(
            c.organization_id == organization_id, tuple_(c.id, c.invoice_id).in_(pairs)))).scalar_one()
        if int(on_them) != len(pairs):
            raise Conflict("a charge of these invoices is on another invoice already (or is not the organization's)")


# ------------------------------------------------------------------ invoices


def _run_key(invoice: Invoice) -> str | None:
    if invoice.kind is not InvoiceKind.INVOICE:
        return None
    return f"{invoice.period_start.isoformat()}/{invoice.period_end.isoformat()}"


def _invoice_row(i: Invoice) -> dict[str, Any]:
    return {"id": i.id, "organization_id": i.organization_id, "customer_id": i.customer_id, "kind": i.kind.value,
            "currency": i.currency, "period_start": i.period_start, "period_end": i.period_end,
            "run_key": _run_key(i), "status": i.status.value, "number": i.number, "issue_date": i.issue_date,
            "due_date": i.due_date, "seller": _party_json(i.seller), "buyer": _party_json(i.buyer),
            "payment_reference": i.payment_reference, "total_excl_vat": i.total_excl_vat, "vat": i.vat,
            "total": i.total, "credited": i.credited, "written_off": i.written_off, "corrects": i.corrects,
            "corrects_number": i.corrects_number, "reason": i.reason, "created_at": i.created_at,
            "finalized_at": i.finalized_at, "closed_at": i.closed_at, "payment_attempts": i.payment_attempts,
            "last_payment_error": i.last_payment_error[:255] if i.last_payment_error else None,
            "next_payment_attempt_at": i.next_payment_attempt_at}


def _payment_row(invoice: Invoice, p: Payment) -> dict[str, Any]:
    return {"id": p.id, "organization_id": invoice.organization_id, "invoice_id": invoice.id, "amount": p.amount,
            "received_on": p.received_on, "reference": p.reference, "method": p.method,
            "provider_reference": p.provider_reference, "recorded_at": p.recorded_at}


def _refund_row(invoice: Invoice, r: Refund) -> dict[str, Any]:
    return {"id": r.id, "organization_id": invoice.organization_id, "invoice_id": invoice.id,
            "payment_id": r.payment_id, "amount": r.amount, "reason": r.reason, "method": r.method,
            "provider_reference": r.provider_reference, "created_at": r.created_at, "credit_note_id": r.credit_note_id}


def _invoice_from(row: Row[Any], charges_: builtins.list[Charge], lines: Sequence[Any],
                  payments: Sequence[Any], refunds: Sequence[Any] = ()) -> Invoice:
    invoice = Invoice(
        id=row.id, organization_id=row.organization_id, customer_id=row.customer_id, kind=InvoiceKind(row.kind),
        currency=row.currency, period_start=row.period_start, period_end=row.period_end, created_at=row.created_at,
        status=InvoiceStatus(row.status), number=row.number,
        lines=[line for c in charges_ for line in c.lines] + [line_from(item.line) for item in lines],
        sessions=[c.session for c in charges_ if c.session is not None], charges=charges_,
        issue_date=row.issue_date, due_date=row.due_date, seller=_party_from(row.seller), buyer=_party_from(row.buyer),
        payment_reference=row.payment_reference,
        payments=[Payment(p.id, p.amount, p.received_on, p.reference, p.method, p.provider_reference, p.recorded_at)
                  for p in payments],
        credited=row.credited, corrects=row.corrects, corrects_number=row.corrects_number, reason=row.reason,
        finalized_at=row.finalized_at, closed_at=row.closed_at, written_off=row.written_off,
        refunds=[Refund(r.id, r.payment_id, r.amount, r.reason, r.method, r.created_at, r.provider_reference,
                        r.credit_note_id)
                 for r in refunds],
        payment_attempts=row.payment_attempts, last_payment_error=row.last_payment_error,
        next_payment_attempt_at=row.next_payment_attempt_at)
    return invoice


class SqlInvoices:
    def __init__(self, connection: AsyncConnection, events: SqlEvents) -> None:
        self._connection = connection
        self._events = events

    async def add(self, invoice: Invoice) -> None:
        await self.add_many([invoice])

    async def add_many(self, invoices_: Sequence[Invoice]) -> None:
        if not invoices_:
            return
        inserted = await insert_many(self._connection, invoices, [_invoice_row(i) for i in invoices_],
                                     lambda insert: insert.on_conflict_do_nothing())
        if inserted != len(invoices_):
            raise Conflict("the invoice exists, or its customer has an invoice for this period and currency already")
        await insert_many(self._connection, invoice_lines, [
            {"organization_id": i.organization_id, "invoice_id": i.id, "position": n, "line": line_json(line)}
            for i in invoices_ if not i.charges for n, line in enumerate(i.lines)], lambda insert: insert)
        await insert_many(self._connection, invoice_payments, [_payment_row(i, p) for i in invoices_
                                                                for p in i.payments], lambda insert: insert)
        for organization_id in {i.organization_id for i in invoices_}:
            await _assign(self._connection, organization_id,
                          [i for i in invoices_ if i.organization_id == organization_id])
        for invoice in invoices_:
            await self._events.add(invoice.pull_events())

    async def get(self, organization_id: str, invoice_id: str, *, for_update: bool = False) -> Invoice | None:
        statement = select(invoices).where(invoices.c.organization_id == organization_id, invoices.c.id == invoice_id)
        if for_update:
            statement = statement.with_for_update()
        row = (await self._connection.execute(statement)).first()
        return (await self._whole([row]))[0] if row is not None else None

    async def _whole(self, rows: Sequence[Row[Any]]) -> builtins.list[Invoice]:
        """The invoices of these rows with their charges, own lines and payments (one query for each)."""
        if not rows:
            return []
        organization_id, ids = rows[0].organization_id, [row.id for row in rows]
        c, n, p = charges.c, invoice_lines.c, invoice_payments.c
        billed: dict[str, list[Charge]] = {i: [] for i in ids}
        for charge_row in await self._connection.execute(_charges_with_details().where(
                c.organization_id == organization_id, c.invoice_id.in_(ids)).order_by(c.started_at, c.id)):
            billed[charge_row.invoice_id].append(_charge_from(charge_row))
        own: dict[str, list[Any]] = {i: [] for i in ids}
        for line in await self._connection.execute(select(invoice_lines).where(
                n.organization_id == organization_id, n.invoice_id.in_(ids)).order_by(n.invoice_id, n.position)):
            own[line.invoice_id].append(line)
        paid: dict[str, list[Any]] = {i: [] for i in ids}
        for payment in await self._connection.execute(select(invoice_payments).where(
                p.organization_id == organization_id, p.invoice_id.in_(ids)).order_by(p.id)):
            paid[payment.invoice_id].append(payment)
        back: dict[str, list[Any]] = {i: [] for i in ids}
        r = invoice_refunds.c
        for refund in await self._connection.execute(select(invoice_refunds).where(
                r.organization_id == organization_id, r.invoice_id.in_(ids)).order_by(r.id)):
            back[refund.invoice_id].append(refund)
        return [_invoice_from(row, billed[row.id], own[row.id], paid[row.id], back[row.id]) for row in rows]

    async def for_period(self, organization_id: str, customers_: Sequence[tuple[str, str]], period_start: date,
                         period_end: date) -> dict[tuple[str, str], Invoice]:
        if not customers_:
            return {}
        t = invoices.c
        rows = (await self._connection.execute(select(invoices).where(
            t.organization_id == organization_id, t.customer_id.in_(sorted({k[0] for k in customers_})),
            t.run_key == f"{period_start.isoformat()}/{period_end.isoformat()}"))).all()
        wanted = set(customers_)
        found = await self._whole([row for row in rows if (row.customer_id, row.currency) in wanted])
        return {(i.customer_id, i.currency): i for i in found}

    async def save(self, invoice: Invoice, *, new_lines: bool = False) -> None:
        t = invoices.c
        row = _invoice_row(invoice)
        result = await self._connection.execute(
            update(invoices).where(t.organization_id == invoice.organization_id, t.id == invoice.id)
            .values(**{k: v for k, v in row.items() if k not in ("id", "organization_id")}))
        if not result.rowcount:
            await self.add(invoice)
            return
        if new_lines:
            await _assign(self._connection, invoice.organization_id, [invoice])
        if invoice.payments:
            await insert_many(self._connection, invoice_payments,
                              [_payment_row(invoice, p) for p in invoice.payments],
                              lambda insert: insert.on_conflict_do_nothing())
        if invoice.refunds:
            await insert_many(self._connection, invoice_refunds, [_refund_row(invoice, r) for r in invoice.refunds],
                              lambda insert: insert.on_conflict_do_nothing())
        await self._events.add(invoice.pull_events())

    async def list(self, organization_id: str, filters: InvoiceFilter, page: PageRequest) -> Page[Invoice]:
        t, f = invoices.c, filters
        statement = select(invoices).where(t.organization_id == organization_id)
        if f.customer_id is not None:
            statement = statement.where(t.customer_id == f.customer_id)
        if f.status is not None:
            statement = statement.where(t.status == f.status.value)
        if f.kind is not None:
            statement = statement.where(t.kind == f.kind.value)
        if f.period_start is not None:
            statement = statement.where(t.period_start == f.period_start)
        if f.period_end is not None:
            statement = statement.where(t.period_end == f.period_end)
        page_ = await fetch_page(self._connection, statement, t.id, page, lambda row: row, lambda row: row.id,
                                 newest_first=True)
        return Page(await self._whole(page_.items), page_.next_cursor)

    async def credit_notes(self, organization_id: str, invoice_id: str) -> builtins.list[Invoice]:
        t = invoices.c
        rows = (await self._connection.execute(select(invoices).where(
            t.organization_id == organization_id, t.corrects == invoice_id).order_by(t.id))).all()
        return await self._whole(rows)

    async def find_by_payment(self, provider_reference: str) -> tuple[str, str] | None:
        p = invoice_payments.c
        row = (await self._connection.execute(select(p.organization_id, p.invoice_id).where(
            p.provider_reference == provider_reference).limit(1))).first()
        return (row.organization_id, row.invoice_id) if row is not None else None

    async def find_by_creditor_reference(self, organization_id: str, reference: str) -> Invoice | None:
        t = invoices.c
        row = (await self._connection.execute(select(invoices).where(
            t.organization_id == organization_id, t.kind == InvoiceKind.INVOICE.value,
            t.payment_reference == reference).limit(1))).first()
        return (await self._whole([row]))[0] if row is not None else None

    async def due_for_collection(self, now: datetime, limit: int) -> builtins.list[tuple[str, str]]:
        t = invoices.c
        rows = await self._connection.execute(select(t.organization_id, t.id).where(
            t.next_payment_attempt_at <= now, t.status == InvoiceStatus.OPEN.value
        ).order_by(t.next_payment_attempt_at, t.id).limit(limit))
        return [(row.organization_id, row.id) for row in rows]

    async def failed_collections(self, organization_id: str, customer_id: str) -> builtins.list[str]:
        t = invoices.c
        rows = await self._connection.execute(select(t.id).where(
            t.organization_id == organization_id, t.customer_id == customer_id, t.status == InvoiceStatus.OPEN.value,
            t.last_payment_error.is_not(None)).order_by(t.id))
        return [row.id for row in rows]

    async def with_money_between(self, organization_id: str, start: datetime,
                                 end: datetime) -> builtins.list[Invoice]:
        t, p, r = invoices.c, invoice_payments.c, invoice_refunds.c
        paid = select(p.invoice_id).where(p.organization_id == organization_id, p.recorded_at >= start,
                                          p.recorded_at < end)
        back = select(r.invoice_id).where(r.organization_id == organization_id, r.created_at >= start,
                                          r.created_at < end)
        rows = (await self._connection.execute(select(invoices).where(
            t.organization_id == organization_id, t.id.in_(paid.union(back).scalar_subquery())
        ).order_by(t.id))).all()
        return await self._whole(rows)

    async def open_invoices(self, organization_id: str) -> builtins.list[Invoice]:
        t = invoices.c
        rows = (await self._connection.execute(select(invoices).where(
            t.organization_id == organization_id, t.kind == InvoiceKind.INVOICE.value,
            t.status == InvoiceStatus.OPEN.value).order_by(t.id))).all()
        return await self._whole(rows)


# ------------------------------------------------------------------ document counters


class SqlCounters:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def next(self, organization_id: str, series: str) -> int:
        t = document_counters
        await self._connection.execute(dialect_insert(self._connection, t).values(
            organization_id=organization_id, series=series, last_value=0).on_conflict_do_nothing())
        # UPDATE … RETURNING takes the row lock (PostgreSQL) and holds it to the end of the unit of work:
        # a second finalization waits here, and gets the next number only once this one committed, or the
        # same one if this one rolled back. On SQLite the unit of work already holds the write lock.
        value = (await self._connection.execute(
            update(t).where(t.c.organization_id == organization_id, t.c.series == series)
            .values(last_value=t.c.last_value + 1).returning(t.c.last_value))).scalar_one()
        return int(value)


# ------------------------------------------------------------------ the ledger


def _minor(amount: Decimal, currency: str) -> int:
    scaled = amount.scaleb(CURRENCY_EXPONENTS[currency])
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} is not in {currency}'s minor unit")
    return int(scaled)


def _major(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-CURRENCY_EXPONENTS[currency])


class SqlLedger:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def post(self, transaction: LedgerTransaction) -> bool:
        transaction.check()
        t = transaction
        result = await self._connection.execute(dialect_insert(self._connection, ledger_transactions).values(
            id=t.id, organization_id=t.organization_id, source_kind=t.source.kind.value, source_id=t.source.id,
            posted_at=t.posted_at, description=t.description, customer_id=t.customer_id, invoice_id=t.invoice_id,
            session_id=t.session_id, entry_count=len(t.entries)).on_conflict_do_nothing())
        if not result.rowcount:
            return False
        await insert_many(self._connection, ledger_entries, [
            {"organization_id": t.organization_id, "transaction_id": t.id, "position": i, "account": e.account,
             "currency": e.currency, "debit_minor": _minor(e.debit, e.currency),
             "credit_minor": _minor(e.credit, e.currency), "posted_at": t.posted_at, "customer_id": t.customer_id}
            for i, e in enumerate(t.entries)], lambda insert: insert)
        return True

    async def find_by_source(self, organization_id: str, source: Source) -> LedgerTransaction | None:
        t = ledger_transactions.c
        row = (await self._connection.execute(select(ledger_transactions).where(
            t.organization_id == organization_id, t.source_kind == source.kind.value,
            t.source_id == source.id))).first()
        return (await self._with_entries([row]))[0] if row is not None else None

    async def _with_entries(self, rows: Sequence[Row[Any]]) -> builtins.list[LedgerTransaction]:
        if not rows:
            return []
        e = ledger_entries.c
        entries: dict[str, list[Entry]] = {row.id: [] for row in rows}
        statement = (select(e.transaction_id, e.account, e.currency, e.debit_minor, e.credit_minor)
                     .where(e.organization_id == rows[0].organization_id, e.transaction_id.in_(list(entries)))
                     .order_by(e.transaction_id, e.position))
        for entry in await self._connection.execute(statement):
            entries[entry.transaction_id].append(Entry(entry.account, entry.currency,
                                                       _major(entry.debit_minor, entry.currency),
                                                       _major(entry.credit_minor, entry.currency)))
        return [LedgerTransaction(id=row.id, organization_id=row.organization_id,
                                  source=Source(SourceKind(row.source_kind), row.source_id), posted_at=row.posted_at,
                                  description=row.description, entries=tuple(entries[row.id]),
                                  customer_id=row.customer_id, invoice_id=row.invoice_id, session_id=row.session_id)
                for row in rows]

    async def list(self, organization_id: str, filters: TransactionFilter,
                   page: PageRequest) -> Page[LedgerTransaction]:
        t, f = ledger_transactions.c, filters
        statement = select(ledger_transactions).where(t.organization_id == organization_id)
        if f.customer_id is not None:
            statement = statement.where(t.customer_id == f.customer_id)
        if f.session_id is not None:
            statement = statement.where(t.session_id == f.session_id)
        if f.invoice_id is not None:
            statement = statement.where(t.invoice_id == f.invoice_id)
        if f.account is not None:
            e = ledger_entries.c
            statement = statement.where(exists().where(e.organization_id == t.organization_id,
                                                       e.transaction_id == t.id, e.account == f.account))
        if f.posted_from is not None:
            statement = statement.where(t.posted_at >= f.posted_from)
        if f.posted_to is not None:
            statement = statement.where(t.posted_at < f.posted_to)
        rows = await fetch_page(self._connection, statement, t.id, page, lambda row: row, lambda row: row.id,
                                newest_first=True)
        return Page(await self._with_entries(rows.items), rows.next_cursor)

    async def _sums(self, *conditions: Any) -> builtins.list[AccountBalance]:
        e = ledger_entries.c
        statement = (select(e.account, e.currency, func.sum(e.debit_minor).label("debits"),
                            func.sum(e.credit_minor).label("credits"))
                     .where(*conditions).group_by(e.account, e.currency).order_by(e.account, e.currency))
        return [AccountBalance(row.account, row.currency, _major(int(row.debits), row.currency),
                               _major(int(row.credits), row.currency))
                for row in await self._connection.execute(statement)]

    async def trial_balance(self, organization_id: str, at: datetime | None) -> TrialBalance:
        e = ledger_entries.c
        conditions = [e.organization_id == organization_id]
        if at is not None:
            conditions.append(e.posted_at <= at)
        return TrialBalance(at, tuple(await self._sums(*conditions)))

    async def customer_balances(self, organization_id: str, customer_id: str) -> builtins.list[AccountBalance]:
        e = ledger_entries.c
        return await self._sums(e.organization_id == organization_id, e.customer_id == customer_id)


# ------------------------------------------------------------------ invoice runs

_COUNTS = ("customers_total", "customers_done", "invoices_created", "invoices_updated", "invoices_finalized",
           "sessions_invoiced")


def _run_row(r: InvoiceRun) -> dict[str, Any]:
    return {"id": r.id, "organization_id": r.organization_id, "period_start": r.period_start,
            "period_end": r.period_end, "finalize": r.finalize, "status": r.status.value,
            "counts": {name: getattr(r, name) for name in _COUNTS}, "created_at": r.created_at,
            "started_at": r.started_at, "finished_at": r.finished_at, "error": r.error}


def _run_from(row: Row[Any]) -> InvoiceRun:
    return InvoiceRun(id=row.id, organization_id=row.organization_id, period_start=row.period_start,
                      period_end=row.period_end, finalize=row.finalize, created_at=row.created_at,
                      status=RunStatus(row.status), started_at=row.started_at, finished_at=row.finished_at,
                      error=row.error, **{name: int(row.counts.get(name, 0)) for name in _COUNTS})


class SqlInvoiceRuns:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, run: InvoiceRun) -> None:
        await insert_or_conflict(self._connection, invoice_runs, _run_row(run), "invoice run exists")

    async def get(self, organization_id: str, run_id: str) -> InvoiceRun | None:
        t = invoice_runs.c
        row = (await self._connection.execute(select(invoice_runs).where(
            t.organization_id == organization_id, t.id == run_id))).first()
        return _run_from(row) if row is not None else None

    async def save(self, run: InvoiceRun) -> None:
        await upsert(self._connection, invoice_runs, _run_row(run),
                     {"organization_id": run.organization_id, "id": run.id}, "invoice run exists")

    async def unfinished(self) -> builtins.list[InvoiceRun]:
        t = invoice_runs.c
        rows = await self._connection.execute(select(invoice_runs).where(
            t.status.in_([RunStatus.PENDING.value, RunStatus.RUNNING.value])).order_by(t.id))
        return [_run_from(row) for row in rows]

    async def latest_for_period(self, organization_id: str, period_start: date,
                                period_end: date) -> InvoiceRun | None:
        t = invoice_runs.c
        row = (await self._connection.execute(select(invoice_runs).where(
            t.organization_id == organization_id, t.period_start == period_start, t.period_end == period_end)
            .order_by(t.id.desc()).limit(1))).first()
        return _run_from(row) if row is not None else None


__all__ = ["SqlCharges", "SqlCounters", "SqlCustomers", "SqlInvoiceRuns", "SqlInvoices", "SqlLedger"]
