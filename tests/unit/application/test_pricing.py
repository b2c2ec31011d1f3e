"""Sessions priced by the tariff in force at their start, once, on completion; assignments; memberships."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from adapters.registries import SchwiftyBankAccounts, StdnumTaxIds
from application.memberships import PlanTerms, Subscribe
from application.settings import update_settings
from application.tariffs import Quote
from application.transactions import MeterValues, StartTransaction, StopTransaction
from domain.charging import ENERGY_REGISTER, MeterSample, SessionStatus
from domain.errors import Conflict, InvalidInput
from domain.identity import OrganizationSettings
from domain.identity.organizations import Notifications
from domain.money import Money
from tests.unit.application.charging_env import charging_env

T = datetime(2026, 1, 15, 8, 0, tzinfo=UTC)   # 08:00 in London (winter: UTC+0)

REGISTRIES = {"tax_ids": StdnumTaxIds(), "bank_accounts": SchwiftyBankAccounts()}


def energy_tariff(price: str, vat: str | None = "20") -> dict:
    component = {"type": "ENERGY", "price": price, "step_size": 1} | ({"vat": vat} if vat else {})
    return {"currency": "GBP", "name": f"{price}/kWh", "elements": [{"price_components": [component]}]}


@pytest.fixture
async def net(env):
    world = await charging_env(env)
    world.clock.current = T
    return world


async def charge(net, kwh: int, connector: int = 1, tag: str = "RFID-DANA", start: datetime = T):
    started = await net.start(StartTransaction("CP-1", connector, tag, Decimal(0), start))
    tx = str(started.transaction_id)
    await net.meter_values(MeterValues("CP-1", (MeterSample(start + timedelta(minutes=30), ENERGY_REGISTER,
                                                            Decimal(kwh * 500), unit="Wh"),), tx, connector))
    return started, tx


async def stop(net, tx: str, kwh: int, at: datetime):
    await net.stop(StopTransaction("CP-1", tx, Decimal(kwh * 1000), at, "Local"))


async def test_a_completed_session_carries_its_cost_and_lines_add_up(net):
    tariff = await net.create_tariff(energy_tariff("0.30"), net.operator, net.org.id)
    await net.assign_cp("CP-1", tariff.id, net.operator, net.org.id)
    started, tx = await charge(net, 10)
    await stop(net, tx, 10, T + timedelta(hours=1))
    session = (await net.get_session(started.session_id, net.operator, net.org.id)).session
    assert (session.tariff_id, session.tariff_version) == (tariff.id, 1)
    cost = session.cost
    assert (cost.currency, cost.total_excl_vat, cost.vat, cost.total) == ("GBP", Decimal("3.00"), Decimal("0.60"),
                                                                          Decimal("3.60"))
    lines = cost.breakdown.lines
    assert sum(line.amount for line in lines) == cost.total_excl_vat
    assert sum(line.vat for line in lines) == cost.vat
    assert cost.breakdown.is_rounded and cost.breakdown.total == cost.total


async def test_a_tariff_changed_mid_session_does_not_change_that_sessions_price(net):
    tariff = await net.create_tariff(energy_tariff("0.30"), net.operator, net.org.id)
    await net.assign_cp("CP-1", tariff.id, net.operator, net.org.id)
    started, tx = await charge(net, 10)
    net.clock.advance(minutes=20)
    revised = await net.update_tariff(tariff.id, energy_tariff("0.90"), net.operator, net.org.id)
    assert [v.version for v in revised.versions] == [1, 2]
    await stop(net, tx, 10, T + timedelta(hours=1))
    first = (await net.get_session(started.session_id, net.operator, net.org.id)).session
    assert first.cost.total_excl_vat == Decimal("3.00")
    net.clock.advance(hours=2)
    later, tx2 = await charge(net, 10, start=T + timedelta(hours=3))
    await stop(net, tx2, 10, T + timedelta(hours=4))
    second = (await net.get_session(later.session_id, net.operator, net.org.id)).session
    assert (second.tariff_version, second.cost.total_excl_vat) == (2, Decimal("9.00"))


async def test_charge_point_beats_location_beats_organization_default(net):
    org_default = await net.create_tariff(energy_tariff("0.10"), net.operator, net.org.id)
    at_location = await net.create_tariff(energy_tariff("0.20"), net.operator, net.org.id)
    on_cp = await net.create_tariff(energy_tariff("0.40"), net.operator, net.org.id)
    settings = OrganizationSettings("GBP", "Europe/London", None, Notifications(), org_default.id)
    await update_settings(net.org.id, settings, net.operator, uow_factory=net.store.unit_of_work, clock=net.clock,
                          **REGISTRIES)
    totals = []
    for hour, assign in enumerate((None, ("location", at_location.id), ("cp", on_cp.id))):
        if assign and assign[0] == "location":
            await net.assign_location(net.location.id, assign[1], net.operator, net.org.id)
        elif assign:
            await net.assign_cp("CP-1", assign[1], net.operator, net.org.id)
        started, tx = await charge(net, 10, start=T + timedelta(hours=2 * hour))
        await stop(net, tx, 10, T + timedelta(hours=2 * hour + 1))
        totals.append((await net.get_session(started.session_id, net.operator, net.org.id)).session.cost.total_excl_vat)
    assert totals == [Decimal("1.00"), Decimal("2.00"), Decimal("4.00")]


async def test_settings_and_assignments_refuse_unknown_tariffs(net):
    settings = OrganizationSettings("GBP", "Europe/London", None, Notifications(), "trf_01KA00000000000000000000AA")
    with pytest.raises(InvalidInput, match="default_tariff_id"):
        await update_settings(net.org.id, settings, net.operator, uow_factory=net.store.unit_of_work, clock=net.clock,
                          **REGISTRIES)
    with pytest.raises(InvalidInput, match="tariff_id"):
        await net.assign_cp("CP-1", "trf_01KA00000000000000000000AA", net.operator, net.org.id)


async def test_an_unpriced_network_completes_sessions_without_cost(net):
    started, tx = await charge(net, 5)
    await stop(net, tx, 5, T + timedelta(hours=1))
    session = (await net.get_session(started.session_id, net.operator, net.org.id)).session
    assert session.status is SessionStatus.COMPLETED and session.cost is None and session.tariff_id is None


async def test_rating_happens_once_even_when_the_stop_is_retried(net):
    tariff = await net.create_tariff(energy_tariff("0.30"), net.operator, net.org.id)
    await net.assign_cp("CP-1", tariff.id, net.operator, net.org.id)
    started, tx = await charge(net, 10)
    await stop(net, tx, 10, T + timedelta(hours=1))
    first = (await net.get_session(started.session_id, net.operator, net.org.id)).session.cost
    await net.update_tariff(tariff.id, energy_tariff("5.00"), net.operator, net.org.id)
    await stop(net, tx, 10, T + timedelta(hours=1))
    assert (await net.get_session(started.session_id, net.operator, net.org.id)).session.cost == first


async def test_an_active_session_shows_a_live_estimate(net):
    tariff = await net.create_tariff(energy_tariff("0.30", vat=None), net.operator, net.org.id)
    await net.assign_cp("CP-1", tariff.id, net.operator, net.org.id)
    started, _ = await charge(net, 10)
    net.clock.current = T + timedelta(minutes=45)
    detail = await net.get_session(started.session_id, net.operator, net.org.id)
    assert detail.session.cost is None
    assert detail.estimate is not None and detail.estimate.total == Decimal("1.50")


async def test_members_pay_the_plan_price(net):
    base = await net.create_tariff(energy_tariff("0.40", vat=None), net.operator, net.org.id)
    member_tariff = await net.create_tariff(energy_tariff("0.25", vat=None), net.operator, net.org.id)
    await net.assign_cp("CP-1", base.id, net.operator, net.org.id)
    half = await net.create_plan(PlanTerms("Half price", Money("9.99", "GBP"), discount_percent=Decimal(50)),
                                 net.operator, net.org.id)
    own = await net.create_plan(PlanTerms("Fleet rate", Money("29", "GBP"), tariff_id=member_tariff.id),
                                net.operator, net.org.id)
    await net.subscribe(Subscribe(half.id, net.dana.id, T - timedelta(days=1)), net.operator, net.org.id)
    await net.subscribe(Subscribe(own.id, net.eli.id, T - timedelta(days=1)), net.operator, net.org.id)
    with pytest.raises(Conflict):
        await net.subscribe(Subscribe(own.id, net.dana.id, T), net.operator, net.org.id)
    dana, tx1 = await charge(net, 10, connector=1, tag="RFID-DANA")
    eli, tx2 = await charge(net, 10, connector=2, tag="RFID-ELI")
    await stop(net, tx1, 10, T + timedelta(hours=1))
    await stop(net, tx2, 10, T + timedelta(hours=1))
    dana_cost = (await net.get_session(dana.session_id, net.operator, net.org.id)).session.cost
    eli_cost = (await net.get_session(eli.session_id, net.operator, net.org.id)).session.cost
    assert (dana_cost.total, eli_cost.total) == (Decimal("2.00"), Decimal("2.50"))


async def test_plan_terms_are_checked(net):
    with pytest.raises(InvalidInput):
        await net.create_plan(PlanTerms("Both", Money("1", "GBP"), tariff_id="trf_01KA00000000000000000000AA",
                                        discount_percent=Decimal(10)), net.operator, net.org.id)
    with pytest.raises(InvalidInput, match="discount_percent"):
        await net.create_plan(PlanTerms("Too much", Money("1", "GBP"), discount_percent=Decimal(150)),
                              net.operator, net.org.id)


async def test_quote_spreads_energy_at_constant_power_in_the_location_zone(net):
    tariff = await net.create_tariff(energy_tariff("0.30"), net.operator, net.org.id)
    breakdown = await net.quote(tariff.id, Quote(T, T + timedelta(hours=2), Decimal("22.5")), net.operator,
                                net.org.id)
    assert (breakdown.total_excl_vat, breakdown.total) == (Decimal("6.75"), Decimal("8.10"))
    with pytest.raises(InvalidInput, match="location_timezone"):
        await net.quote(tariff.id, Quote(T, T + timedelta(hours=1), Decimal(1), location_timezone="Mars/Base"),
                        net.operator, net.org.id)


async def test_bad_tariffs_name_the_field(net):
    bad = {"currency": "EURO", "elements": [{"price_components": [{"type": "GAS", "price": "-1", "step_size": 1}],
                                              "restrictions": {"start_time": "25:00"}}]}
    with pytest.raises(InvalidInput) as info:
        await net.create_tariff(bad, net.operator, net.org.id)
    fields = {e.field for e in info.value.errors}
    assert {"currency", "elements[0].price_components[0].type", "elements[0].price_components[0].price",
            "elements[0].restrictions.start_time"} <= fields
    with pytest.raises(InvalidInput, match="price"):
        await net.create_tariff(energy_tariff("0.30") | {"elements": [{"price_components": [
            {"type": "ENERGY", "price": 0.3, "step_size": 1}]}]}, net.operator, net.org.id)
