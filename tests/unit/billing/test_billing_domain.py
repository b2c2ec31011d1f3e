"""The billing model on its own: EN 16931 VAT per group, ISO 11649 references, periods, credit notes, the
ledger's balance rule and each posting's entries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.billing.documents import creditor_reference, document_number, is_creditor_reference
from domain.billing.fees import days_in_force, plan_fee, whole_months
from domain.billing.invoices import (
    Address,
    Charge,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    LineKind,
    Party,
    Payment,
    credit_note_for,
    net_for_gross,
)
from domain.billing.ledger import Entry, LedgerTransaction, Source, SourceKind, trial_balance
from domain.billing.periods import BillingPeriod
from domain.billing.postings import invoice_finalized, invoice_voided, payment_received
from domain.billing.vat import VatTreatment, breakdown
from domain.errors import InvalidInput, InvalidState
from domain.money import Money
from domain.pricing import MembershipPlan, Subscription

NOW = datetime(2026, 2, 3, 9, tzinfo=UTC)
S20 = VatTreatment.standard(Decimal(20))
S7 = VatTreatment.standard(Decimal(7))
EXEMPT = VatTreatment.without_vat()
SELLER = Party("Voltline Ltd", Address("1 Quay St", "BS1 1AA", "Bristol", "GB"), vat_id="GB980780684",
               iban="GB33BUKB20201555555555")
BUYER = Party("Dana", None)


def line(net: str, vat: VatTreatment = S20, session: str | None = "ses_1") -> InvoiceLine:
    return InvoiceLine(LineKind.ENERGY, "Energy", Decimal(1), "kWh", Decimal(net), Decimal(net), vat, session)


def invoice(*lines: InvoiceLine) -> Invoice:
    """A draft billing a charge per line."""
    inv = Invoice(id="invc_1", organization_id="org_1", customer_id="cus_1", kind=InvoiceKind.INVOICE,
                  currency="EUR", period_start=date(2026, 1, 1), period_end=date(2026, 2, 1), created_at=NOW)
    inv.add_charges([Charge(f"ses_{n}", "org_1", "cus_1", "EUR", NOW - timedelta(days=30 - n), (line_,))
                     for n, line_ in enumerate(lines)])
    return inv


def finalized(*lines: InvoiceLine) -> Invoice:
    inv = invoice(*lines)
    inv.finalize(number="INV-000001", issue_date=NOW.date(), payment_terms_days=14, seller=SELLER, buyer=BUYER,
                 payment_reference=creditor_reference("INV-000001"), now=NOW)
    return inv


def test_vat_is_computed_once_per_category_and_rate_on_the_summed_net():
    # Three lines of 0.05 at 20 %: per line 0.01 each (0.03), on the sum 0.15 × 20 % = 0.03; at 7 %:
    # per line 0.00 each, on the sum 0.0105 → 0.01.
    groups = breakdown([(Decimal("0.05"), S7)] * 3 + [(Decimal("0.05"), S20)] * 3 + [(Decimal(2), EXEMPT)], "EUR")
    assert [(g.treatment.category, g.treatment.rate, g.taxable, g.vat) for g in groups] == [
        ("E", Decimal(0), Decimal(2), Decimal("0.00")), ("S", Decimal(7), Decimal("0.15"), Decimal("0.01")),
        ("S", Decimal(20), Decimal("0.15"), Decimal("0.03"))]
    assert groups[0].treatment.exemption_reason == "Exempt from VAT"


def test_an_invoice_total_is_its_net_plus_its_vat_groups():
    inv = invoice(line("10.00"), line("3.33", S7), line("1.00", EXEMPT))
    assert (inv.total_excl_vat, inv.vat, inv.total) == (Decimal("14.33"), Decimal("2.23"), Decimal("16.56"))


def test_a_standard_rated_invoice_needs_the_sellers_vat_id():
    inv = invoice(line("10.00"))
    with pytest.raises(InvalidState, match="VAT id"):
        inv.finalize(number="INV-1", issue_date=NOW.date(), payment_terms_days=14,
                     seller=Party("Voltline", SELLER.address), buyer=BUYER, payment_reference=None, now=NOW)
    assert inv.status is InvoiceStatus.DRAFT and inv.number is None and not inv.pending_events


def test_finalized_invoices_never_change_and_payments_settle_them():
    inv = finalized(line("10.00"))
    assert inv.status is InvoiceStatus.OPEN and inv.due_date == date(2026, 2, 17)
    with pytest.raises(InvalidState):
        inv.add_charges([Charge("ses_9", "org_1", "cus_1", "EUR", NOW, (line("1.00"),))])
    with pytest.raises(InvalidInput) as error:
        inv.record_payment(Payment("pay_1", Decimal(5), NOW.date(), None, "bank_transfer"), "GBP", NOW)
    assert error.value.errors[0].field == "amount.currency"
    with pytest.raises(InvalidInput):
        inv.record_payment(Payment("pay_1", Decimal("12.01"), NOW.date(), None, "bank_transfer"), "EUR", NOW)
    inv.record_payment(Payment("pay_1", Decimal(5), NOW.date(), None, "bank_transfer"), "EUR", NOW)
    assert (inv.status, inv.amount_due) == (InvoiceStatus.OPEN, Decimal("7.00"))
    inv.record_payment(Payment("pay_2", Decimal("7.00"), NOW.date(), None, "bank_transfer"), "EUR", NOW)
    assert (inv.status, inv.amount_due, inv.amount_paid) == (InvoiceStatus.PAID, 0, Decimal("12.00"))
    with pytest.raises(InvalidState):
        inv.void(NOW)


def test_a_void_invoice_cannot_be_finalized_paid_or_credited():
    inv = finalized(line("10.00"))
    inv.void(NOW)
    for attempt in (lambda: inv.finalize(number="X", issue_date=NOW.date(), payment_terms_days=1, seller=SELLER,
                                         buyer=BUYER, payment_reference=None, now=NOW),
                    lambda: inv.record_payment(Payment("p", Decimal(1), NOW.date(), None, "x"), "EUR", NOW),
                    lambda: credit_note_for(inv, id="invc_2", amount=Decimal(1), lines=None, reason="r", now=NOW)):
        with pytest.raises(InvalidState):
            attempt()


def test_a_credit_note_by_amount_spreads_over_vat_groups_and_never_credits_more_than_asked():
    inv = finalized(line("10.00"), line("5.00", S7), line("2.00", EXEMPT))
    note = credit_note_for(inv, id="invc_2", amount=Decimal("6.00"), lines=None, reason="Goodwill", now=NOW)
    assert note.kind is InvoiceKind.CREDIT_NOTE and note.corrects == inv.id and note.corrects_number == "INV-000001"
    assert Decimal("5.97") <= note.total <= Decimal("6.00")
    assert {g.treatment.key for g in note.vat_breakdown} <= {g.treatment.key for g in inv.vat_breakdown}
    with pytest.raises(InvalidInput) as error:
        credit_note_for(inv, id="invc_3", amount=inv.total + Decimal("0.01"), lines=None, reason="x", now=NOW)
    assert error.value.errors[0].field == "amount"


def test_a_credit_note_by_lines_credits_their_net_at_their_vat_and_settles_the_invoice():
    inv = finalized(line("10.00"), line("5.00", S7))
    note = credit_note_for(inv, id="invc_2", amount=None, lines=[(0, Decimal("10.00")), (1, Decimal("5.00"))],
                           reason="Wrong tariff", now=NOW)
    assert note.total == inv.total
    note.finalize(number="CN-000001", issue_date=NOW.date(), payment_terms_days=0, seller=SELLER, buyer=BUYER,
                  payment_reference=None, now=NOW)
    inv.credit(note, NOW)
    assert (inv.status, inv.amount_due, inv.creditable) == (InvoiceStatus.PAID, 0, 0)
    with pytest.raises(InvalidInput):
        credit_note_for(inv, id="invc_3", amount=Decimal("0.01"), lines=None, reason="again", now=NOW)
    with pytest.raises(InvalidInput) as error:
        credit_note_for(finalized(line("1.00")), id="x", amount=None, lines=[(5, Decimal(1))], reason="r", now=NOW)
    assert error.value.errors[0].field == "lines[0].line"


@given(st.integers(1, 10**7), st.sampled_from([Decimal(0), Decimal(5), Decimal(7), Decimal(19), Decimal(20),
                                                Decimal("5.5"), Decimal(21)]))
def test_net_for_gross_is_the_largest_net_not_passing_the_gross(cents, rate):
    gross = Decimal(cents) / 100
    treatment = VatTreatment.standard(rate)
    net = net_for_gross(gross, treatment, "EUR")

    def total(n: Decimal) -> Decimal:
        return n + (n * rate / 100).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")

    assert total(net) <= gross and total(net + Decimal("0.01")) > gross


def test_creditor_references_check_themselves():
    reference = creditor_reference("INV-000042")
    assert reference.startswith("RF") and is_creditor_reference(reference)
    assert is_creditor_reference("RF18 5390 0754 7034")            # the standard's own example
    assert not is_creditor_reference(reference[:-1] + ("1" if reference[-1] != "1" else "2"))
    assert document_number("INV-", 42) == "INV-000042"


def test_a_month_in_a_time_zone_is_local_midnight_to_local_midnight():
    period = BillingPeriod.month("2026-03")
    start, end = period.bounds(ZoneInfo("Europe/Berlin"))
    assert (start, end) == (datetime(2026, 2, 28, 23, tzinfo=UTC), datetime(2026, 3, 31, 22, tzinfo=UTC))
    assert period.label == "2026-03" and period.next().label == "2026-04"
    with pytest.raises(InvalidInput) as error:
        BillingPeriod.of(date(2026, 3, 1), date(2026, 2, 1))
    assert error.value.errors[0].field == "period_end"
    for bad in ("2026-13", "26-01", "2026-1", 202601):
        with pytest.raises(InvalidInput):
            BillingPeriod.month(bad)


def test_a_transaction_must_balance_per_currency():
    source = Source(SourceKind.SESSION, "ses_1")
    with pytest.raises(InvalidInput, match="differ"):
        LedgerTransaction.balanced(id="txn_1", organization_id="org_1", source=source, posted_at=NOW, description="x",
                                   entries=[Entry("bank", "EUR", debit=Decimal("1.00")),
                                            Entry("charging_revenue", "EUR", credit=Decimal("0.99"))])
    with pytest.raises(InvalidInput, match="minor unit"):
        LedgerTransaction.balanced(id="txn_1", organization_id="org_1", source=source, posted_at=NOW, description="x",
                                   entries=[Entry("bank", "EUR", debit=Decimal("1.001")),
                                            Entry("charging_revenue", "EUR", credit=Decimal("1.001"))])
    with pytest.raises(InvalidInput, match="ledger account"):
        LedgerTransaction.balanced(id="txn_1", organization_id="org_1", source=source, posted_at=NOW, description="x",
                                   entries=[Entry("petty_cash", "EUR", debit=Decimal(1)),
                                            Entry("bank", "EUR", credit=Decimal(1))])


def test_postings_balance_and_a_void_undoes_the_sale():
    inv = finalized(line("10.00"), line("5.00", S7), line("2.00", EXEMPT))
    posted = [invoice_finalized(inv, id="txn_1", posted_at=NOW)]
    assert {(e.account, e.signed) for e in posted[0].entries} == {
        ("receivable:cus_1", Decimal("19.35")), ("unbilled_receivable", Decimal("-17.00")),
        ("vat_payable:20", Decimal("-2.00")), ("vat_payable:7", Decimal("-0.35"))}
    inv.record_payment(Payment("pay_1", Decimal("4.00"), NOW.date(), None, "bank_transfer"), "EUR", NOW)
    posted.append(payment_received(inv, inv.payments[0], id="txn_2", posted_at=NOW))
    voidable = finalized(line("3.00"))
    posted += [invoice_finalized(voidable, id="txn_3", posted_at=NOW)]
    voidable.void(NOW)
    posted.append(invoice_voided(voidable, id="txn_4", posted_at=NOW))
    balance = trial_balance(posted)
    assert balance.balances
    by_account = {row.account: row.balance for row in balance.accounts}
    assert by_account["receivable:cus_1"] == Decimal("15.35") and by_account["bank"] == Decimal("4.00")
    assert by_account["vat_payable:20"] == Decimal("2.00") and by_account["charging_revenue"] == Decimal("-3.00")


def _subscription(starts: datetime, ends: datetime | None = None) -> Subscription:
    return Subscription(id="sub_1", organization_id="org_1", plan_id="pln_1", driver_id="drv_1", starts_at=starts,
                        created_at=starts, ends_at=ends)


PLAN = MembershipPlan(id="pln_1", organization_id="org_1", name="Commuter", monthly_fee=Money(Decimal("9.99"), "EUR"),
                      created_at=NOW, discount_percent=Decimal(10))
BERLIN = ZoneInfo("Europe/Berlin")


def test_a_plan_fee_is_due_for_each_whole_month_in_proportion_to_the_days_in_force():
    march = BillingPeriod.month("2026-03")             # 31 days, the clocks go forward on the 29th in Berlin
    whole = plan_fee(_subscription(datetime(2026, 1, 1, tzinfo=UTC)), PLAN, customer_id="cus_1", month=march,
                     zone=BERLIN, vat=S20)
    assert whole is not None and (whole.id, whole.net_amount, whole.lines[0].description) == (
        "sub_1/2026-03", Decimal("9.99"), "Commuter membership, 2026-03")
    # Ends at 23:30 UTC on the 30th: 01:30 on the 31st in Berlin, so the 31st counts too.
    late = _subscription(datetime(2026, 3, 28, 22, 59, tzinfo=UTC), datetime(2026, 3, 30, 23, 30, tzinfo=UTC))
    assert days_in_force(late, march, BERLIN) == 4                                  # 28th (local) to 31st
    ended = plan_fee(late, PLAN, customer_id="cus_1", month=march, zone=BERLIN, vat=S20)
    assert ended is not None and ended.net_amount == Decimal("1.29")               # 9.99 × 4 / 31, half-up
    assert ended.lines[0].unit_price * ended.lines[0].quantity == ended.net_amount
    assert plan_fee(_subscription(datetime(2026, 4, 1, tzinfo=UTC)), PLAN, customer_id="cus_1", month=march,
                    zone=BERLIN, vat=S20) is None
    assert [m.label for m in whole_months(BillingPeriod.of(date(2026, 1, 15), date(2026, 4, 1)))] == [
        "2026-02", "2026-03"]
    assert whole_months(BillingPeriod.of(date(2026, 1, 1), date(2026, 1, 20))) == []


def test_an_invoice_bills_its_customers_charges_in_order_once():
    inv = invoice(line("1.00"), line("2.00"))
    late = Charge("ses_late", "org_1", "cus_1", "EUR", NOW - timedelta(days=40), (line("0.50", session="ses_late"),))
    assert inv.add_charges([late, inv.charges[0]]) == 1                 # one already on it: skipped
    assert [c.id for c in inv.charges] == ["ses_late", "ses_0", "ses_1"]   # by start: a late session goes first
    assert [line_.net_amount for line_ in inv.lines] == [Decimal("0.50"), Decimal("1.00"), Decimal("2.00")]
    assert inv.total_excl_vat == Decimal("3.50")
    for stranger in (Charge("ses_x", "org_1", "cus_2", "EUR", NOW, (line("1.00"),)),
                     Charge("ses_y", "org_1", "cus_1", "GBP", NOW, (line("1.00"),))):
        with pytest.raises(InvalidState):
            inv.add_charges([stranger])
    assert len(inv.charges) == 3


def test_a_free_session_keeps_a_zero_line_and_books_nothing():
    from domain.billing.charges import charge_lines
    from domain.billing.postings import session_priced
    from domain.tariffs import CostBreakdown
    from domain.tariffs.breakdown import CostLine, LineType

    zero = Decimal(0)
    unused = CostLine(LineType.TIME, zero, "h", Decimal("2.00"), zero, Decimal(20), zero, 0)
    free = CostBreakdown("EUR", (unused,), zero, zero, zero, zero, timedelta(0), timedelta(0), timedelta(0),
                         timedelta(0))
    lines = charge_lines(free, session_id="ses_1", started_at=NOW, zone=BERLIN, no_vat=EXEMPT)
    assert [(ln.kind, ln.net_amount, ln.vat.rate) for ln in lines] == [(LineKind.TIME, zero, Decimal(20))]
    nothing = CostBreakdown("EUR", (), zero, zero, zero, zero, timedelta(0), timedelta(0), timedelta(0),
                            timedelta(0))
    [empty] = charge_lines(nothing, session_id="ses_1", started_at=NOW, zone=BERLIN, no_vat=EXEMPT)
    assert (empty.kind, empty.quantity, empty.net_amount, empty.vat) == (LineKind.ENERGY, zero, zero, EXEMPT)
    charge = Charge("ses_1", "org_1", "cus_1", "EUR", NOW, lines)
    assert session_priced(charge, id="txn_1", posted_at=NOW) is None
    paid = Charge("ses_2", "org_1", "cus_1", "EUR", NOW, (line("1.00"),))
    assert session_priced(paid, id="txn_2", posted_at=NOW) is not None


@pytest.mark.parametrize("text", ["0000-01", "9999-12"])
def test_a_month_outside_the_calendar_is_invalid_input_naming_the_field(text):
    with pytest.raises(InvalidInput) as refused:
        BillingPeriod.month(text, "period")
    assert refused.value.errors[0].field == "period"
