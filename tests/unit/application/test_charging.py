"""Charge points, id tags, sessions from transaction messages, commands and reservations on fakes."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from application import network
from application.charge_point_events import Boot, StatusReport
from application.drivers import CreateDriver
from application.id_tags import AuthorizationStatus
from application.network import RegisterChargePoint
from application.pagination import PageRequest
from application.ports.charge_point_commands import CancelReservation, RemoteStop, ReserveNow, Reset
from application.ports.network import ReservationFilter, SessionFilter
from application.reservations import CreateReservation, ReservationRejected
from application.transactions import MeterValues, StartTransaction, StopTransaction, TransactionEventReport
from domain.charging import ENERGY_REGISTER, MeterSample, SessionStatus, TransactionEventKind
from domain.errors import Conflict, Forbidden, InvalidInput, InvalidState, NotFound, Unauthenticated, Unavailable
from domain.identity import Role
from domain.network import ReservationStatus
from tests.fakes import FastHasher
from tests.unit.application.charging_env import charging_env
from tests.unit.application.helpers import join, organization, user

T = datetime(2026, 1, 15, 8, 0, tzinfo=UTC)


@pytest.fixture
async def net(env):
    return await charging_env(env)


def register(ts: datetime, wh: int) -> MeterSample:
    return MeterSample(ts, ENERGY_REGISTER, Decimal(wh), unit="Wh")


async def test_registration_rules(net):
    with pytest.raises(Conflict):
        await net.register_charge_point(RegisterChargePoint("CP-1", net.location.id), net.operator, net.org.id)
    with pytest.raises(InvalidInput) as info:
        await net.register_charge_point(RegisterChargePoint("bad id/with slash", "loc_x", "short"), net.operator,
                                        net.org.id)
    assert {e.field for e in info.value.errors} == {"id", "ocpp_password"}
    stored = net.store.tables["charge_points"]["CP-1"]
    assert stored.password_hash and "a-very-secret-pass" not in stored.password_hash
    other_admin = await user(net, "other@example.com")
    other_org = await organization(net, other_admin, "Other")
    with pytest.raises(InvalidInput, match="location_id"):
        await net.register_charge_point(RegisterChargePoint("CP-9", net.location.id), other_admin, other_org.id)
    with pytest.raises(NotFound):
        await net.get_charge_point("CP-1", other_admin, other_org.id)


async def test_viewer_cannot_register_but_member_can(net):
    viewer = await join(net, net.operator, net.org.id, "viewer@example.com", Role.VIEWER)
    member = await join(net, net.operator, net.org.id, "member@example.com", Role.MEMBER)
    with pytest.raises(Forbidden):
        await net.register_charge_point(RegisterChargePoint("CP-V", net.location.id), viewer, net.org.id)
    assert (await net.register_charge_point(RegisterChargePoint("CP-M", net.location.id), member, net.org.id)).id


async def test_admission_needs_the_password_when_one_was_registered(net):
    assert (await net.admit("CP-1", "a-very-secret-pass")).id == "CP-1"
    assert (await net.admit("CP-2", None)).id == "CP-2"
    for password in (None, "wrong-password-123"):
        with pytest.raises(Unauthenticated):
            await net.admit("CP-1", password)
    with pytest.raises(NotFound):
        await net.admit("CP-404", None)


async def test_boot_and_status_reports_update_the_charge_point(net):
    accepted = await net.boot(Boot("CP-1", "Alfen", "Eve Single", "SN1", "6.1.0"))
    assert accepted.status == "Accepted" and accepted.interval == 300
    await net.status_changed(StatusReport("CP-1", 1, 1, "Charging", "NoError", T))
    await net.status_changed(StatusReport("CP-1", 1, 1, "Available", "NoError", T - timedelta(minutes=5)))
    await net.status_changed(StatusReport("CP-1", 3, 1, "Available", "NoError", T))
    cp = await net.get_charge_point("CP-1", net.operator, net.org.id)
    assert (cp.vendor, cp.online) == ("Alfen", True)
    assert [(c.evse_id, c.connector_id, c.status) for c in cp.connectors] == [(1, 1, "Charging"), (2, 2, "Unknown"),
                                                                               (3, 1, "Available")]


async def test_a_starting_node_marks_every_charge_point_offline(net):
    from application.charge_point_events import no_charge_point_connected

    await net.boot(Boot("CP-1", "Alfen", "Eve Single"))
    assert (await net.get_charge_point("CP-1", net.operator, net.org.id)).online
    assert await no_charge_point_connected(uow_factory=net.store.unit_of_work) == 1
    assert not (await net.get_charge_point("CP-1", net.operator, net.org.id)).online


async def test_id_tags_authorize_within_their_organization_only(net):
    assert (await net.authorize("CP-1", "RFID-DANA")).status is AuthorizationStatus.ACCEPTED
    assert (await net.authorize("CP-1", "RFID-NOBODY")).status is AuthorizationStatus.INVALID
    other_admin = await user(net, "other@example.com")
    other_org = await organization(net, other_admin, "Other")
    await net.create_driver(CreateDriver("Zed", None, None, ("RFID-ZED",)), other_admin, other_org.id)
    assert (await net.authorize("CP-1", "RFID-ZED")).status is AuthorizationStatus.INVALID
    with pytest.raises(Conflict):
        await net.create_driver(CreateDriver("Copy", None, None, ("RFID-DANA",)), net.operator, net.org.id)


async def test_a_16_session_start_meter_stop_with_retries_counts_energy_once(net):
    start = StartTransaction("CP-1", 1, "RFID-DANA", Decimal(1000), T)
    first = await net.start(start)
    retry = await net.start(start)
    assert retry.transaction_id == first.transaction_id and retry.session_id == first.session_id
    assert first.authorization.status is AuthorizationStatus.ACCEPTED
    tx = str(first.transaction_id)
    for _ in range(2):  # a MeterValues retried after a lost answer
        await net.meter_values(MeterValues("CP-1", (register(T + timedelta(minutes=10), 5000),), tx, 1))
    stop = StopTransaction("CP-1", tx, Decimal(8500), T + timedelta(minutes=30), "EVDisconnected",
                           samples=(register(T + timedelta(minutes=20), 7000),))
    await net.stop(stop)
    await net.stop(stop)
    page = await net.list_sessions(net.operator, net.org.id, SessionFilter(), PageRequest())
    assert len(page.items) == 1
    detail = await net.get_session(first.session_id, net.operator, net.org.id)
    session = detail.session
    assert (session.status, session.energy_kwh, session.driver_id) == (SessionStatus.COMPLETED, Decimal("7.5"),
                                                                       net.dana.id)
    assert [s.value for s in detail.samples] == [Decimal(5000), Decimal(7000)]
    second = await net.start(StartTransaction("CP-1", 1, "RFID-DANA", Decimal(8500), T + timedelta(hours=1)))
    assert second.transaction_id == first.transaction_id + 1


async def test_201_events_out_of_order_and_repeated_make_one_session(net):
    def event(kind, seq, minutes, wh=None, **kw):
        samples = (register(T + timedelta(minutes=minutes), wh),) if wh is not None else ()
        return TransactionEventReport("CP-2", kind, T + timedelta(minutes=minutes), "tx-abc", seq, "Trigger",
                                      samples=samples, evse_id=1, connector_id=1, **kw)
    started = event(TransactionEventKind.STARTED, 0, 0, 200, id_tag="RFID-ELI", charging_state="Charging")
    updated = event(TransactionEventKind.UPDATED, 1, 15, 4200, offline=True)
    ended = event(TransactionEventKind.ENDED, 2, 30, 9200, stopped_reason="Local")
    for message in (ended, updated, started, updated, ended, started):
        await net.transaction_event(message)
    page = await net.list_sessions(net.operator, net.org.id, SessionFilter(charge_point_id="CP-2"), PageRequest())
    [session] = page.items
    assert session.energy_kwh == Decimal(9)
    assert (session.status, session.started_at, session.driver_id, session.offline) == (
        SessionStatus.COMPLETED, T, net.eli.id, True)


async def test_201_meter_values_name_only_the_evse_and_reach_its_running_session(net):
    started = TransactionEventReport("CP-2", TransactionEventKind.STARTED, T, "tx-evse", 0, "Authorized",
                                     id_tag="RFID-ELI", evse_id=2, connector_id=1, samples=(register(T, 100),))
    await net.transaction_event(started)
    await net.meter_values(MeterValues("CP-2", (register(T + timedelta(minutes=5), 2100),), evse_id=2))
    await net.meter_values(MeterValues("CP-2", (register(T + timedelta(minutes=6), 9999),), evse_id=1))
    page = await net.list_sessions(net.operator, net.org.id, SessionFilter(charge_point_id="CP-2"), PageRequest())
    assert [s.energy_wh for s in page.items] == [Decimal(2000)]


async def test_sessions_filter_by_status_driver_and_are_newest_first(net):
    a = await net.start(StartTransaction("CP-1", 1, "RFID-DANA", Decimal(0), T))
    b = await net.start(StartTransaction("CP-1", 2, "RFID-ELI", Decimal(0), T + timedelta(minutes=1)))
    await net.stop(StopTransaction("CP-1", str(a.transaction_id), Decimal(10), T + timedelta(minutes=5)))
    listed = await net.list_sessions(net.operator, net.org.id, SessionFilter(), PageRequest())
    assert [s.id for s in listed.items] == [b.session_id, a.session_id]
    done = await net.list_sessions(net.operator, net.org.id, SessionFilter(status=SessionStatus.COMPLETED),
                                   PageRequest())
    assert [s.id for s in done.items] == [a.session_id]
    elis = await net.list_sessions(net.operator, net.org.id, SessionFilter(driver_id=net.eli.id), PageRequest())
    assert [s.id for s in elis.items] == [b.session_id]


async def test_commands_reach_online_charge_points_and_remote_stop_names_the_transaction(net):
    assert (await net.send_command("CP-1", Reset("hard"), net.operator, net.org.id)).status == "Accepted"
    started = await net.start(StartTransaction("CP-1", 1, "RFID-DANA", Decimal(0), T))
    await net.stop_session("CP-1", started.session_id, net.operator, net.org.id)
    assert net.fleet.sent[-1] == ("CP-1", RemoteStop(str(started.transaction_id)))
    net.fleet.online.discard("CP-1")
    with pytest.raises(Unavailable):
        await net.send_command("CP-1", Reset(), net.operator, net.org.id)
    other_admin = await user(net, "other@example.com")
    other_org = await organization(net, other_admin, "Other")
    with pytest.raises(NotFound):
        await net.send_command("CP-2", Reset(), other_admin, other_org.id)


async def test_reservation_lifecycle_reserve_use_cancel_expire(net):
    net.clock.current = T
    reservation = await net.create_reservation(
        CreateReservation("CP-1", 1, T + timedelta(minutes=30), "RFID-DANA"), net.operator, net.org.id)
    assert reservation.status is ReservationStatus.ACTIVE
    sent = net.fleet.sent[-1][1]
    assert isinstance(sent, ReserveNow) and sent.reservation_id == reservation.ocpp_reservation_id
    with pytest.raises(Conflict):
        await net.create_reservation(CreateReservation("CP-1", 1, T + timedelta(minutes=30), "RFID-ELI"),
                                     net.operator, net.org.id)
    assert (await net.authorize("CP-1", "RFID-ELI")).status is AuthorizationStatus.ACCEPTED
    eli = await net.start(StartTransaction("CP-1", 1, "RFID-ELI", Decimal(0), T))
    assert eli.authorization.status is AuthorizationStatus.RESERVED
    dana = await net.start(StartTransaction("CP-1", 1, "RFID-DANA", Decimal(0), T + timedelta(seconds=1),
                                            reservation_id=reservation.ocpp_reservation_id))
    assert dana.authorization.status is AuthorizationStatus.ACCEPTED
    used = await net.list_reservations(net.operator, net.org.id, ReservationFilter(status=ReservationStatus.USED),
                                       PageRequest())
    assert [r.id for r in used.items] == [reservation.id]
    with pytest.raises(InvalidState):
        await net.cancel_reservation(reservation.id, net.operator, net.org.id)

    second = await net.create_reservation(CreateReservation("CP-1", 2, T + timedelta(minutes=10), "RFID-ELI"),
                                          net.operator, net.org.id)
    await net.cancel_reservation(second.id, net.operator, net.org.id)
    assert net.fleet.sent[-1] == ("CP-1", CancelReservation(second.ocpp_reservation_id))
    third = await net.create_reservation(CreateReservation("CP-1", 2, T + timedelta(minutes=10), "RFID-ELI"),
                                         net.operator, net.org.id)
    net.clock.advance(minutes=11)
    listed = await net.list_reservations(net.operator, net.org.id, ReservationFilter(status=ReservationStatus.EXPIRED),
                                         PageRequest())
    assert [r.id for r in listed.items] == [third.id]
    assert await net.expire_reservations() == 1
    assert net.store.tables["reservations"][third.id].status is ReservationStatus.EXPIRED


@pytest.mark.parametrize("answer", ["Occupied", "Faulted", "Rejected", "Unavailable"])
async def test_a_refused_reservation_is_never_reported_active(net, answer):
    net.clock.current = T
    net.fleet.answers["ReserveNow"] = answer
    with pytest.raises(ReservationRejected) as info:
        await net.create_reservation(CreateReservation("CP-1", 1, T + timedelta(minutes=30), "RFID-DANA"),
                                     net.operator, net.org.id)
    assert info.value.status == answer
    listed = await net.list_reservations(net.operator, net.org.id, ReservationFilter(), PageRequest())
    assert listed.items == []


async def test_reservation_input_is_checked_before_anything_is_sent(net):
    net.clock.current = T
    with pytest.raises(InvalidInput) as info:
        await net.create_reservation(CreateReservation("CP-1", 7, T - timedelta(minutes=1), "has space"),
                                     net.operator, net.org.id)
    assert {e.field for e in info.value.errors} == {"expires_at", "id_tag"}
    with pytest.raises(InvalidInput, match="connector_id"):
        await net.create_reservation(CreateReservation("CP-1", 7, T + timedelta(minutes=1), "RFID-DANA"),
                                     net.operator, net.org.id)
    assert net.fleet.sent == []


class CountingHasher(FastHasher):
    """Counts the (costly, in production) hashes it is asked for."""

    def __init__(self) -> None:
        self.hashed = 0

    async def hash(self, password: str) -> str:
        self.hashed += 1
        return await super().hash(password)


async def test_a_password_is_hashed_only_for_a_caller_allowed_to_register(net):
    hasher = CountingHasher()
    register = functools.partial(network.register_charge_point, uow_factory=net.uow, hasher=hasher, clock=net.clock)
    viewer = await join(net, net.operator, net.org.id, "viewer@example.com", Role.VIEWER)
    stranger = await user(net, "stranger@example.com")
    password = "sixteen-characters-long"
    with pytest.raises(Forbidden):
        await register(RegisterChargePoint("CP-V", net.location.id, password), viewer, net.org.id)
    with pytest.raises(NotFound):
        await register(RegisterChargePoint("CP-S", net.location.id, password), stranger, net.org.id)
    with pytest.raises(InvalidInput, match="location_id"):
        await register(RegisterChargePoint("CP-L", "loc_01JD0000000000000000000000", password), net.operator,
                       net.org.id)
    with pytest.raises(Conflict):
        await register(RegisterChargePoint("CP-1", net.location.id, password), net.operator, net.org.id)
    assert hasher.hashed == 0
    await register(RegisterChargePoint("CP-OK", net.location.id, password), net.operator, net.org.id)
    assert hasher.hashed == 1
