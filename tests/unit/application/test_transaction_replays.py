"""Hypothesis, through the use cases: transaction messages of both OCPP versions, retried, duplicated and
replayed in random order, give one session per transaction, never double energy, and no stray exception."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from application.pagination import PageRequest
from application.ports.network import SessionFilter
from application.transactions import MeterValues, StartTransaction, StopTransaction, TransactionEventReport
from domain.charging import ENERGY_REGISTER, MeterSample, SessionStatus, TransactionEventKind
from tests.unit.application.charging_env import charging_env
from tests.unit.application.conftest import build_env

T0 = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)


def _register(ts: datetime, wh: Decimal) -> MeterSample:
    return MeterSample(ts, ENERGY_REGISTER, wh, unit="Wh")


def plan_16(connector: int, start_wh: int, increments: list[int], tag: str):
    """A 1.6 transaction: the start, then meter values and the stop (which need the assigned id)."""
    start = StartTransaction("CP-1", connector, tag, Decimal(start_wh), T0 + timedelta(seconds=connector))
    wh, ts, later = Decimal(start_wh), start.timestamp, []
    for inc in increments:
        ts, wh = ts + timedelta(minutes=1), wh + inc
        later.append(("meter", ts, wh))
    later.append(("stop", ts + timedelta(minutes=1), wh))
    return start, later, wh - start_wh


def plan_201(tx: str, start_wh: int, increments: list[int], tag: str):
    wh, ts = Decimal(start_wh), T0
    messages = [TransactionEventReport("CP-2", TransactionEventKind.STARTED, ts, tx, 0, "Authorized", id_tag=tag,
                                       evse_id=1, connector_id=1, samples=(_register(ts, wh),))]
    for seq, inc in enumerate(increments, start=1):
        ts, wh = ts + timedelta(minutes=1), wh + inc
        messages.append(TransactionEventReport("CP-2", TransactionEventKind.UPDATED, ts, tx, seq, "MeterValuePeriodic",
                                               samples=(_register(ts, wh),), offline=True))
    ts += timedelta(minutes=1)
    messages.append(TransactionEventReport("CP-2", TransactionEventKind.ENDED, ts, tx, len(increments) + 1,
                                           "EVDeparted", samples=(_register(ts, wh),), stopped_reason="EVDisconnected"))
    return messages, wh - start_wh


increments = st.lists(st.integers(0, 20_000), max_size=4)


@settings(max_examples=40, deadline=None)
@given(data=st.data(),
       txs_16=st.lists(st.tuples(st.integers(0, 10**7), increments), min_size=1, max_size=2),
       txs_201=st.lists(st.tuples(st.integers(0, 10**7), increments), min_size=1, max_size=2))
def test_random_retries_and_replays(data, txs_16, txs_201):
    asyncio.run(_scenario(data, txs_16, txs_201))


async def _scenario(data, txs_16, txs_201):
    net = await charging_env(build_env())
    expected: dict[tuple[str, str], Decimal] = {}
    # 1.6: each start is sent one or more times; the id the first answer gives drives the rest.
    for i, (start_wh, incs) in enumerate(txs_16):
        start, later, energy = plan_16(i + 1, start_wh, incs, "RFID-DANA")
        answers = [await net.start(start) for _ in range(data.draw(st.integers(1, 3)))]
        assert len({a.transaction_id for a in answers}) == 1
        tx = str(answers[0].transaction_id)
        expected[("CP-1", tx)] = energy
        sends = data.draw(st.lists(st.sampled_from(range(len(later))), max_size=6)) + list(range(len(later)))
        for index in sends:  # retries anywhere, but a 1.6 charge point sends each message after the previous one
            kind, ts, wh = later[index]
            if kind == "meter":
                await net.meter_values(MeterValues("CP-1", (_register(ts, wh),), tx, i + 1))
            else:
                await net.stop(StopTransaction("CP-1", tx, wh, ts, "Local"))
    # 2.0.1: every message at least once, in any order, with duplicates.
    for i, (start_wh, incs) in enumerate(txs_201):
        messages, energy = plan_201(f"tx-{i}", start_wh, incs, "RFID-ELI")
        expected[("CP-2", f"tx-{i}")] = energy
        order = data.draw(st.permutations(range(len(messages))))
        extra = data.draw(st.lists(st.sampled_from(range(len(messages))), max_size=5))
        for index in list(order) + extra:
            await net.transaction_event(messages[index])
    page = await net.list_sessions(net.operator, net.org.id, SessionFilter(), PageRequest(limit=100))
    found = {(s.charge_point_id, s.transaction_id): s for s in page.items}
    assert len(page.items) == len(expected) == len(found)
    for key, energy in expected.items():
        session = found[key]
        assert session.status is SessionStatus.COMPLETED
        assert session.energy_wh == energy

