"""The ledger's side of domain events: each money event posts one balanced transaction, once.

Handlers run after the commit that raised the event (``application.events``) and may run again after a
crash: a posting is unique on its source (the repository answers False to a second one), and a
session's charge is unique on its session, so each runs any number of times to the same books.
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from application.customers import customer_of_session
from application.ports import Clock, UnitOfWork, UnitOfWorkFactory
from domain.billing import postings
from domain.billing.charges import Charge, charge_lines
from domain.billing.events import (
    InvoiceFinalized,
    InvoiceMarkedUncollectible,
    InvoiceVoided,
    PaymentRecorded,
    RefundRecorded,
)
from domain.billing.invoices import InvoiceSession
from domain.billing.ledger import LedgerTransaction
from domain.charging.events import SessionPriced
from domain.ids import PREFIXES, new_id

log = logging.getLogger("charge.billing")


def _txn() -> str:
    return new_id(PREFIXES["ledger_transaction"])


async def _post(uow: UnitOfWork, transaction: LedgerTransaction | None) -> None:
    """Books ``transaction``; None (the event moved no money) books nothing."""
    if transaction is not None:
        await uow.ledger.post(transaction)


async def book_priced_session(event: SessionPriced, *, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
    """A session priced: its charge waits for an invoice (billed to whoever pays for it: its driver's customer, or
    its fleet's) and the ledger books
    unbilled receivable against charging revenue, net of VAT, in one transaction."""
    async with uow_factory() as uow:
        if await uow.charges.get(event.organization_id, event.session_id) is not None:
            return
        session = await uow.sessions.get(event.organization_id, event.session_id)
        organization = await uow.organizations.get(event.organization_id)
        if session is None or session.cost is None or session.started_at is None or organization is None:
            return
        customer = await customer_of_session(uow, organization, session, clock)
        customer_id = customer.id if customer is not None else None
        charge_point = await uow.charge_points.find(session.charge_point_id)
        location = (await uow.locations.get(organization.id, charge_point.location_id)
                    if charge_point is not None else None)
        zone = ZoneInfo(location.timezone if location else organization.settings.timezone)
        lines = charge_lines(session.cost.breakdown, session_id=session.id, started_at=session.started_at, zone=zone,
                             no_vat=organization.settings.billing.no_vat)
        cost = session.cost
        charge = Charge(id=session.id, organization_id=organization.id, customer_id=customer_id,
                        currency=cost.currency, started_at=session.started_at, lines=lines,
                        session=InvoiceSession(session_id=session.id, started_at=session.started_at.astimezone(zone),
                                               stopped_at=session.stopped_at.astimezone(zone)
                                               if session.stopped_at else None,
                                               location=location.name if location else "",
                                               charge_point_id=session.charge_point_id,
                                               energy_kwh=session.energy_kwh, net_amount=cost.total_excl_vat))
        if customer_id is None:
            log.warning("a priced session has no driver to bill", extra={"session_id": session.id})
        await uow.charges.add(charge)
        await _post(uow, postings.session_priced(charge, id=_txn(), posted_at=event.occurred_at))
        await uow.commit()


async def post_invoice_finalized(event: InvoiceFinalized, *, uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        invoice = await uow.invoices.get(event.organization_id, event.invoice_id)
        if invoice is None:
            return
        await _post(uow, postings.invoice_finalized(invoice, id=_txn(), posted_at=event.occurred_at))
        await uow.commit()


async def post_payment(event: PaymentRecorded, *, uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        invoice = await uow.invoices.get(event.organization_id, event.invoice_id)
        payment = next((p for p in invoice.payments if p.id == event.payment_id), None) if invoice else None
        if invoice is None or payment is None:
            return
        await _post(uow, postings.payment_received(invoice, payment, id=_txn(), posted_at=event.occurred_at))
        await uow.commit()


async def post_void(event: InvoiceVoided, *, uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        invoice = await uow.invoices.get(event.organization_id, event.invoice_id)
        if invoice is None:
            return
        await _post(uow, postings.invoice_voided(invoice, id=_txn(), posted_at=event.occurred_at))
        await uow.commit()


async def post_write_off(event: InvoiceMarkedUncollectible, *, uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        invoice = await uow.invoices.get(event.organization_id, event.invoice_id)
        transaction = postings.written_off(invoice, id=_txn(), posted_at=event.occurred_at) if invoice else None
        if transaction is None:
            return
        await uow.ledger.post(transaction)
        await uow.commit()


async def post_refund(event: RefundRecorded, *, uow_factory: UnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        invoice = await uow.invoices.get(event.organization_id, event.invoice_id)
        refund = next((r for r in invoice.refunds if r.id == event.refund_id), None) if invoice else None
        if invoice is None or refund is None:
            return
        await _post(uow, postings.refunded(invoice, refund, id=_txn(), posted_at=event.occurred_at))
        await uow.commit()
