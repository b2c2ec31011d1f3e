"""Hypothesis, stateful: whatever sequence of sessions, runs, finalizations, partial payments, credit notes, voids
and write-offs happens, the ledger balances, an invoice's total is the sum of its lines and VAT, per customer
invoiced + unbilled = Σ session costs, receivables match what invoices still ask, and numbers are gap-free."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, date, datetime
from decimal import Decimal

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from application.invoices import CreditNoteRequest, PaymentReceived
from domain.billing.invoices import InvoiceKind, InvoiceStatus
from domain.billing.ledger import UNBILLED_RECEIVABLE, receivable
from domain.billing.periods import BillingPeriod
from domain.errors import DomainError
from tests.unit.billing.world import ACTOR, ORG, build, priced_session, setup

MONTHS = [BillingPeriod.month(m) for m in ("2026-01", "2026-02", "2026-03")]


def run(coroutine):
    return asyncio.run(coroutine)


class Books(RuleBasedStateMachine):
    @initialize()
    def world(self) -> None:
        self.w = build()
        self.drivers = run(setup(self.w, drivers=3))
        self.costs: dict[str, Decimal] = {}

    def _invoices(self):
        async def read():
            async with self.w.uow(read_only=True) as uow:
                return list(uow.invoices.data.values())
        return run(read())

    def _pick(self, data, *statuses):
        candidates = sorted((i for i in self._invoices() if i.kind is InvoiceKind.INVOICE and i.status in statuses),
                            key=lambda i: i.id)
        return data.draw(st.sampled_from(candidates)) if candidates else None

    @rule(driver=st.integers(0, 2), month=st.integers(0, 2), day=st.integers(1, 28), hour=st.integers(0, 23),
          energy=st.one_of(st.just(Decimal(0)), st.decimals(Decimal("0.001"), Decimal(80), places=3)),
          vat=st.sampled_from(["20", "5", None]),
          flat=st.sampled_from([None, "0.49"]))
    def session(self, driver, month, day, hour, energy, vat, flat) -> None:
        started = datetime(2026, month + 1, day, hour, 7, tzinfo=UTC)
        session = run(priced_session(self.w, self.drivers[driver], started, energy, vat=vat, flat=flat))
        self.costs[session.id] = session.cost.total_excl_vat

    @rule(month=st.integers(0, 2), finalize=st.booleans())
    def invoice_run(self, month, finalize) -> None:
        run(self.w.run_period(ORG, MONTHS[month], finalize=finalize))

    @rule(data=st.data())
    def finalize(self, data) -> None:
        draft = self._pick(data, InvoiceStatus.DRAFT)
        if draft is not None:
            run(self.w.finalize(draft.id, ACTOR, ORG))

    @rule(data=st.data(), share=st.integers(1, 100))
    def pay(self, data, share) -> None:
        invoice = self._pick(data, InvoiceStatus.OPEN)
        if invoice is not None:
            amount = max(Decimal("0.01"), (invoice.amount_due * share / 100).quantize(Decimal("0.01")))
            run(self.w.pay(invoice.id, PaymentReceived(amount, invoice.currency, date(2026, 4, 1)), ACTOR, ORG))

    @rule(data=st.data(), share=st.integers(1, 100), by_lines=st.booleans())
    def credit(self, data, share, by_lines) -> None:
        invoice = self._pick(data, InvoiceStatus.OPEN, InvoiceStatus.PAID)
        if invoice is None or invoice.creditable <= 0:
            return
        if by_lines:
            position = data.draw(st.integers(0, len(invoice.lines) - 1))
            net = max(Decimal("0.01"), (invoice.lines[position].net_amount * share / 100).quantize(Decimal("0.01")))
            request = CreditNoteRequest("Correction", lines=((position, net),))
        else:
            amount = max(Decimal("0.01"), (invoice.creditable * share / 100).quantize(Decimal("0.01")))
            request = CreditNoteRequest("Goodwill", amount=amount)
        with contextlib.suppress(DomainError):   # more than is left to credit (a line credited twice): refused
            run(self.w.credit(invoice.id, request, ACTOR, ORG))

    @rule(data=st.data())
    def void(self, data) -> None:
        invoice = self._pick(data, InvoiceStatus.OPEN)
        if invoice is not None and not invoice.payments and not invoice.credited:
            run(self.w.void(invoice.id, ACTOR, ORG))

    @rule(data=st.data())
    def write_off(self, data) -> None:
        invoice = self._pick(data, InvoiceStatus.OPEN)
        if invoice is not None:
            run(self.w.uncollectible(invoice.id, ACTOR, ORG))

    @invariant()
    def books_hold(self) -> None:
        if not hasattr(self, "w"):
            return
        assert run(self.w.dispatcher.dispatch_pending()) == 0      # every event was handled when committed
        balance = run(self.w.trial_balance(ACTOR, ORG, None))
        assert balance.balances
        invoices = self._invoices()
        for invoice in invoices:
            assert invoice.total_excl_vat == sum(line.net_amount for line in invoice.lines)
            assert invoice.total == invoice.total_excl_vat + sum(g.vat for g in invoice.vat_breakdown)
        for kind, prefix in ((InvoiceKind.INVOICE, "INV-"), (InvoiceKind.CREDIT_NOTE, "CN-")):
            numbers = sorted(int(i.number.removeprefix(prefix)) for i in invoices if i.kind is kind and i.number)
            assert numbers == list(range(1, len(numbers) + 1))
        charges, ledger = self._charges_and_ledger()
        for customer in {c.customer_id for c in charges}:
            costs = sum(self.costs[c.session_id] for c in charges if c.customer_id == customer)
            mine = [i for i in invoices if i.customer_id == customer]
            invoiced = sum(line.net_amount for i in mine if i.kind is InvoiceKind.INVOICE and i.is_finalized
                           for line in i.lines)
            unbilled = sum(e.signed for t in ledger if t.customer_id == customer for e in t.entries
                           if e.account == UNBILLED_RECEIVABLE)
            assert invoiced + unbilled == costs
            outstanding = sum(i.total - i.amount_paid - i.credited for i in mine if i.kind is InvoiceKind.INVOICE
                              and i.status in (InvoiceStatus.OPEN, InvoiceStatus.PAID))
            owed = sum(e.signed for t in ledger for e in t.entries if e.account == receivable(customer))
            assert owed == outstanding

    def _charges_and_ledger(self):
        async def read():
            async with self.w.uow(read_only=True) as uow:
                return list(uow.charges.data.values()), list(uow.ledger.data.values())
        return run(read())


TestBooks = Books.TestCase
TestBooks.settings = settings(max_examples=40, stateful_step_count=25, deadline=None,
                              suppress_health_check=[HealthCheck.too_slow])
