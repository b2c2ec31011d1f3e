"""Reconciliation of a period: the money that moved, as the payment records say and as the ledger booked it.

For a period (dates of the organization's time zone, ``to`` exclusive) it lists the payments recorded on
invoices (matched), the bank statement credits that matched nothing (unmatched), the refunds and chargebacks,
and each customer's open balance now. Then, per currency, it compares two independent sums of the money
received: the ledger's (the movement of ``bank`` and ``payment_clearing``, from the transactions the postings
made) and the records' (payments − refunds − chargebacks + chargebacks won, from the invoices, refunds and
chargebacks themselves). Their ``difference`` is zero when the books agree; anything else is a posting missing,
doubled or wrong (money the ledger holds that no record explains, or the other way round).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from attrs import frozen

from application.authorization import Action, Actor, authorize
from application.ports import UnitOfWorkFactory
from application.ports.payment_records import StatementLine, StatementLineStatus
from domain.billing.chargebacks import Chargeback, ChargebackStatus
from domain.billing.ledger import BANK, PAYMENT_CLEARING
from domain.errors import InvalidInput, NotFound

_ZERO = Decimal(0)
MAX_DAYS = 366
_EPSILON = timedelta(microseconds=1)


@frozen
class MatchedPayment:
    payment_id: str
    invoice_id: str
    invoice_number: str | None
    customer_id: str
    amount: Decimal
    currency: str
    method: str
    provider_reference: str | None
    received_on: date
    recorded_at: datetime


@frozen
class RefundLine:
    refund_id: str
    payment_id: str
    invoice_id: str
    invoice_number: str | None
    customer_id: str
    amount: Decimal
    currency: str
    method: str
    provider_reference: str | None
    reason: str
    created_at: datetime


@frozen
class OpenBalance:
    customer_id: str
    currency: str
    amount_due: Decimal
    invoices: int


@frozen
class CurrencyTotals:
    currency: str
    payments: Decimal
    refunds: Decimal
    chargebacks: Decimal
    chargebacks_won: Decimal
    ledger: Decimal                  # the movement of bank + payment_clearing over the period

    @property
    def records(self) -> Decimal:
        return self.payments - self.refunds - self.chargebacks + self.chargebacks_won

    @property
    def difference(self) -> Decimal:
        return self.ledger - self.records


@frozen
class Reconciliation:
    start: date
    end: date
    matched: tuple[MatchedPayment, ...]
    unmatched: tuple[StatementLine, ...]
    refunds: tuple[RefundLine, ...]
    chargebacks: tuple[Chargeback, ...]
    open_balances: tuple[OpenBalance, ...]
    totals: tuple[CurrencyTotals, ...]

    @property
    def difference(self) -> dict[str, Decimal]:
        return {t.currency: t.difference for t in self.totals}

    @property
    def balanced(self) -> bool:
        return all(t.difference == 0 for t in self.totals)


def _instants(start: date, end: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    return (datetime.combine(start, time(), zone), datetime.combine(end, time(), zone))


async def reconcile(start: date, end: date, actor: Actor, organization_id: str, *,
                    uow_factory: UnitOfWorkFactory) -> Reconciliation:
    if end <= start:
        raise InvalidInput.field("to", "must be after `from`")
    if (end - start).days > MAX_DAYS:
        raise InvalidInput.field("to", f"a period is at most {MAX_DAYS} days")
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        organization = await uow.organizations.get(organization_id)
        if organization is None:
            raise NotFound("organization", organization_id)
        begin, finish = _instants(start, end, ZoneInfo(organization.settings.timezone))
        invoices = await uow.invoices.with_money_between(organization_id, begin, finish)
        lines = await uow.statement_lines.between(organization_id, start, end)
        chargebacks = await uow.chargebacks.between(organization_id, begin, finish)
        open_invoices = await uow.invoices.open_invoices(organization_id)
        before = await uow.ledger.trial_balance(organization_id, begin - _EPSILON)
        after = await uow.ledger.trial_balance(organization_id, finish - _EPSILON)
    matched = tuple(MatchedPayment(p.id, i.id, i.number, i.customer_id, p.amount, i.currency, p.method,
                                   p.provider_reference, p.received_on, p.recorded_at)
                    for i in invoices for p in i.payments
                    if p.recorded_at is not None and begin <= p.recorded_at < finish)
    refunds = tuple(RefundLine(r.id, r.payment_id, i.id, i.number, i.customer_id, r.amount, i.currency, r.method,
                               r.provider_reference, r.reason, r.created_at)
                    for i in invoices for r in i.refunds if begin <= r.created_at < finish)
    balances: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [_ZERO, _ZERO])
    for invoice in open_invoices:
        entry = balances[(invoice.customer_id, invoice.currency)]
        entry[0] += invoice.amount_due
        entry[1] += 1
    sums: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: _ZERO))
    for payment in matched:
        sums[payment.currency]["payments"] += payment.amount
    for refund in refunds:
        sums[refund.currency]["refunds"] += refund.amount
    for chargeback in chargebacks:
        if begin <= chargeback.opened_at < finish:
            sums[chargeback.currency]["chargebacks"] += chargeback.amount
        if (chargeback.status is ChargebackStatus.WON and chargeback.closed_at is not None
                and begin <= chargeback.closed_at < finish):
            sums[chargeback.currency]["won"] += chargeback.amount
    for balance, sign in ((after, 1), (before, -1)):
        for row in balance.accounts:
            if row.account in (BANK, PAYMENT_CLEARING):
                sums[row.currency]["ledger"] += sign * (row.debits - row.credits)
    totals = tuple(CurrencyTotals(currency, s["payments"], s["refunds"], s["chargebacks"], s["won"], s["ledger"])
                   for currency, s in sorted(sums.items()))
    return Reconciliation(
        start=start, end=end, matched=matched,
        unmatched=tuple(line for line in lines if line.status is StatementLineStatus.UNMATCHED),
        refunds=refunds, chargebacks=tuple(chargebacks),
        open_balances=tuple(OpenBalance(c, cur, v[0], int(v[1])) for (c, cur), v in sorted(balances.items())),
        totals=totals)
