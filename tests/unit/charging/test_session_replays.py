"""Hypothesis: transaction messages in random order, duplicated and replayed, make one session each
with exactly the energy the meter measured, and nothing escapes as an exception."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from domain.charging import ENERGY_REGISTER, Applied, ChargingSession, MeterSample, SessionStatus, TransactionEvent
from domain.charging import TransactionEventKind as Kind

T0 = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)


def transaction_messages(meter_start: int, increments: list[int], with_seq_no: bool, kwh_unit: bool):
    """The messages one charge point sends for one transaction, in the order it sent them."""
    messages, register, ts = [], Decimal(meter_start), T0
    messages.append(TransactionEvent(Kind.STARTED, ts, seq_no=0 if with_seq_no else None,
                                     meter_wh=register, id_tag="RFID-1"))
    for i, inc in enumerate(increments, start=1):
        ts, register = ts + timedelta(minutes=1), register + inc
        value, unit = (register / 1000, "kWh") if kwh_unit else (register, "Wh")
        sample = MeterSample(ts, ENERGY_REGISTER, value, unit=unit)
        power = MeterSample(ts, "Power.Active.Import", Decimal(inc * 60), unit="W")
        messages.append(TransactionEvent(Kind.UPDATED, ts, seq_no=i if with_seq_no else None, samples=(sample, power)))
    ts += timedelta(minutes=1)
    messages.append(TransactionEvent(Kind.ENDED, ts, seq_no=len(increments) + 1 if with_seq_no else None,
                                     meter_wh=register, stop_reason="EVDisconnected"))
    return messages, register - meter_start


transactions = st.lists(
    st.tuples(st.integers(0, 10**9), st.lists(st.integers(0, 50_000), max_size=6), st.booleans(), st.booleans()),
    min_size=1, max_size=4,
)


class Replays(RuleBasedStateMachine):
    """A central system receiving the traffic of several transactions, with losses and retries."""

    @initialize(txs=transactions)
    def setup(self, txs):
        self.sent = {f"tx{i}": transaction_messages(*tx) for i, tx in enumerate(txs)}
        self.delivered: dict[str, set[int]] = {tx: set() for tx in self.sent}
        self.sessions: dict[str, ChargingSession] = {}

    def _deliver(self, tx: str, index: int) -> None:
        message = self.sent[tx][0][index]
        if tx in self.sessions:
            self.sessions[tx].apply(message)
        else:
            self.sessions[tx], _ = ChargingSession.open(id=f"ses_{tx}", organization_id="org_x",
                                                        charge_point_id="CP-1", transaction_id=tx, first=message)
        self.delivered[tx].add(index)

    @rule(data=st.data())
    def deliver_any_message(self, data):
        tx = data.draw(st.sampled_from(sorted(self.sent)))
        self._deliver(tx, data.draw(st.integers(0, len(self.sent[tx][0]) - 1)))

    @rule(data=st.data())
    def replay_everything_delivered_so_far(self, data):
        tx = data.draw(st.sampled_from(sorted(self.sent)))
        for index in data.draw(st.permutations(sorted(self.delivered[tx]))):
            self._deliver(tx, index)

    @invariant()
    def one_session_per_transaction_and_energy_never_exceeds_what_was_measured(self):
        assert set(self.sessions) <= set(self.sent)
        for tx, session in self.sessions.items():
            assert session.transaction_id == tx
            assert Decimal(0) <= session.energy_wh <= self.sent[tx][1]

    @invariant()
    def a_fully_delivered_transaction_is_complete_and_exact(self):
        for tx, (messages, energy) in self.sent.items():
            if len(self.delivered[tx]) == len(messages):
                session = self.sessions[tx]
                assert session.status is SessionStatus.COMPLETED
                assert session.energy_wh == energy
                assert session.started_at == messages[0].timestamp
                assert session.stopped_at == messages[-1].timestamp
                assert session.id_tag == "RFID-1"


TestReplays = Replays.TestCase
TestReplays.settings = settings(max_examples=150, stateful_step_count=30, deadline=None)


@given(st.permutations(list(range(5))))
def test_any_delivery_order_gives_the_same_session(order):
    messages, energy = transaction_messages(1000, [100, 0, 250], with_seq_no=False, kwh_unit=False)
    session = None
    for i in order:
        if session is None:
            session, _ = ChargingSession.open(id="ses_1", organization_id="org_x", charge_point_id="CP-1",
                                              transaction_id="1", first=messages[i])
        else:
            session.apply(messages[i])
    assert session.energy_wh == energy == Decimal(350)
    assert (session.status, session.stopped_at, session.stop_reason) == (SessionStatus.COMPLETED,
                                                                          messages[-1].timestamp, "EVDisconnected")


def test_a_session_is_started_until_energy_flows_then_active():
    messages, _ = transaction_messages(0, [0, 10], with_seq_no=True, kwh_unit=False)
    session, _ = ChargingSession.open(id="ses_1", organization_id="org_x", charge_point_id="CP-1",
                                      transaction_id="1", first=messages[0])
    session.apply(messages[1])
    assert session.status is SessionStatus.STARTED
    session.apply(messages[2])
    assert session.status is SessionStatus.ACTIVE and session.energy_kwh == Decimal("0.01")


def test_a_repeated_sequence_number_is_ignored_whole():
    messages, _ = transaction_messages(0, [10], with_seq_no=True, kwh_unit=False)
    session, _ = ChargingSession.open(id="ses_1", organization_id="org_x", charge_point_id="CP-1",
                                      transaction_id="1", first=messages[0])
    assert session.apply(messages[1]).samples != ()
    assert session.apply(messages[1]) == Applied()


def test_per_phase_registers_do_not_count_as_the_total():
    messages, _ = transaction_messages(0, [], with_seq_no=False, kwh_unit=False)
    session, _ = ChargingSession.open(id="ses_1", organization_id="org_x", charge_point_id="CP-1",
                                      transaction_id="1", first=messages[0])
    phase = MeterSample(T0 + timedelta(minutes=1), ENERGY_REGISTER, Decimal(5000), unit="Wh", phase="L1")
    session.apply(TransactionEvent(Kind.UPDATED, T0 + timedelta(minutes=1), samples=(phase,)))
    assert session.energy_wh == 0
