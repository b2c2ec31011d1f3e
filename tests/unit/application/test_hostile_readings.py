"""Whatever numbers a charge point sends, through the door's parser and the use cases, every session stays
readable and its cost finite and sane; and each case outside testing found answers as it should."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from application.pagination import PageRequest
from application.ports.network import OrphanFilter, SessionFilter
from application.sessions import NotPriced
from application.transactions import MeterValues, StartTransaction, StopTransaction, TransactionEventReport
from domain.charging import SessionStatus, TransactionEventKind
from domain.charging.quantities import MAX_POWER_W, REGISTER_WH, MalformedNumber, OutOfRange, read
from domain.errors import InvalidInput
from entrypoints.ocpp.values import samples_16
from tests.unit.application.charging_env import charging_env
from tests.unit.application.conftest import build_env

T = datetime(2026, 4, 1, 8, 0, tzinfo=UTC)
TARIFF = {"currency": "GBP", "name": "energy, time and a fee", "elements": [{"price_components": [
    {"type": "ENERGY", "price": "0.30", "vat": "20", "step_size": 1},
    {"type": "TIME", "price": "2.00", "vat": "20", "step_size": 60},
    {"type": "FLAT", "price": "1.00", "vat": "20", "step_size": 1}]}]}

_digits = st.integers(min_value=0, max_value=10**40).map(str)
values = st.one_of(
    st.integers(min_value=-(10**15), max_value=10**15).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-(10**13), max_value=10**13).map(str),
    st.builds(lambda m, e: f"{m}e{e}", st.integers(-99, 99), st.integers(-40, 40)),
    _digits,
    st.sampled_from(["NaN", "Infinity", "-Infinity", "abc", "0x10", "", " 12", "1_000", "٣", "1e30", "1e20", "-0",
                     "12.", ".5", "+7", "1E+3", "9" * 60]),
)
sampled = st.fixed_dictionaries(
    {"value": values},
    optional={"unit": st.sampled_from(["Wh", "kWh", "W", "kW", "A", "V", "Percent", "Celsius"]),
              "measurand": st.sampled_from(["Energy.Active.Import.Register", "Power.Active.Import", "SoC",
                                            "Current.Import", "Voltage", "Temperature", "Energy.Active.Import.Interval",
                                            "Frequency", "Vendor.Specific"]),
              "phase": st.sampled_from(["L1", "L2", "L3"])})
meter_value = st.fixed_dictionaries({
    "timestamp": st.integers(-3600, 6 * 3600).map(lambda s: (T + timedelta(seconds=s)).isoformat()),
    "sampled_value": st.lists(sampled, min_size=1, max_size=4)})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages=st.lists(st.lists(meter_value, min_size=1, max_size=3), max_size=8),
       meter_start=values, meter_stop=values, stop_after=st.integers(-600, 12 * 3600))
def test_any_readings_leave_every_session_readable_with_a_sane_finite_cost(messages, meter_start, meter_stop,
                                                                          stop_after):
    asyncio.run(_any_readings(messages, meter_start, meter_stop, stop_after))


async def _any_readings(messages, meter_start, meter_stop, stop_after):
    net = await charging_env(build_env())
    net.clock.current = T
    tariff = await net.create_tariff(TARIFF, net.operator, net.org.id)
    await net.assign_cp("CP-1", tariff.id, net.operator, net.org.id)
    try:
        start_wh = read(meter_start, REGISTER_WH, "meterStart")
    except InvalidInput:
        start_wh = Decimal(0)   # the door answered a CallError; the charge point sends a valid start
    started = await net.start(StartTransaction("CP-1", 1, "RFID-DANA", start_wh, T))
    tx = str(started.transaction_id)
    for message in messages:
        try:
            samples = samples_16(message, require_one=True)
        except InvalidInput:
            continue   # answered with a CallError; nothing reached the core
        await net.meter_values(MeterValues("CP-1", samples, tx, 1))
    stopped_at = T + timedelta(seconds=stop_after)
    try:
        stop_wh = read(meter_stop, REGISTER_WH, "meterStop")
    except InvalidInput:
        stop_wh = start_wh
    await net.stop(StopTransaction("CP-1", tx, stop_wh, stopped_at, "Local"))

    listed = await net.list_sessions(net.operator, net.org.id, SessionFilter(), PageRequest(limit=100))
    [session] = listed.items
    detail = await net.get_session(session.id, net.operator, net.org.id)
    assert detail.session.status is SessionStatus.COMPLETED
    energy = detail.session.energy_wh
    assert 0 <= energy < REGISTER_WH.high
    try:
        cost = await net.session_cost(session.id, net.operator, net.org.id)
    except NotPriced:
        return
    breakdown = cost.breakdown
    assert all(x.is_finite() for x in (breakdown.total, breakdown.total_excl_vat, breakdown.vat))
    assert breakdown.total == breakdown.total_excl_vat + breakdown.vat >= 0
    # Sane: no more energy billed than the most powerful charger delivers over the session's span, and
    # no more time than the span itself.
    span_hours = Decimal(abs(stop_after) + 7 * 3600) / 3600
    physical_kwh = MAX_POWER_W / 1000 * span_hours
    assert breakdown.energy_kwh <= physical_kwh
    assert breakdown.total_excl_vat <= Decimal("0.30") * (physical_kwh + 1) + Decimal("2.00") * (span_hours + 1) + 1


@pytest.fixture
async def net(env):
    world = await charging_env(env)
    world.clock.current = T
    tariff = await world.create_tariff(TARIFF, world.operator, world.org.id)
    await world.assign_location(world.location.id, tariff.id, world.operator, world.org.id)
    return world


def _meter(minutes: int, value: str, unit: str = "Wh") -> list[dict]:
    return [{"timestamp": (T + timedelta(minutes=minutes)).isoformat(),
             "sampled_value": [{"value": value, "measurand": "Energy.Active.Import.Register", "unit": unit}]}]


@pytest.mark.parametrize(("value", "error"), [("1e30", OutOfRange), ("1e20", OutOfRange), ("-5", OutOfRange),
                                              ("NaN", MalformedNumber), ("Infinity", MalformedNumber),
                                              ("abc", MalformedNumber), ("0x10", MalformedNumber)])
def test_a_meter_values_of_nothing_but_an_impossible_reading_is_refused(value, error):
    with pytest.raises(error):
        samples_16(_meter(5, value), require_one=True)


def test_one_bad_sample_among_good_ones_is_dropped_not_the_message(caplog):
    message = _meter(5, "5000") + _meter(6, "1e30") + _meter(7, "abc")
    samples = samples_16(message, require_one=True)
    assert [s.value for s in samples] == [Decimal(5000)]
    assert [r.reason for r in caplog.records if r.message == "meter sample dropped"] == [
        "sampledValue.value: 1E+30 is outside the energy register (Wh) range [0, 1000000000000)",
        "sampledValue.value: 'abc' is not a decimal number"]


async def test_a_jump_beyond_what_physics_allows_is_flagged_and_not_billed(net):
    started = await net.start(StartTransaction("CP-1", 1, "RFID-DANA", Decimal(1000), T))
    tx = str(started.transaction_id)
    await net.meter_values(MeterValues("CP-1", samples_16(_meter(10, "3000")), tx, 1))
    # 5·10^11 Wh in ten minutes would take 3 terawatts: in range for a register, impossible for a charger.
    await net.meter_values(MeterValues("CP-1", samples_16(_meter(20, "500000000000")), tx, 1))
    await net.meter_values(MeterValues("CP-1", samples_16(_meter(30, "6000")), tx, 1))
    await net.stop(StopTransaction("CP-1", tx, Decimal(8000), T + timedelta(minutes=40), "Local"))
    detail = await net.get_session(started.session_id, net.operator, net.org.id)
    assert detail.session.flagged and detail.session.energy_wh == Decimal(7000)
    assert [(a.kind, a.at) for a in detail.anomalies] == [("energy_jump", T + timedelta(minutes=20))]
    cost = await net.session_cost(started.session_id, net.operator, net.org.id)
    energy_line = next(line for line in cost.breakdown.lines if str(line.type) == "ENERGY")
    assert cost.breakdown.energy_kwh == Decimal(7) and energy_line.quantity == Decimal(7)


async def test_a_meter_stop_beyond_physics_is_not_billed_either(net):
    started = await net.start(StartTransaction("CP-1", 1, "RFID-DANA", Decimal(0), T))
    tx = str(started.transaction_id)
    await net.meter_values(MeterValues("CP-1", samples_16(_meter(30, "5000")), tx, 1))
    await net.stop(StopTransaction("CP-1", tx, Decimal(10**11), T + timedelta(minutes=31), "Local"))
    session = (await net.get_session(started.session_id, net.operator, net.org.id)).session
    assert session.flagged and session.meter_stop_wh is None and session.energy_wh == Decimal(5000)
    assert (await net.session_cost(started.session_id, net.operator, net.org.id)).breakdown.energy_kwh == 5


async def test_a_stop_for_a_transaction_never_started_is_answered_but_bills_nothing(net):
    authorization = await net.stop(StopTransaction("CP-1", "4242", Decimal(9000), T, "Local", id_tag="RFID-DANA"))
    assert authorization is not None and authorization.accepted          # the charge point empties its queue
    listed = await net.list_sessions(net.operator, net.org.id, SessionFilter(), PageRequest())
    assert listed.items == []
    orphans = await net.list_orphans(net.operator, net.org.id, OrphanFilter(), PageRequest())
    [orphan] = orphans.items
    assert (orphan.charge_point_id, orphan.transaction_id, orphan.received, orphan.adopted) == ("CP-1", "4242", 1,
                                                                                              False)
    await net.stop(StopTransaction("CP-1", "4242", Decimal(9000), T, "Local", id_tag="RFID-DANA"))   # its retry
    [again] = (await net.list_orphans(net.operator, net.org.id, OrphanFilter(), PageRequest())).items
    assert (again.id, again.received, len(again.messages)) == (orphan.id, 2, 1)
    # Transaction ids go on from where they were: nothing of the orphan becomes a session.
    started = await net.start(StartTransaction("CP-1", 1, "RFID-DANA", Decimal(0), T))
    assert started.transaction_id == 1


async def test_201_events_of_a_transaction_whose_start_comes_last_are_adopted_when_it_comes(net):
    def event(kind, seq, minutes, **kw):
        return TransactionEventReport("CP-2", kind, T + timedelta(minutes=minutes), "tx-late", seq, "Trigger",
                                      evse_id=1, connector_id=1, **kw)
    await net.transaction_event(event(TransactionEventKind.ENDED, 2, 30, stopped_reason="Local"))
    await net.transaction_event(event(TransactionEventKind.UPDATED, 1, 15))
    assert (await net.list_sessions(net.operator, net.org.id, SessionFilter(), PageRequest())).items == []
    [orphan] = (await net.list_orphans(net.operator, net.org.id, OrphanFilter(adopted=False), PageRequest())).items
    await net.transaction_event(event(TransactionEventKind.STARTED, 0, 0, id_tag="RFID-ELI"))
    [session] = (await net.list_sessions(net.operator, net.org.id, SessionFilter(), PageRequest())).items
    assert (session.status, session.started_at, session.stopped_at) == (SessionStatus.COMPLETED, T,
                                                                        T + timedelta(minutes=30))
    [adopted] = (await net.list_orphans(net.operator, net.org.id, OrphanFilter(adopted=True), PageRequest())).items
    assert (adopted.id, adopted.adopted_by) == (orphan.id, session.id)
    assert (await net.session_cost(session.id, net.operator, net.org.id)).estimate is False


async def test_a_session_spanning_centuries_completes_unpriced_instead_of_holding_the_server(net):
    started = await net.start(StartTransaction("CP-1", 1, "RFID-DANA", Decimal(0), T))
    tx = str(started.transaction_id)
    await net.stop(StopTransaction("CP-1", tx, Decimal(5000), T.replace(year=2226), "Local"))
    session = (await net.get_session(started.session_id, net.operator, net.org.id)).session
    assert session.status is SessionStatus.COMPLETED and session.cost is None
    with pytest.raises(NotPriced):
        await net.session_cost(started.session_id, net.operator, net.org.id)
