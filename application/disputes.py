"""Billing disputes: a driver files one against a session from the portal, an operator reviews it with the
evidence the core assembles by itself, answers, and resolves it; an accepted or partially accepted
dispute is settled with a credit note and, for what was paid already, a refund through the provider that
took the payment. The driver is emailed at each change (through the mail outbox, with the change).

Settling happens in two steps so that no payment provider is called inside a database transaction:
- ``resolve_dispute`` decides, and in the same transaction issues the credit note on the session's
  invoice (if it is finalized; a session not invoiced yet, or on a draft, waits for its invoice:
  ``settle_awaiting_disputes`` credits it when the invoice is finalized, so the credit lowers what the
  customer owes);
- the ``DisputeResolved`` handler (``refund_resolved_dispute``) refunds what the credit note covers of
  money already paid (``application.refunds``), once: the refund has its id before the provider is asked.
A card network's chargeback (``open_card_network_dispute``) is a dispute too (``source: card_network``); as
the network took the money back itself, settling one issues the credit note and refunds nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal

from attrs import evolve, frozen

from application.authorization import Action, Actor, authorize
from application.invoices import finalize_in
from application.pagination import Page, PageRequest
from application.payment_providers import PaymentProviders
from application.portal_access import DriverActor
from application.ports import Clock, UnitOfWork, UnitOfWorkFactory
from application.ports.billing import TransactionFilter
from application.ports.mail import EmailMessage, OutboundEmail
from application.ports.payments import PaymentStatus
from application.ports.portal import DisputeFilter, OcppFrame
from application.refunds import refund_credit_note
from domain.billing import postings
from domain.billing.events import ChargebackOpened, InvoiceFinalized
from domain.billing.invoices import Invoice, InvoiceKind, InvoiceStatus, credit_note_for
from domain.billing.ledger import LedgerTransaction
from domain.charging import Anomaly, ChargingSession, MeterSample, SessionStatus
from domain.errors import Conflict, InvalidInput, NotFound
from domain.identity import Organization
from domain.ids import PREFIXES, is_id, new_id
from domain.money import Money
from domain.portal import Dispute, DisputeComment, DisputeOutcome, DisputeSource, Settlement, SettlementStatus
from domain.portal.disputes import Visibility
from domain.portal.events import DisputeResolved
from domain.pricing.tariff_records import TariffRecord

log = logging.getLogger("charge.disputes")
PAGE_ALL = PageRequest(limit=100)


@frozen
class FileDispute:
    session_id: str
    description: str
    expected_cost: Money


@frozen
class Resolution:
    outcome: DisputeOutcome
    note: str
    refund_amount: Money | None = None


@frozen
class CommentRequest:
    body: str
    visibility: Visibility = Visibility.INTERNAL


@frozen
class Chargeback:
    """A card network's chargeback as a payment provider reports it (issue 11's webhook hands it over)."""

    organization_id: str
    invoice_id: str
    provider_dispute_id: str
    amount: Money
    reason: str


@frozen
class DisputeView:
    """A dispute with its comments: all of them for an operator, the public ones for the driver."""

    dispute: Dispute
    comments: tuple[DisputeComment, ...]


@frozen
class Evidence:
    """What an operator needs to judge a dispute, assembled from what the core kept."""

    session: ChargingSession | None
    frames: tuple[OcppFrame, ...]
    samples: tuple[MeterSample, ...]
    anomalies: tuple[Anomaly, ...]
    tariff: TariffRecord | None          # the version that priced the session, alone
    invoice: Invoice | None
    credit_notes: tuple[Invoice, ...]
    transactions: tuple[LedgerTransaction, ...]


@frozen
class DisputeDetail:
    view: DisputeView
    evidence: Evidence


# ---------------------------------------------------------------------------------------------- the driver


async def file_dispute(driver: DriverActor, cmd: FileDispute, *, uow_factory: UnitOfWorkFactory,
                       clock: Clock) -> Dispute:
    now = clock.now()
    async with uow_factory() as uow:
        session = await _own_session(uow, driver, cmd.session_id)
        if session.status is not SessionStatus.COMPLETED or session.stopped_at is None:
            raise Conflict("only a completed session can be disputed")
        organization = await _organization(uow, driver.organization_id)
        billed = Money(session.cost.total, session.cost.currency) if session.cost is not None else None
        if billed is None and cmd.expected_cost.currency != organization.settings.currency:
            raise InvalidInput.field("expected_cost.currency",
                                     f"the organization bills in {organization.settings.currency}")
        dispute = Dispute.file(id=new_id(PREFIXES["dispute"]), organization_id=driver.organization_id,
                               session_id=session.id, driver_id=driver.driver_id, description=cmd.description,
                               expected_cost=cmd.expected_cost, billed=billed, session_ended_at=session.stopped_at,
                               window_days=organization.settings.billing.dispute_window_days, now=now)
        if await uow.disputes.active_for_session(driver.organization_id, session.id) is not None:
            raise Conflict("this session has an open dispute already")
        charge = await uow.charges.get(driver.organization_id, session.id)
        dispute.invoice_id = charge.invoice_id if charge is not None else None
        await uow.disputes.add(dispute)
        await _email_driver(uow, dispute, organization, now, f"We received your dispute {dispute.id}",
                            f"We received your dispute of session {session.id}. We will look into it and write "
                            f"to you when its status changes.\n\nWhat you told us:\n{dispute.description}")
        await uow.commit()
    return dispute


async def list_my_disputes(driver: DriverActor, page: PageRequest, *, uow_factory: UnitOfWorkFactory,
                           session_id: str | None = None) -> Page[Dispute]:
    """Newest first; ``session_id``: those of one session (a session's page shows its disputes)."""
    async with uow_factory(read_only=True) as uow:
        return await uow.disputes.list(driver.organization_id,
                                       DisputeFilter(driver_id=driver.driver_id, session_id=session_id), page)


async def get_my_dispute(driver: DriverActor, dispute_id: str, *, uow_factory: UnitOfWorkFactory) -> DisputeView:
    async with uow_factory(read_only=True) as uow:
        dispute = await _own_dispute(uow, driver, dispute_id)
        comments = await uow.disputes.comments(driver.organization_id, dispute.id, public_only=True)
    return DisputeView(dispute, tuple(comments))


async def withdraw_dispute(driver: DriverActor, dispute_id: str, *, uow_factory: UnitOfWorkFactory,
                           clock: Clock) -> Dispute:
    now = clock.now()
    async with uow_factory() as uow:
        dispute = await _own_dispute(uow, driver, dispute_id, lock=True)
        dispute.withdraw(now)
        await uow.disputes.save(dispute)
        organization = await _organization(uow, driver.organization_id)
        await _email_driver(uow, dispute, organization, now, f"Your dispute {dispute.id} was withdrawn",
                            "You withdrew your dispute; nothing more will happen with it.")
        await uow.commit()
    return dispute


async def _own_session(uow: UnitOfWork, driver: DriverActor, session_id: str) -> ChargingSession:
    session = await uow.sessions.get(driver.organization_id, session_id)
    if session is None or session.driver_id != driver.driver_id:
        raise NotFound("session", session_id)
    return session


async def _own_dispute(uow: UnitOfWork, driver: DriverActor, dispute_id: str, *, lock: bool = False) -> Dispute:
    dispute = await uow.disputes.get(driver.organization_id, dispute_id, for_update=lock)
    if dispute is None or dispute.driver_id != driver.driver_id:
        raise NotFound("dispute", dispute_id)
    return dispute


# ---------------------------------------------------------------------------------------------- the operator


async def list_disputes(actor: Actor, organization_id: str, filters: DisputeFilter, page: PageRequest, *,
                        uow_factory: UnitOfWorkFactory) -> Page[Dispute]:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        return await uow.disputes.list(organization_id, filters, page)


async def get_dispute(dispute_id: str, actor: Actor, organization_id: str, *,
                      uow_factory: UnitOfWorkFactory) -> DisputeDetail:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        dispute = await _dispute(uow, organization_id, dispute_id)
        comments = await uow.disputes.comments(organization_id, dispute.id, public_only=False)
        evidence = await _evidence(uow, dispute)
    return DisputeDetail(DisputeView(dispute, tuple(comments)), evidence)


async def _evidence(uow: UnitOfWork, dispute: Dispute) -> Evidence:
    org = dispute.organization_id
    session = await uow.sessions.get(org, dispute.session_id) if dispute.session_id else None
    frames: list[OcppFrame] = []
    samples: list[MeterSample] = []
    anomalies: list[Anomaly] = []
    tariff = None
    invoice_id = dispute.invoice_id
    if session is not None:
        frames = await uow.ocpp_frames.of_transaction(org, session.charge_point_id, session.transaction_id)
        samples = await uow.sessions.samples(org, session.id)
        anomalies = await uow.sessions.anomalies(org, session.id) if session.flagged else []
        if session.tariff_id is not None:
            record = await uow.tariffs.get(org, session.tariff_id)
            if record is not None and session.tariff_version is not None:
                version = record.version(session.tariff_version)
                tariff = TariffRecord(id=record.id, organization_id=org, created_at=record.created_at,
                                      versions=[version])
        charge = await uow.charges.get(org, session.id)
        invoice_id = charge.invoice_id if charge is not None and charge.invoice_id else invoice_id
    invoice = await uow.invoices.get(org, invoice_id) if invoice_id else None
    notes = await uow.invoices.credit_notes(org, invoice.id) if invoice is not None else []
    transactions: dict[str, LedgerTransaction] = {}
    filters = []
    if session is not None:
        filters.append(TransactionFilter(session_id=session.id))
    if invoice is not None:
        filters.append(TransactionFilter(invoice_id=invoice.id))
    for f in filters:
        for transaction in (await uow.ledger.list(org, f, PAGE_ALL)).items:
            transactions[transaction.id] = transaction
    ordered = sorted(transactions.values(), key=lambda t: (t.posted_at, t.id))
    return Evidence(session, tuple(frames), tuple(samples), tuple(anomalies), tariff, invoice, tuple(notes),
                    tuple(ordered))


async def assign_dispute(dispute_id: str, assignee_id: str | None, actor: Actor, organization_id: str, *,
                         uow_factory: UnitOfWorkFactory, clock: Clock) -> Dispute:
    """Give the dispute to a member (the caller by default): it is under review from then on."""
    now = clock.now()
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        if assignee_id is None:
            assignee_id = actor.label
        elif not is_id(assignee_id, "usr") or await uow.members.get(organization_id, assignee_id) is None:
            raise InvalidInput.field("assignee_id", "must be a member of the organization (usr_…)")
        dispute = await _dispute(uow, organization_id, dispute_id, lock=True)
        was = dispute.status
        dispute.assign(assignee_id, now)
        await uow.disputes.save(dispute)
        if was is not dispute.status:
            organization = await _organization(uow, organization_id)
            await _email_driver(uow, dispute, organization, now, f"Your dispute {dispute.id} is under review",
                                "Someone is now looking into your dispute. We will write again when it is decided.")
        await uow.commit()
    return dispute


async def comment_on_dispute(dispute_id: str, cmd: CommentRequest, actor: Actor, organization_id: str, *,
                             uow_factory: UnitOfWorkFactory, clock: Clock) -> DisputeComment:
    """An internal note, or a public reply the driver reads in the portal (and is emailed)."""
    now = clock.now()
    body = DisputeComment.validate(cmd.body)
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        dispute = await _dispute(uow, organization_id, dispute_id, lock=True)
        comment = DisputeComment(id=new_id(PREFIXES["dispute_comment"]), organization_id=organization_id,
                                 dispute_id=dispute.id, author_id=actor.label, visibility=cmd.visibility, body=body,
                                 created_at=now)
        if cmd.visibility is Visibility.PUBLIC:
            dispute.review(now)
            await uow.disputes.save(dispute)
            organization = await _organization(uow, organization_id)
            await _email_driver(uow, dispute, organization, now, f"A reply about your dispute {dispute.id}", body)
        await uow.disputes.add_comment(comment)
        await uow.commit()
    return comment


async def resolve_dispute(dispute_id: str, cmd: Resolution, actor: Actor, organization_id: str, *,
                          uow_factory: UnitOfWorkFactory, clock: Clock) -> Dispute:
    now = clock.now()
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        dispute = await _dispute(uow, organization_id, dispute_id, lock=True)
        refund = cmd.refund_amount
        if refund is not None and dispute.billed is not None and refund.currency != dispute.billed.currency:
            raise InvalidInput.field("refund_amount.currency", f"the session was billed in {dispute.billed.currency}")
        dispute.resolve(cmd.outcome, refund.amount if refund is not None else None, cmd.note, now)
        organization = await _organization(uow, organization_id)
        dispute.settle(await _credit(uow, dispute, organization, now), now)
        await uow.disputes.save(dispute)
        await _email_driver(uow, dispute, organization, now, f"Your dispute {dispute.id} was decided",
                            _decision_text(dispute))
        await uow.commit()
    return dispute


async def _credit(uow: UnitOfWork, dispute: Dispute, organization: Organization, now: datetime) -> Settlement:
    """The credit note a resolution gives, on the session's finalized invoice (in this unit of work)."""
    amount = dispute.refund_amount or Decimal(0)
    if amount <= 0:
        return Settlement()
    invoice_id = dispute.invoice_id
    if dispute.session_id is not None:
        charge = await uow.charges.get(dispute.organization_id, dispute.session_id)
        invoice_id = charge.invoice_id if charge is not None and charge.invoice_id else invoice_id
    invoice = await uow.invoices.get(dispute.organization_id, invoice_id, for_update=True) if invoice_id else None
    if invoice is None or invoice.status is InvoiceStatus.DRAFT:
        return Settlement(SettlementStatus.AWAITING_INVOICE)
    if invoice.status not in (InvoiceStatus.OPEN, InvoiceStatus.PAID):
        return Settlement(error=f"invoice {invoice.label} is {invoice.status.value}: nothing is left to credit")
    customer = await uow.customers.get(dispute.organization_id, invoice.customer_id)
    if customer is None:
        raise NotFound("customer", invoice.customer_id)
    amount = min(amount, invoice.creditable)
    due_before = invoice.amount_due
    note = credit_note_for(invoice, id=new_id(PREFIXES["invoice"]), amount=amount, lines=None,
                           reason=f"Dispute {dispute.id} {dispute.outcome.value if dispute.outcome else ''}".strip(),
                           now=now)
    await finalize_in(uow, note, organization, customer, now)
    invoice.credit(note, now)
    await uow.invoices.add(note)
    await uow.invoices.save(invoice)
    # What the credit note covers beyond what was still owed had been paid: it goes back through the provider.
    # A chargeback's money went back through the card network already: the chargeback pays that part.
    paid_back = max(note.total - due_before, Decimal(0))
    refund = paid_back if dispute.source is DisputeSource.DRIVER else Decimal(0)
    if dispute.source is DisputeSource.CARD_NETWORK and dispute.billed is not None:
        taken = dispute.billed.amount - (dispute.expected_cost.amount if dispute.expected_cost else Decimal(0))
        transaction = postings.chargeback_credited(
            organization_id=dispute.organization_id, customer_id=invoice.customer_id, invoice_id=invoice.id,
            dispute_id=dispute.id, amount=min(paid_back, taken), currency=invoice.currency,
            id=new_id(PREFIXES["ledger_transaction"]), posted_at=now)
        if transaction is not None:
            await uow.ledger.post(transaction)
    return Settlement(SettlementStatus.REFUND_DUE if refund else SettlementStatus.CREDITED, credit_note_id=note.id,
                      credit_note_number=note.number, credited=note.total, refund_amount=refund or None,
                      refund_id=new_id(PREFIXES["refund"]) if refund else None)


async def refund_resolved_dispute(event: DisputeResolved, *, uow_factory: UnitOfWorkFactory,
                                  providers: PaymentProviders | None, clock: Clock) -> None:
    """After a resolution committed: pay back what the credit note covers of money paid already (once)."""
    async with uow_factory(read_only=True) as uow:
        dispute = await uow.disputes.get(event.organization_id, event.dispute_id)
    if dispute is None or dispute.settlement.status is not SettlementStatus.REFUND_DUE:
        return
    s = dispute.settlement
    assert s.refund_id is not None and s.refund_amount is not None and s.credit_note_id is not None
    async with uow_factory(read_only=True) as uow:
        note = await uow.invoices.get(event.organization_id, s.credit_note_id)
    if note is None or note.corrects is None:
        return
    outcome = await refund_credit_note(organization_id=event.organization_id, invoice_id=note.corrects,
                                       credit_note_id=note.id, refund_id=s.refund_id, amount=s.refund_amount,
                                       reason=f"dispute {dispute.id}", uow_factory=uow_factory, providers=providers,
                                       clock=clock)
    now = clock.now()
    async with uow_factory() as uow:
        dispute = await uow.disputes.get(event.organization_id, event.dispute_id, for_update=True)
        if dispute is None or dispute.settlement.status is not SettlementStatus.REFUND_DUE:
            return
        failed = outcome.status is PaymentStatus.FAILED
        dispute.settle(evolve(dispute.settlement, status=SettlementStatus.REFUND_FAILED if failed
                              else SettlementStatus.REFUNDED, refund_provider=outcome.provider,
                              refund_reference=outcome.provider_reference,
                              refund_instructions=outcome.instructions, error=outcome.error), now)
        await uow.disputes.save(dispute)
        organization = await _organization(uow, event.organization_id)
        money = f"{s.refund_amount} {dispute.billed.currency if dispute.billed else ''}".strip()
        await _email_driver(uow, dispute, organization, now, f"Your refund for dispute {dispute.id}",
                            f"We could not refund {money} to your payment method; it stays as a credit on your "
                            "account." if failed else f"{money} is on its way back to you ({outcome.provider}).")
        await uow.commit()


async def settle_awaiting_disputes(event: InvoiceFinalized, *, uow_factory: UnitOfWorkFactory) -> None:
    """An invoice was finalized: disputes of its sessions resolved before it existed are credited on it now."""
    if event.kind != InvoiceKind.INVOICE.value:
        return
    async with uow_factory() as uow:
        invoice = await uow.invoices.get(event.organization_id, event.invoice_id)
        if invoice is None:
            return
        waiting = await uow.disputes.awaiting_invoice(event.organization_id,
                                                      [s.session_id for s in invoice.sessions])
        if not waiting:
            return
        organization = await _organization(uow, event.organization_id)
        now = event.occurred_at
        for dispute in waiting:
            dispute.invoice_id = invoice.id
            dispute.settle(await _credit(uow, dispute, organization, now), now)
            await uow.disputes.save(dispute)
            await _email_driver(uow, dispute, organization, now, f"Your credit for dispute {dispute.id}",
                                _decision_text(dispute))
        await uow.commit()


async def open_card_network_dispute(chargeback: Chargeback, *, uow_factory: UnitOfWorkFactory,
                                    clock: Clock) -> Dispute:
    """Record a chargeback as a dispute marked ``card_network`` (once per provider dispute id)."""
    now = clock.now()
    org = chargeback.organization_id
    async with uow_factory() as uow:
        known = await uow.disputes.by_provider_id(org, chargeback.provider_dispute_id)
        if known is not None:
            return known
        invoice = await uow.invoices.get(org, chargeback.invoice_id)
        if invoice is None:
            raise NotFound("invoice", chargeback.invoice_id)
        if chargeback.amount.currency != invoice.currency:
            raise InvalidInput.field("amount.currency", f"the invoice is in {invoice.currency}")
        customer = await uow.customers.get(org, invoice.customer_id)
        session_id = invoice.sessions[0].session_id if len(invoice.sessions) == 1 else None
        dispute = Dispute.chargeback(id=new_id(PREFIXES["dispute"]), organization_id=org, invoice_id=invoice.id,
                                     provider_dispute_id=chargeback.provider_dispute_id, amount=chargeback.amount,
                                     billed=Money(invoice.total, invoice.currency), reason=chargeback.reason,
                                     session_id=session_id, driver_id=customer.driver_id if customer else None,
                                     now=now)
        await uow.disputes.add(dispute)
        await uow.commit()
    return dispute


async def dispute_from_chargeback(event: ChargebackOpened, *, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
    """A chargeback the payment provider reported (``application.provider_events``) shows in the disputes workflow
    as a ``card_network`` dispute, once."""
    async with uow_factory(read_only=True) as uow:
        chargeback = await uow.chargebacks.get(event.organization_id, event.chargeback_id)
    if chargeback is None:
        return
    await open_card_network_dispute(Chargeback(
        organization_id=chargeback.organization_id, invoice_id=chargeback.invoice_id,
        provider_dispute_id=chargeback.provider_reference, amount=Money(chargeback.amount, chargeback.currency),
        reason=chargeback.reason), uow_factory=uow_factory, clock=clock)


async def _dispute(uow: UnitOfWork, organization_id: str, dispute_id: str, *, lock: bool = False) -> Dispute:
    dispute = await uow.disputes.get(organization_id, dispute_id, for_update=lock)
    if dispute is None:
        raise NotFound("dispute", dispute_id)
    return dispute


async def _organization(uow: UnitOfWork, organization_id: str) -> Organization:
    organization = await uow.organizations.get(organization_id)
    if organization is None:
        raise NotFound("organization", organization_id)
    return organization


def _decision_text(dispute: Dispute) -> str:
    outcome = (dispute.outcome or DisputeOutcome.REJECTED).value.replace("_", " ")
    currency = dispute.billed.currency if dispute.billed else ""
    lines = [f"Your dispute was {outcome}.", "", dispute.resolution_note or ""]
    s = dispute.settlement
    if s.status is SettlementStatus.AWAITING_INVOICE:
        lines += ["", f"{dispute.refund_amount} {currency} will be credited on your next invoice."]
    elif s.credit_note_number:
        lines += ["", f"Credit note {s.credit_note_number} credits {s.credited} {currency}."]
        if s.refund_amount:
            lines += [f"{s.refund_amount} {currency} you paid already will be refunded to you."]
        else:
            lines += ["It lowers what you owe on your invoice."]
    return "\n".join(lines).strip()


async def _email_driver(uow: UnitOfWork, dispute: Dispute, organization: Organization, now: datetime, subject: str,
                        body: str) -> None:
    """Tell the driver (stored in the outbox with the change, so it leaves only if the change is kept)."""
    if dispute.driver_id is None:
        return
    driver = await uow.drivers.get(dispute.organization_id, dispute.driver_id)
    if driver is None or not driver.email:
        return
    text = (f"Hello {driver.name},\n\n{body}\n\nDispute {dispute.id} · status: {dispute.status.value.replace('_', ' ')}"
            f"\nYou can follow it in the driver portal.\n\n{organization.name}\n")
    await uow.outbox.add(OutboundEmail(id=new_id(PREFIXES["email"]), created_at=now,
                                       message=EmailMessage(to=driver.email, subject=subject, text=text)))
