"""The dispute state machine under any sequence of operations (Hypothesis): terminal states never move, a
resolution gives back at most what was billed and exactly what was asked, events follow every change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from domain.errors import DomainError, InvalidInput, InvalidState
from domain.money import Money
from domain.portal import Dispute, DisputeOutcome, DisputeStatus

START = datetime(2026, 3, 1, tzinfo=UTC)
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("20.00"), places=2)


def filed(billed: str = "10.00", expected: str = "4.00") -> Dispute:
    return Dispute.file(id="dsp_1", organization_id="org_1", session_id="ses_1", driver_id="drv_1",
                        description="Too much", expected_cost=Money(Decimal(expected), "GBP"),
                        billed=Money(Decimal(billed), "GBP"), session_ended_at=START, window_days=90,
                        now=START + timedelta(days=1))


class DisputeMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dispute = filed()
        self.now = START + timedelta(days=1)
        self.events = len(self.dispute.pending_events)
        self.final: tuple[DisputeStatus, object] | None = None

    def _try(self, action) -> None:
        before = self.dispute.status
        try:
            action()
        except InvalidState:
            assert before.terminal
        except InvalidInput:
            assert self.dispute.status is before        # a refused resolution changes nothing
            return
        else:
            assert not before.terminal
            assert len(self.dispute.pending_events) > self.events
        self.events = len(self.dispute.pending_events)

    @rule()
    def assign(self) -> None:
        self._try(lambda: self.dispute.assign("usr_1", self.now))

    @rule()
    def review(self) -> None:
        before = self.dispute.status
        try:
            self.dispute.review(self.now)
        except InvalidState:
            assert before.terminal
        self.events = len(self.dispute.pending_events)

    @rule()
    def withdraw(self) -> None:
        self._try(lambda: self.dispute.withdraw(self.now))

    @rule(outcome=st.sampled_from(DisputeOutcome), amount=st.none() | amounts)
    def resolve(self, outcome: DisputeOutcome, amount: Decimal | None) -> None:
        self._try(lambda: self.dispute.resolve(outcome, amount, "decided", self.now))
        if self.dispute.status is DisputeStatus.RESOLVED and self.final is None:
            self.final = (outcome, amount)

    @invariant()
    def resolution_gives_back_what_was_decided(self) -> None:
        d = self.dispute
        if d.status is not DisputeStatus.RESOLVED:
            assert d.outcome is None and d.refund_amount is None
            return
        assert self.final is not None
        outcome, asked = self.final
        assert d.outcome is outcome and Decimal(0) <= d.refund_amount <= Decimal("10.00")
        if outcome is DisputeOutcome.REJECTED:
            assert d.refund_amount == 0
        elif asked is None:
            assert outcome is DisputeOutcome.ACCEPTED and d.refund_amount == Decimal("6.00")  # billed − expected
        else:
            assert d.refund_amount == asked


TestDisputeMachine = DisputeMachine.TestCase


def test_a_dispute_after_the_window_is_refused_saying_so():
    with pytest.raises(InvalidInput) as refused:
        Dispute.file(id="dsp_1", organization_id="org_1", session_id="ses_1", driver_id="drv_1", description="late",
                     expected_cost=Money(Decimal(1), "GBP"), billed=Money(Decimal(2), "GBP"), session_ended_at=START,
                     window_days=90, now=START + timedelta(days=91))
    assert refused.value.errors[0].field == "session_id" and "90-day window" in refused.value.errors[0].message


@pytest.mark.parametrize(("expected", "field"), [(Money(Decimal(-1), "GBP"), "expected_cost.amount"),
                                                 (Money(Decimal(1), "EUR"), "expected_cost.currency")])
def test_an_impossible_expected_cost_names_its_field(expected, field):
    with pytest.raises(InvalidInput) as refused:
        Dispute.file(id="dsp_1", organization_id="org_1", session_id="ses_1", driver_id="drv_1", description="x",
                     expected_cost=expected, billed=Money(Decimal(2), "GBP"), session_ended_at=START, window_days=90,
                     now=START)
    assert [e.field for e in refused.value.errors] == [field]


def test_partial_acceptance_needs_its_amount_and_rejection_refuses_one():
    dispute = filed()
    for outcome, amount in ((DisputeOutcome.PARTIALLY_ACCEPTED, None), (DisputeOutcome.REJECTED, Decimal(1)),
                            (DisputeOutcome.ACCEPTED, Decimal("10.01"))):
        with pytest.raises(DomainError):
            dispute.resolve(outcome, amount, "n", START)
    assert dispute.status is DisputeStatus.OPEN
