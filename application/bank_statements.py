"""Bank statements: credits on the organization's account, matched to invoices by their ISO 11649 structured
reference (``RF…``, which the invoice and its email ask the customer to quote).

A credit whose reference is an open invoice's, in its currency and at most what is still due, is recorded as a
bank-transfer payment on it; every other credit is kept unmatched, for reconciliation to list. A line is known
by the bank's reference of the entry: importing a statement again (or one that overlaps) records nothing twice.
All of a statement is imported in one unit of work, or none of it.
"""

from __future__ import annotations

import re
from decimal import Decimal

from attrs import frozen

from application.authorization import Action, Actor, authorize
from application.ports import Clock, UnitOfWorkFactory
from application.ports.payment_records import StatementLine, StatementLineStatus
from application.ports.statements import StatementReader
from domain.billing.documents import is_creditor_reference
from domain.billing.invoices import Invoice, InvoiceStatus, Payment
from domain.ids import PREFIXES, new_id

_RF = re.compile(r"RF\s?[0-9]{2}(?:\s?[A-Z0-9]){1,21}", re.IGNORECASE)


@frozen
class ImportResult:
    lines: tuple[StatementLine, ...]       # the new lines, matched or not
    duplicates: int                        # lines imported before, skipped

    @property
    def matched(self) -> tuple[StatementLine, ...]:
        return tuple(line for line in self.lines if line.status is StatementLineStatus.MATCHED)

    @property
    def unmatched(self) -> tuple[StatementLine, ...]:
        return tuple(line for line in self.lines if line.status is StatementLineStatus.UNMATCHED)


def structured_reference(text: str | None) -> str | None:
    """The valid RF reference in a remittance text, compact (``RF18 5390 0754 7034`` → ``RF18539007547034``)."""
    for candidate in _RF.findall(text or ""):
        compact = re.sub(r"\s", "", candidate).upper()
        if is_creditor_reference(compact):
            return compact
    return None


def _takes(invoice: Invoice | None, currency: str, amount: Decimal) -> bool:
    return (invoice is not None and invoice.status is InvoiceStatus.OPEN and invoice.currency == currency
            and 0 < amount <= invoice.amount_due)


async def import_statement(content: bytes, media_type: str, actor: Actor, organization_id: str, *,
                           uow_factory: UnitOfWorkFactory, reader: StatementReader, clock: Clock) -> ImportResult:
    entries = reader.read(content, media_type)
    now = clock.now()
    lines: list[StatementLine] = []
    duplicates = 0
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        for entry in entries:
            reference = structured_reference(entry.reference)
            invoice = (await uow.invoices.find_by_creditor_reference(organization_id, reference)
                       if reference else None)
            if invoice is not None:
                invoice = await uow.invoices.get(organization_id, invoice.id, for_update=True)
            matched = _takes(invoice, entry.currency, entry.amount)
            line = StatementLine(id=new_id(PREFIXES["statement_line"]), organization_id=organization_id,
                                 key=entry.key, booked_on=entry.booked_on, amount=entry.amount,
                                 currency=entry.currency, reference=entry.reference, counterparty=entry.counterparty,
                                 status=StatementLineStatus.MATCHED if matched else StatementLineStatus.UNMATCHED,
                                 imported_at=now)
            if matched and invoice is not None:
                line.invoice_id, line.payment_id = invoice.id, new_id(PREFIXES["payment"])
            if not await uow.statement_lines.add(line):
                duplicates += 1
                continue
            if matched and invoice is not None and line.payment_id is not None:
                invoice.record_payment(Payment(id=line.payment_id, amount=entry.amount, received_on=entry.booked_on,
                                               reference=reference, method="bank_transfer", recorded_at=now),
                                       entry.currency, now)
                await uow.invoices.save(invoice)
            lines.append(line)
        await uow.commit()
    return ImportResult(tuple(lines), duplicates)
