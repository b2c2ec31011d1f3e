"""A charging world on in-memory fakes: an organization, a location, charge points, drivers."""

from __future__ import annotations

import functools
from types import SimpleNamespace

from adapters.memory import InMemoryMeterSink, InMemoryStore
from application import (
    charge_point_events,
    commands,
    drivers,
    memberships,
    network,
    reservations,
    sessions,
    tariffs,
    transactions,
)
from application.drivers import CreateDriver
from application.network import CreateLocation, RegisterChargePoint
from application.open_sessions import OpenSessions
from tests.fakes import FakeChargePoints, FakeClock, FastHasher
from tests.unit.application.helpers import organization, user


async def charging_env(base) -> SimpleNamespace:
    """Extends the identity ``env`` fixture with the charging use cases and a populated network."""
    store: InMemoryStore = base.store
    clock: FakeClock = base.clock
    uow = base.uow
    fleet = FakeChargePoints(online={"CP-1", "CP-2"})
    p = functools.partial
    env = SimpleNamespace(**vars(base))
    env.fleet = fleet
    env.create_location = p(network.create_location, uow_factory=uow, clock=clock)
    env.register_charge_point = p(network.register_charge_point, uow_factory=uow, hasher=FastHasher(), clock=clock)
    env.admit = p(network.admit_charge_point, uow_factory=uow, hasher=FastHasher())
    env.get_charge_point = p(network.get_charge_point, uow_factory=uow)
    env.create_driver = p(drivers.create_driver, uow_factory=uow, clock=clock)
    env.boot = p(charge_point_events.boot, uow_factory=uow, clock=clock)
    env.status_changed = p(charge_point_events.status_changed, uow_factory=uow)
    env.session_cost = p(sessions.session_cost, uow_factory=uow, clock=clock)
    env.list_orphans = p(sessions.list_orphan_transactions, uow_factory=uow)
    env.authorize = p(charge_point_events.authorize, uow_factory=uow, clock=clock)
    env.start = p(transactions.start_transaction, uow_factory=uow, clock=clock)
    # As in the container: meter values fold into the sessions kept for connected charge points.
    env.open_sessions = kept = OpenSessions()
    env.sink = InMemoryMeterSink(store)
    env.stop = p(transactions.stop_transaction, uow_factory=uow, clock=clock, open_sessions=kept)
    env.meter_values = p(transactions.meter_values, uow_factory=uow, sink=env.sink, open_sessions=kept)
    env.transaction_event = p(transactions.transaction_event, uow_factory=uow, sink=env.sink, clock=clock,
                              open_sessions=kept)
    env.list_sessions = p(sessions.list_sessions, uow_factory=uow)
    env.get_session = p(sessions.get_session, uow_factory=uow, clock=clock)
    env.create_tariff = p(tariffs.create_tariff, uow_factory=uow, clock=clock)
    env.update_tariff = p(tariffs.update_tariff, uow_factory=uow, clock=clock)
    env.assign_cp = p(tariffs.assign_to_charge_point, uow_factory=uow)
    env.assign_location = p(tariffs.assign_to_location, uow_factory=uow)
    env.quote = p(tariffs.quote, uow_factory=uow)
    env.create_plan = p(memberships.create_plan, uow_factory=uow, clock=clock)
    env.subscribe = p(memberships.subscribe, uow_factory=uow, clock=clock)
    env.end_subscription = p(memberships.end_subscription, uow_factory=uow, clock=clock)
    env.send_command = p(commands.send_command, uow_factory=uow, commands=fleet, clock=clock)
    env.stop_session = p(commands.stop_session, uow_factory=uow, commands=fleet)
    env.create_reservation = p(reservations.create_reservation, uow_factory=uow, commands=fleet, clock=clock)
    env.list_reservations = p(reservations.list_reservations, uow_factory=uow, clock=clock)
    env.cancel_reservation = p(reservations.cancel_reservation, uow_factory=uow, commands=fleet, clock=clock)
    env.expire_reservations = p(reservations.expire_reservations, uow_factory=uow, clock=clock)

    env.operator = await user(base, "operator@voltline.example")
    env.org = await organization(base, env.operator)
    env.location = await env.create_location(
        CreateLocation("Depot", "1 Quay Street", "Bristol", "GB", "Europe/London"), env.operator, env.org.id)
    env.cp1 = await env.register_charge_point(RegisterChargePoint("CP-1", env.location.id, "a-very-secret-pass",
                                                                  ((1, (1,)), (2, (2,)))), env.operator, env.org.id)
    env.cp2 = await env.register_charge_point(RegisterChargePoint("CP-2", env.location.id), env.operator, env.org.id)
    env.dana = await env.create_driver(CreateDriver("Dana", "dana@example.com", None, ("RFID-DANA",)),
                                       env.operator, env.org.id)
    env.eli = await env.create_driver(CreateDriver("Eli", None, None, ("RFID-ELI",)), env.operator, env.org.id)
    return env
