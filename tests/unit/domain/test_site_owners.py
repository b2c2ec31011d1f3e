"""Site owners' onboarding stages, payout details, projects and the statement arithmetic (Hypothesis: the share
is the percentage of the month's revenue less its credits, computed here independently, to the cent)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.billing.periods import BillingPeriod
from domain.errors import InvalidInput, InvalidState
from domain.ids import PREFIXES, new_id
from domain.site_owners import (
    OnboardingStage,
    PayoutDetails,
    Project,
    ShareBasis,
    SiteOwner,
    SiteOwnerProfile,
    SiteOwnerStatus,
    StatementAdjustment,
    StatementSession,
    compute_statement,
)
from domain.site_owners.owners import AGREEMENT_VERSION, iban_valid
from domain.site_owners.projects import parse_percent

NOW = datetime(2026, 3, 5, 12, tzinfo=UTC)
FULL_PROFILE = SiteOwnerProfile(legal_name="Parkhaus GmbH", contact_name="Ada", phone="+49 30 1234567",
                                address="Hauptstr. 1", postal_code="10115", city="Berlin", country="DE")


def owner() -> SiteOwner:
    return SiteOwner(id=new_id("so"), organization_id=new_id("org"), name="Parkhaus", email="p@example.com",
                     created_at=NOW)


def test_stages_say_what_is_missing_and_completion_waits_for_all() -> None:
    o = owner()
    with pytest.raises(InvalidState):
        o.complete_onboarding(NOW)           # not accepted yet
    o.accepted()
    stages = {s.stage: s for s in o.stages()}
    assert "legal_name" in stages[OnboardingStage.PROFILE].missing
    assert stages[OnboardingStage.PAYOUT_DETAILS].missing == ("account_holder", "iban")
    assert stages[OnboardingStage.AGREEMENT].missing == ("agreement_accepted",)
    with pytest.raises(InvalidInput) as refused:
        o.complete_onboarding(NOW)
    fields = {e.field for e in refused.value.errors}
    assert {"profile.legal_name", "payout_details.iban", "agreement.agreement_accepted"} <= fields
    o.profile = FULL_PROFILE
    o.payout = PayoutDetails.parse("Parkhaus GmbH", "DE89 3704 0044 0532 0130 00", None)
    with pytest.raises(InvalidInput) as refused:
        o.complete_onboarding(NOW)
    assert {e.field for e in refused.value.errors} == {"agreement.agreement_accepted"}
    assert o.current_stage is OnboardingStage.AGREEMENT
    o.accept_agreement(AGREEMENT_VERSION, NOW)
    o.complete_onboarding(NOW)
    assert o.status is SiteOwnerStatus.ACTIVE and o.current_stage is OnboardingStage.COMPLETED
    assert all(s.done for s in o.stages())


def test_iban_check_digits() -> None:
    assert iban_valid("DE89370400440532013000")
    assert not iban_valid("DE88370400440532013000")
    with pytest.raises(InvalidInput) as refused:
        PayoutDetails.parse("X", "DE88 3704 0044 0532 0130 00", "NOPE")
    assert {e.field for e in refused.value.errors} == {"iban", "bic"}


def test_profile_fields_are_checked() -> None:
    with pytest.raises(InvalidInput) as refused:
        SiteOwnerProfile.validate({"phone": "call me", "country": "XX", "city": " "})
    assert {e.field for e in refused.value.errors} == {"phone", "country", "city"}


@pytest.mark.parametrize("value", ["100.01", 101, "-1", "1.001", True, 12.5])
def test_percent_above_100_or_malformed_is_refused_naming_the_field(value: object) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_percent(value)
    assert refused.value.errors[0].field == "revenue_share_percent"


def test_percent_reads_exactly() -> None:
    assert parse_percent("12.5") == Decimal("12.5")
    assert parse_percent(100) == Decimal(100)
    assert parse_percent(Decimal("0.01")) == Decimal("0.01")


def test_project_validation_names_fields() -> None:
    with pytest.raises(InvalidInput) as refused:
        Project.validate(site_owner_id="nope", name="", location_ids=["loc_x", "loc_x"],
                         share_basis=ShareBasis.ENERGY_MARGIN, energy_cost_per_kwh=None)
    assert {e.field for e in refused.value.errors} >= {"site_owner_id", "name", "location_ids[0]",
                                                       "energy_cost_per_kwh"}


def _project(percent: Decimal, basis: ShareBasis = ShareBasis.NET_REVENUE, cost: Decimal | None = None) -> Project:
    return Project(id=new_id(PREFIXES["project"]), organization_id=new_id("org"), site_owner_id=new_id("so"),
                   name="P", location_ids=(new_id("loc"),), revenue_share_percent=percent, share_basis=basis,
                   created_at=NOW, updated_at=NOW, energy_cost_per_kwh=cost)


cents = st.decimals(min_value=0, max_value=500, places=2, allow_nan=False, allow_infinity=False)
kwh = st.decimals(min_value=0, max_value=150, places=3, allow_nan=False, allow_infinity=False)
percents = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)


@given(percent=percents, rows=st.lists(st.tuples(kwh, cents), max_size=30), credits=st.lists(cents, max_size=5))
def test_share_is_the_percentage_of_revenue_less_credits(percent: Decimal, rows: list[tuple[Decimal, Decimal]],
                                                         credits: list[Decimal]) -> None:
    project = _project(percent)
    period = BillingPeriod.month("2026-02")
    sessions = [StatementSession(f"ses_{i}", project.location_ids[0], NOW - timedelta(days=10, minutes=i), e, r,
                                 "EUR")
                for i, (e, r) in enumerate(rows)]
    adjustments = [StatementAdjustment(f"invc_{i}", "ses_0", NOW, c, "EUR") for i, c in enumerate(credits)]
    statement = compute_statement(project, period, "EUR", sessions, adjustments)
    revenue_cents = sum(int(r * 100) for _, r in rows) - sum(int(c * 100) for c in credits)
    expected = (Decimal(revenue_cents) * percent / Decimal(10000)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert statement.share == expected
    assert statement.energy_kwh == sum((e for e, _ in rows), Decimal(0))
    assert len(statement.sessions) == len(rows)
    assert abs(statement.share) <= abs(statement.basis_amount) + Decimal("0.005")


def test_energy_margin_subtracts_the_energy_cost() -> None:
    project = _project(Decimal(50), ShareBasis.ENERGY_MARGIN, Decimal("0.10"))
    s = StatementSession("ses_a", project.location_ids[0], NOW, Decimal(20), Decimal("8.00"), "EUR")
    statement = compute_statement(project, BillingPeriod.month("2026-03"), "EUR", [s], [])
    assert statement.energy_cost == Decimal("2.00") and statement.share == Decimal("3.00")
