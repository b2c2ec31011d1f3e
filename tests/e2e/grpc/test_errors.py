"""Errors through the running server, one status per kind, each with its google.rpc details: the ErrorInfo
reason (the REST problem's code), and the field violations of invalid input. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from entrypoints.simulator import NO_ANSWER, boot, charge_point
from tests.e2e.grpc.ocpp_sessions import Charging
from tests.e2e.grpc.test_partner_api import charged, stamp


async def refused(call) -> tuple[grpc.StatusCode, str, list[tuple[str, str]]]:
    """The status code, the ErrorInfo reason and the field violations of a failed call."""
    with pytest.raises(grpc.aio.AioRpcError) as failure:
        await call
    status = rpc_status.from_call(failure.value)
    reason, fields = "", []
    for detail in status.details if status is not None else ():
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            reason = info.reason
            assert info.domain == "charge.dev"
        elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            fields = [(v.field, v.description) for v in bad.field_violations]
    return failure.value.code(), reason, fields


def in_30_minutes():
    return stamp(datetime.now(UTC) + timedelta(minutes=30))


async def test_unauthenticated(pb, channel, partner):
    stub = pb.sessions_grpc.SessionServiceStub(channel)
    request = pb.sessions.ListSessionsRequest()
    for metadata in ((), (("authorization", "Bearer ck_not-a-key"),), (("authorization", "Basic abc"),),
                     (("authorization", f"Bearer {partner.viewer_key}x"),)):
        assert (await refused(stub.ListSessions(request, metadata=metadata)))[:2] == (
            grpc.StatusCode.UNAUTHENTICATED, "UNAUTHENTICATED")


async def test_permission_denied_for_a_role_too_low(pb, channel, partner):
    cp_id = (await partner.operator.charge_point("CP-VIEW"))["id"]
    viewer = partner.key(partner.viewer_key)
    reservations = pb.reservations_grpc.ReservationServiceStub(channel)
    create = pb.reservations.CreateReservationRequest(charge_point_id=cp_id, connector_id=1, id_tag="RFID-DANA",
                                                      expires_at=in_30_minutes())
    assert (await refused(reservations.CreateReservation(create, metadata=viewer)))[:2] == (
        grpc.StatusCode.PERMISSION_DENIED, "FORBIDDEN")
    points = pb.charge_points_grpc.ChargePointServiceStub(channel)
    start = pb.charge_points.StartSessionRequest(charge_point_id=cp_id, id_tag="RFID-DANA")
    assert (await refused(points.StartSession(start, metadata=viewer)))[0] is grpc.StatusCode.PERMISSION_DENIED
    # Reading is the viewer's to do.
    await points.GetChargePoint(pb.charge_points.GetChargePointRequest(charge_point_id=cp_id), metadata=viewer)


async def test_not_found_for_another_tenants_or_an_unknown_object(pb, channel, partner, stranger):
    theirs, [their_session] = await charged(stranger, "CP-THEIRS")
    sessions = pb.sessions_grpc.SessionServiceStub(channel)
    points = pb.charge_points_grpc.ChargePointServiceStub(channel)
    for call in (sessions.GetSession(pb.sessions.GetSessionRequest(session_id=their_session), metadata=partner.key()),
                 sessions.GetSession(pb.sessions.GetSessionRequest(session_id="ses_01JD0000000000000000000000"),
                                     metadata=partner.key()),
                 sessions.GetSession(pb.sessions.GetSessionRequest(session_id="not-an-id"), metadata=partner.key()),
                 points.GetChargePoint(pb.charge_points.GetChargePointRequest(charge_point_id=theirs),
                                       metadata=partner.key()),
                 # A user naming an organization it does not belong to.
                 sessions.ListSessions(pb.sessions.ListSessionsRequest(), metadata=(
                     ("authorization", f"Bearer {partner.user_token}"),
                     ("x-organization-id", stranger.organization_id)))):
        assert (await refused(call))[:2] == (grpc.StatusCode.NOT_FOUND, "NOT_FOUND")
    # Theirs is there for them.
    await sessions.GetSession(pb.sessions.GetSessionRequest(session_id=their_session), metadata=stranger.key())
    # A session no tariff prices has no cost breakdown: NOT_FOUND with its own reason.
    cp_id = (await partner.operator.charge_point("CP-FREE"))["id"]
    async with charge_point(partner.operator.ocpp_url, cp_id, "1.6") as cp:
        await boot(cp)
        charging = Charging(cp, "RFID-FREE")
        await charging.start(0, 0)
        await charging.stop(5, 500)
    [free] = (await partner.operator.get("/sessions", charge_point_id=cp_id))["data"]
    breakdown = sessions.GetCostBreakdown(pb.sessions.GetCostBreakdownRequest(session_id=free["id"]),
                                          metadata=partner.key())
    assert (await refused(breakdown))[:2] == (grpc.StatusCode.NOT_FOUND, "NOT_PRICED")


async def test_invalid_argument_names_each_field(pb, channel, partner):
    sessions = pb.sessions_grpc.SessionServiceStub(channel)
    now = datetime.now(UTC)
    cases = [
        (sessions.ListSessions(pb.sessions.ListSessionsRequest(page_size=101), metadata=partner.key()),
         ["page_size"]),
        (sessions.ListSessions(pb.sessions.ListSessionsRequest(page_token="bm9wZQ"), metadata=partner.key()),
         ["page_token"]),
        (sessions.ListSessions(pb.sessions.ListSessionsRequest(started_from=stamp(now), started_to=stamp(now)),
                               metadata=partner.key()), ["started_to"]),
        (sessions.ListSessions(pb.sessions.ListSessionsRequest(status=42), metadata=partner.key()), ["status"]),
        (sessions.ListSessions(pb.sessions.ListSessionsRequest(driver_id="drv\x00"), metadata=partner.key()),
         ["driver_id"]),
        (sessions.ListSessions(pb.sessions.ListSessionsRequest(), metadata=(
            ("authorization", f"Bearer {partner.user_token}"),)), ["x-organization-id"]),
    ]
    cp_id = (await partner.operator.charge_point("CP-BAD"))["id"]
    reservations = pb.reservations_grpc.ReservationServiceStub(channel)
    cases.append((reservations.CreateReservation(pb.reservations.CreateReservationRequest(
        charge_point_id=cp_id, connector_id=1, id_tag="has a space", expires_at=stamp(now - timedelta(minutes=1))),
        metadata=partner.key()), ["expires_at", "id_tag"]))
    cases.append((reservations.CreateReservation(pb.reservations.CreateReservationRequest(
        charge_point_id=cp_id, connector_id=1, id_tag="RFID-DANA"), metadata=partner.key()), ["expires_at"]))
    points = pb.charge_points_grpc.ChargePointServiceStub(channel)
    cases.append((points.StartSession(pb.charge_points.StartSessionRequest(charge_point_id=cp_id, id_tag=""),
                                      metadata=partner.key()), ["id_tag"]))
    cases.append((points.StartSession(pb.charge_points.StartSessionRequest(charge_point_id=cp_id, id_tag="T",
                                                                          connector_id=0),
                                      metadata=partner.key()), ["connector_id"]))
    cases.append((points.StartSession(pb.charge_points.StartSessionRequest(charge_point_id=cp_id, id_tag="T"),
                                      metadata=(*partner.key(), ("idempotency-key", "x" * 256))),
                  ["idempotency-key"]))
    watch = sessions.WatchSessions(pb.sessions.WatchSessionsRequest(cursor="not-a-cursor"), metadata=partner.key())
    cases.append((watch.read(), ["cursor"]))
    for call, fields in cases:
        code, reason, violations = await refused(call)
        assert (code, reason) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_INPUT"), fields
        assert [field for field, _ in violations] == fields and all(message for _, message in violations)


async def test_failed_precondition_for_a_state_that_does_not_allow_the_call(pb, channel, partner):
    cp_id, [done] = await charged(partner, "CP-STATE")
    points = pb.charge_points_grpc.ChargePointServiceStub(channel)
    async with charge_point(partner.operator.ocpp_url, cp_id, "1.6") as cp:
        await boot(cp)
        stop = pb.charge_points.StopSessionRequest(charge_point_id=cp_id, session_id=done)
        assert (await refused(points.StopSession(stop, metadata=partner.key())))[:2] == (
            grpc.StatusCode.FAILED_PRECONDITION, "INVALID_STATE")
        reservations = pb.reservations_grpc.ReservationServiceStub(channel)
        made = await reservations.CreateReservation(pb.reservations.CreateReservationRequest(
            charge_point_id=cp_id, connector_id=1, id_tag="RFID-DANA", expires_at=in_30_minutes()),
            metadata=partner.key())
        cancel = pb.reservations.CancelReservationRequest(reservation_id=made.reservation.id)
        await reservations.CancelReservation(cancel, metadata=partner.key())
        assert (await refused(reservations.CancelReservation(cancel, metadata=partner.key())))[:2] == (
            grpc.StatusCode.FAILED_PRECONDITION, "INVALID_STATE")
    # Not connected (now): the charge point is unavailable.
    start = pb.charge_points.StartSessionRequest(charge_point_id=cp_id, id_tag="RFID-DANA")
    assert (await refused(points.StartSession(start, metadata=partner.key())))[:2] == (
        grpc.StatusCode.FAILED_PRECONDITION, "UNAVAILABLE")


async def test_aborted_for_a_clash_with_what_exists(pb, channel, partner):
    evses = [{"evse_id": n, "connectors": [{"connector_id": n}]} for n in (1, 2)]
    cp_id = (await partner.operator.charge_point("CP-CLASH", evses=evses))["id"]
    reservations = pb.reservations_grpc.ReservationServiceStub(channel)
    request = pb.reservations.CreateReservationRequest(charge_point_id=cp_id, connector_id=1, id_tag="RFID-DANA",
                                                       expires_at=in_30_minutes())
    keyed = (*partner.key(), ("idempotency-key", f"clash-{partner.operator.suffix}"))
    async with charge_point(partner.operator.ocpp_url, cp_id, "1.6") as cp:
        await boot(cp)
        await reservations.CreateReservation(request, metadata=keyed)
        other = pb.reservations.CreateReservationRequest(charge_point_id=cp_id, connector_id=1, id_tag="RFID-ELI",
                                                         expires_at=in_30_minutes())
        assert (await refused(reservations.CreateReservation(other, metadata=keyed)))[:2] == (
            grpc.StatusCode.ABORTED, "IDEMPOTENCY_CONFLICT")
        assert (await refused(reservations.CreateReservation(other, metadata=partner.key())))[:2] == (
            grpc.StatusCode.ABORTED, "CONFLICT")                                 # the connector is reserved
        cp.answers["ReserveNow"] = "Occupied"
        second = pb.reservations.CreateReservationRequest(charge_point_id=cp_id, connector_id=2, id_tag="RFID-ELI",
                                                          expires_at=in_30_minutes())
        rejected = (*partner.key(), ("idempotency-key", f"rejected-{partner.operator.suffix}"))
        first_answer = await refused(reservations.CreateReservation(second, metadata=rejected))
        assert first_answer[:2] == (grpc.StatusCode.ABORTED, "RESERVATION_REJECTED")
        cp.answers["ReserveNow"] = "Accepted"
        # The refusal is the key's answer: repeated, it is given again without asking the charge point.
        assert await refused(reservations.CreateReservation(second, metadata=rejected)) == first_answer


async def test_deadline_exceeded_when_the_charge_point_does_not_answer(pb, channel, partner):
    cp_id = (await partner.operator.charge_point("CP-SLOW"))["id"]
    points = pb.charge_points_grpc.ChargePointServiceStub(channel)
    start = pb.charge_points.StartSessionRequest(charge_point_id=cp_id, id_tag="RFID-DANA")
    keyed = (*partner.key(), ("idempotency-key", f"slow-{partner.operator.suffix}"))
    async with charge_point(partner.operator.ocpp_url, cp_id, "1.6",
                            answers={"RemoteStartTransaction": NO_ANSWER}) as cp:
        await boot(cp)
        assert (await refused(points.StartSession(start, metadata=keyed)))[:2] == (
            grpc.StatusCode.DEADLINE_EXCEEDED, "TIMEOUT")
    async with charge_point(partner.operator.ocpp_url, cp_id, "1.6") as cp:   # back, and answering
        await boot(cp)
        # Whether it acted is unknown: the key was released, so the retry asks the charge point again.
        assert (await points.StartSession(start, metadata=keyed)).status == "Accepted"
        assert cp.received[-1][0] == "RemoteStartTransaction"
