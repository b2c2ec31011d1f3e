"""The charge.v1 services through the running server, with a client generated from the protos in this test:
the same answers as REST (the same use cases), an API key or a user token in the metadata. SQLite and
PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import grpc
import pytest
from google.protobuf import timestamp_pb2
from ocpp.v16 import call as call16

from entrypoints.simulator import boot, charge_point
from tests.e2e.grpc.ocpp_sessions import Charging
from tests.e2e.grpc.test_watch_sessions import TARIFF, priced_charge_point


def stamp(instant: datetime) -> timestamp_pb2.Timestamp:
    value = timestamp_pb2.Timestamp()
    value.FromDatetime(instant)
    return value


async def charged(partner, name: str, sessions: int = 1) -> tuple[str, list[str]]:
    """A priced charge point and ``sessions`` completed sessions on it, run over OCPP 1.6: their ids, newest first."""
    cp_id = await priced_charge_point(partner, name)
    async with charge_point(partner.operator.ocpp_url, cp_id, "1.6") as cp:
        await boot(cp)
        for n in range(sessions):
            charging = Charging(cp, partner.operator.id("TAG"))
            await charging.start(n * 10, 0)
            await charging.stop(n * 10 + 5, 1_000 * (n + 1))
    listed = (await partner.operator.get("/sessions", charge_point_id=cp_id))["data"]
    return cp_id, [s["id"] for s in listed]


async def test_a_partner_lists_sessions_with_an_api_key_and_is_refused_without(pb, channel, partner):
    cp_id, ids = await charged(partner, "CP-LIST", sessions=3)
    stub = pb.sessions_grpc.SessionServiceStub(channel)
    request = pb.sessions.ListSessionsRequest(charge_point_id=cp_id, page_size=2)
    first = await stub.ListSessions(request, metadata=partner.key())
    assert [s.id for s in first.sessions] == ids[:2] and first.next_page_token
    rest = await stub.ListSessions(pb.sessions.ListSessionsRequest(charge_point_id=cp_id, page_size=2,
                                                                   page_token=first.next_page_token),
                                   metadata=partner.key())
    assert [s.id for s in rest.sessions] == ids[2:] and rest.next_page_token == ""
    session = first.sessions[0]
    assert (session.status, Decimal(session.energy_kwh), session.cost.total.amount) == (
        pb.sessions.SESSION_STATUS_COMPLETED, Decimal(3), "0.90")
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.ListSessions(request)
    assert refused.value.code() is grpc.StatusCode.UNAUTHENTICATED
    # A user token names the organization in x-organization-id, as X-Organization-Id over REST.
    as_user = await stub.ListSessions(request, metadata=(("authorization", f"Bearer {partner.user_token}"),
                                                         ("x-organization-id", partner.organization_id)))
    assert [s.id for s in as_user.sessions] == ids[:2]
    # Filters as over REST: by status, and by the period the sessions started in.
    none = await stub.ListSessions(pb.sessions.ListSessionsRequest(
        charge_point_id=cp_id, status=pb.sessions.SESSION_STATUS_ACTIVE), metadata=partner.key())
    assert list(none.sessions) == []
    later = await stub.ListSessions(pb.sessions.ListSessionsRequest(
        charge_point_id=cp_id, started_from=stamp(datetime.now(UTC))), metadata=partner.key())
    assert list(later.sessions) == []


async def test_a_session_its_meter_summary_and_cost_breakdown_are_as_over_rest(pb, channel, partner):
    cp_id, [session_id] = await charged(partner, "CP-GET")
    stub = pb.sessions_grpc.SessionServiceStub(channel)
    detail = await stub.GetSession(pb.sessions.GetSessionRequest(session_id=session_id), metadata=partner.key())
    over_rest = await partner.operator.get(f"/sessions/{session_id}")
    assert (detail.session.id, detail.session.charge_point_id, detail.session.energy_kwh) == (
        session_id, cp_id, over_rest["energy_kwh"])
    assert detail.meter.samples == over_rest["meter"]["samples"] and not detail.HasField("estimate")
    breakdown = (await stub.GetCostBreakdown(pb.sessions.GetCostBreakdownRequest(session_id=session_id),
                                             metadata=partner.key())).breakdown
    rest_breakdown = await partner.operator.get(f"/sessions/{session_id}/cost-breakdown")
    assert (breakdown.currency, breakdown.total.amount, breakdown.estimate) == ("GBP", rest_breakdown["total"], False)
    assert [(line.type, line.quantity, line.amount) for line in breakdown.lines] == [
        (line["type"], line["quantity"], line["amount"]) for line in rest_breakdown["lines"]]


async def test_charge_points_and_drivers_read_as_over_rest(pb, channel, partner):
    cp_id = (await partner.operator.charge_point("CP-READ", evses=[{"evse_id": 1,
                                                                    "connectors": [{"connector_id": 1}]}]))["id"]
    driver = await partner.operator.driver("Dana", "DRV")
    stub = pb.charge_points_grpc.ChargePointServiceStub(channel)
    async with charge_point(partner.operator.ocpp_url, cp_id, "1.6") as cp:
        await boot(cp)
        got = (await stub.GetChargePoint(pb.charge_points.GetChargePointRequest(charge_point_id=cp_id),
                                         metadata=partner.key())).charge_point
        assert (got.id, got.online, got.ocpp_version, got.status) == (
            cp_id, True, "1.6", pb.charge_points.CHARGE_POINT_STATUS_AVAILABLE)
        assert got.ocpp_url.endswith(f"/ocpp/{cp_id}") and [c.status for c in got.connectors] == ["Available"]
    listed = await stub.ListChargePoints(pb.charge_points.ListChargePointsRequest(
        location_id=partner.operator.location_id, page_size=100), metadata=partner.key())
    assert cp_id in [c.id for c in listed.charge_points]
    drivers = pb.drivers_grpc.DriverServiceStub(channel)
    one = (await drivers.GetDriver(pb.drivers.GetDriverRequest(driver_id=driver["id"]), metadata=partner.key())).driver
    assert (one.name, list(one.id_tags), one.active, one.HasField("fleet_id")) == (
        "Dana", [partner.operator.id("DRV")], True, False)
    page = await drivers.ListDrivers(pb.drivers.ListDriversRequest(page_size=100), metadata=partner.key())
    assert driver["id"] in [d.id for d in page.drivers]


async def test_sessions_start_and_stop_through_the_charge_point(pb, channel, partner):
    cp_id = (await partner.operator.charge_point("CP-CMD"))["id"]
    stub = pb.charge_points_grpc.ChargePointServiceStub(channel)
    async with charge_point(partner.operator.ocpp_url, cp_id, "1.6") as cp:
        await boot(cp)
        started = await stub.StartSession(pb.charge_points.StartSessionRequest(
            charge_point_id=cp_id, id_tag="RFID-DANA", connector_id=1), metadata=partner.key())
        assert started.status == "Accepted"
        assert cp.received[-1] == ("RemoteStartTransaction", {"id_tag": "RFID-DANA", "connector_id": 1})
        charging = Charging(cp, "RFID-DANA")
        await charging.start(0, 0)
        [session] = (await partner.operator.get("/sessions", charge_point_id=cp_id))["data"]
        stopped = await stub.StopSession(pb.charge_points.StopSessionRequest(
            charge_point_id=cp_id, session_id=session["id"]), metadata=partner.key())
        assert stopped.status == "Accepted"
        assert cp.received[-1] == ("RemoteStopTransaction", {"transaction_id": int(charging.transaction)})


async def test_reservations_create_list_cancel_and_a_repeated_key_gets_the_first_answer(pb, channel, partner):
    cp_id = (await partner.operator.charge_point("CP-RSV"))["id"]
    stub = pb.reservations_grpc.ReservationServiceStub(channel)
    request = pb.reservations.CreateReservationRequest(
        charge_point_id=cp_id, connector_id=1, id_tag="RFID-DANA",
        expires_at=stamp(datetime.now(UTC) + timedelta(minutes=30)))
    keyed = (*partner.key(), ("idempotency-key", f"reserve-{partner.operator.suffix}"))
    async with charge_point(partner.operator.ocpp_url, cp_id, "2.0.1") as cp:
        await boot(cp)
        made = await stub.CreateReservation(request, metadata=keyed)
        assert made.reservation.status == pb.reservations.RESERVATION_STATUS_ACTIVE
        assert cp.received[-1][0] == "ReserveNow"
        call = stub.CreateReservation(request, metadata=keyed)
        again = await call
        assert again == made and ("idempotent-replayed", "true") in tuple(await call.initial_metadata())
        assert [a for a, _ in cp.received].count("ReserveNow") == 1        # asked once
        listed = await stub.ListReservations(pb.reservations.ListReservationsRequest(
            charge_point_id=cp_id, status=pb.reservations.RESERVATION_STATUS_ACTIVE), metadata=partner.key())
        assert [r.id for r in listed.reservations] == [made.reservation.id]
        await stub.CancelReservation(pb.reservations.CancelReservationRequest(reservation_id=made.reservation.id),
                                     metadata=partner.key())
        assert cp.received[-1][0] == "CancelReservation"
    over_rest = (await partner.operator.get("/reservations", charge_point_id=cp_id))["data"]
    assert [(r["id"], r["status"]) for r in over_rest] == [(made.reservation.id, "cancelled")]


async def test_invoices_read_as_over_rest(pb, channel, partner):
    cp_id = await priced_charge_point(partner, "CP-INV")
    tag = partner.operator.id("TAG")
    march = datetime(2025, 3, 10, 9, tzinfo=UTC) + timedelta(minutes=int(partner.operator.suffix, 16) % 1000)
    async with charge_point(partner.operator.ocpp_url, cp_id, "1.6") as cp:
        await boot(cp)
        begun = await cp.call(call16.StartTransaction(connector_id=1, id_tag=tag, meter_start=0,
                                                      timestamp=march.isoformat()))
        await cp.call(call16.StopTransaction(meter_stop=10_000, timestamp=(march + timedelta(hours=1)).isoformat(),
                                             transaction_id=begun.transaction_id))
    user = {"Authorization": f"Bearer {partner.user_token}", "X-Organization-Id": partner.organization_id}
    http = partner.operator.http
    run = await http.post("/invoice-runs", headers=user, json={"period_start": "2025-03-01",
                                                                "period_end": "2025-04-01"})
    assert run.status_code == 202, run.text
    for _ in range(400):
        if (await http.get(f"/invoice-runs/{run.json()['id']}", headers=user)).json()["status"] == "completed":
            break
        await asyncio.sleep(0.05)
    over_rest = (await http.get("/invoices", headers=user, params={"period": "2025-03", "limit": 100})).json()["data"]
    [expected] = [i for i in over_rest if cp_id in {s["charge_point_id"] for s in i["sessions"]}]
    stub = pb.invoices_grpc.InvoiceServiceStub(channel)
    listed = await stub.ListInvoices(pb.invoices.ListInvoicesRequest(period="2025-03", page_size=100,
                                                                     status=pb.invoices.INVOICE_STATUS_DRAFT),
                                     metadata=partner.key())
    assert expected["id"] in [i.id for i in listed.invoices]
    invoice = (await stub.GetInvoice(pb.invoices.GetInvoiceRequest(invoice_id=expected["id"]),
                                     metadata=partner.key())).invoice
    assert (invoice.kind, invoice.status, invoice.period_start, invoice.period_end) == (
        pb.invoices.INVOICE_KIND_INVOICE, pb.invoices.INVOICE_STATUS_DRAFT, "2025-03-01", "2025-04-01")
    assert (invoice.total.amount, invoice.total.currency, invoice.amount_due.amount) == (
        expected["total"], "GBP", expected["amount_due"])
    assert [(line.session_id, line.net_amount.amount) for line in invoice.lines] == [
        (line["session_id"], line["net_amount"]) for line in expected["lines"]]
    assert TARIFF["currency"] == invoice.currency
