"""Hypothesis, stateful: whatever interleaving of invoices collected by card, declines, replaced cards, retries,
refunds (ours and Stripe's), chargebacks won and lost, and Stripe's events delivered late, twice, out of order
or refused until their payment is known, the ledger balances, an invoice is never paid twice (one succeeded
PaymentIntent, one payment per provider reference, never more than its total), and once every event is in,
the ledger's ``payment_clearing`` holds exactly what Stripe holds."""

from __future__ import annotations

import asyncio
import contextlib
from decimal import Decimal

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from application.payment_methods import MethodRequest
from application.provider_events import NotYetKnown
from application.refunds import RefundCommand
from domain.billing.invoices import InvoiceKind, InvoiceStatus
from domain.errors import DomainError
from tests.unit.payments.fake_stripe import DECLINE, OK
from tests.unit.payments.world import (
    ACTOR,
    ORG,
    build,
    card_customer,
    finalized_invoice,
    ledger_balance,
    organization,
)

MONTHS = [f"{2025 + m // 12}-{m % 12 + 1:02d}" for m in range(36)]


def run(coroutine):
    return asyncio.run(coroutine)


class Payments(RuleBasedStateMachine):
    @initialize(write_off=st.booleans())
    def world(self, write_off) -> None:
        self.w = build(payment_retry_days=(1, 2), uncollectible_after_retries=write_off)
        self.drivers = run(organization(self.w, drivers=3))
        self.customers = [run(card_customer(self.w, d))[0] for d in self.drivers]
        self.months = iter(MONTHS)
        self.late: list = []           # events Stripe will send again (answered 409 until their payment is known)

    def _invoices(self):
        return [i for i in self.w.store.tables["invoices"].values() if i.kind is InvoiceKind.INVOICE
                and i.number is not None]

    @rule(driver=st.integers(0, 2), energy=st.integers(1, 60))
    def invoice(self, driver, energy) -> None:
        month = next(self.months, None)
        if month is not None:
            run(finalized_invoice(self.w, self.drivers[driver], str(energy), month))

    @rule(driver=st.integers(0, 2), good=st.booleans(), tell=st.booleans())
    def replace_card(self, driver, good, tell) -> None:
        async def go():
            method = await self.w.save_method(MethodRequest(self.customers[driver]), ACTOR, ORG)
            self.w.stripe.confirm_setup(method.setup_reference, OK if good else DECLINE, send_event=tell)
            await self.w.list_methods(self.customers[driver], ACTOR, ORG)        # the sync, whatever the event
            await self.w.set_default(method.id, ACTOR, ORG)
        run(go())

    @rule(days=st.integers(1, 3))
    def retries(self, days) -> None:
        self.w.clock.advance(days=days)
        run(self.w.retry_due())

    @rule(data=st.data(), share=st.integers(1, 100))
    def refund(self, data, share) -> None:
        paid = sorted((i for i in self._invoices() if i.refundable() > 0), key=lambda i: i.id)
        if not paid:
            return
        invoice = data.draw(st.sampled_from(paid))
        amount = max(Decimal("0.01"), (invoice.refundable() * share / 100).quantize(Decimal("0.01")))
        with contextlib.suppress(DomainError):    # a disputed charge: Stripe refunds nothing
            run(self.w.refund(invoice.id, RefundCommand(amount, "GBP", "Goodwill"), ACTOR, ORG))

    @rule(data=st.data(), share=st.integers(1, 100))
    def refund_at_stripe(self, data, share) -> None:
        intents = sorted(i for i, v in self.w.stripe.intents.items() if v["status"] == "succeeded")
        if intents:
            intent = data.draw(st.sampled_from(intents))
            amount = Decimal(self.w.stripe.intents[intent]["amount_received"]) * share / 10000
            self.w.stripe.refund_in_dashboard(intent, amount.quantize(Decimal("0.01")) or Decimal("0.01"))

    @rule(data=st.data(), outcome=st.sampled_from([None, "won", "lost"]))
    def chargeback(self, data, outcome) -> None:
        intents = sorted(i for i, v in self.w.stripe.intents.items() if v["status"] == "succeeded")
        if intents:
            self.w.stripe.dispute(data.draw(st.sampled_from(intents)), outcome)

    @rule(data=st.data(), count=st.integers(1, 6))
    def deliver_some(self, data, count) -> None:
        """Stripe's deliveries: some of those queued, in any order, some twice; a 409 is sent again later."""
        queue = self.w.stripe.outbox
        for _ in range(min(count, len(queue) + len(self.late))):
            pool = queue if queue and (not self.late or data.draw(st.booleans())) else self.late
            delivery = pool.pop(data.draw(st.integers(0, len(pool) - 1)))
            self._deliver(delivery)
            if data.draw(st.booleans()):
                self._deliver(delivery)         # a duplicate

    def _deliver(self, delivery) -> None:
        try:
            run(self.w.webhook(*delivery))
        except NotYetKnown:
            self.late.append(delivery)

    @rule()
    def settle(self) -> None:
        """Every event delivered at last: the books agree with Stripe."""
        for _ in range(10):
            pending, self.w.stripe.outbox[:], self.late = self.w.stripe.outbox[:] + self.late, [], []
            for delivery in pending:
                self._deliver(delivery)
            if not self.late and not self.w.stripe.outbox:
                break
        assert not self.late
        assert run(ledger_balance(self.w)) == self.w.stripe.net("GBP")

    @invariant()
    def balanced(self) -> None:
        assert run(self.w.trial_balance(ACTOR, ORG, None)).balances

    @invariant()
    def never_paid_twice(self) -> None:
        succeeded: dict[str, int] = {}
        for intent in self.w.stripe.intents.values():
            if intent["status"] == "succeeded":
                succeeded[intent["metadata"]["invoice_id"]] = succeeded.get(intent["metadata"]["invoice_id"], 0) + 1
        assert all(n == 1 for n in succeeded.values())
        references = [p.provider_reference for i in self._invoices() for p in i.payments if p.provider_reference]
        assert len(references) == len(set(references))
        for invoice in self._invoices():
            assert invoice.amount_paid <= invoice.total
            assert invoice.amount_refunded <= invoice.amount_paid
            assert (invoice.status is InvoiceStatus.PAID) == (invoice.amount_due == 0 and invoice.status
                                                              not in (InvoiceStatus.UNCOLLECTIBLE, InvoiceStatus.VOID))


TestPayments = Payments.TestCase
TestPayments.settings = settings(max_examples=25, stateful_step_count=20, deadline=None,
                                 suppress_health_check=[HealthCheck.too_slow])
