"""charge.v1 messages to and from the core's values: requests read and checked, answers built, at the edge only.

Requests: a page (``page_size`` 0 means 20; ``page_token`` is the REST list's cursor, so either door's
token serves the other), optional strings (empty is unset; no NUL, bounded), instants, ids (a path id of
a shape that cannot exist is NOT_FOUND, as over REST). Answers: decimals as strings, money as
``Money``, instants as ``Timestamp``, unset fields left unset.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

from google.protobuf import struct_pb2, timestamp_pb2

from application.live_streams import (
    SessionCompletedItem,
    SessionItem,
    SessionMeterItem,
    SessionStartedItem,
    StatusItem,
    Watching,
)
from application.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, PageRequest
from application.ports.charge_point_commands import CommandResult
from application.sessions import SessionDetail
from domain.billing.invoices import Invoice, Party
from domain.charging import ChargingSession, SessionStatus
from domain.charging.meter import MeterSummary
from domain.charging.quantities import thousandths
from domain.errors import InvalidInput, NotFound
from domain.fleets import ChargingPolicy, Fleet, Vehicle, VehicleAssignment
from domain.ids import is_id
from domain.network import ChargePoint, Driver, Reservation, ReservationStatus
from domain.network.charge_points import ChargePointStatus
from domain.pricing import SessionCost
from domain.tariffs.model import DayOfWeek
from entrypoints.grpc.generated.charge.v1 import (
    charge_points_pb2,
    common_pb2,
    drivers_pb2,
    fleets_pb2,
    invoices_pb2,
    reservations_pb2,
    sessions_pb2,
)
from entrypoints.rest.inputs import decode_cursor, encode_cursor, is_identity
from entrypoints.rest.shapes import MAX_ID, MAX_IDENTITY

T = TypeVar("T")

# ----------------------------------------------------------------------------------------------- requests


def page(page_size: int, page_token: str, cursor_key: Callable[[str], bool] = is_id) -> PageRequest:
    if page_size and not 1 <= page_size <= MAX_LIMIT:
        raise InvalidInput.field("page_size", f"must be between 1 and {MAX_LIMIT} (0: {DEFAULT_LIMIT})")
    after = None
    if page_token:
        try:
            after = decode_cursor(page_token, cursor_key)
        except InvalidInput:
            raise InvalidInput.field("page_token", "is not a next_page_token this list returned") from None
    return PageRequest(limit=page_size or DEFAULT_LIMIT, after=after)


def next_token(found: Page[Any]) -> str:
    return encode_cursor(found.next_cursor) if found.next_cursor is not None else ""


def optional(value: str, field: str, max_length: int = MAX_ID) -> str | None:
    """A filter: empty is unset. Ids in filters are only checked for length (one that names nothing lists
    nothing); PostgreSQL text cannot hold NUL, so none is accepted."""
    if not value:
        return None
    if len(value) > max_length or "\x00" in value:
        raise InvalidInput.field(field, f"at most {max_length} characters, without NUL")
    return value


def required(value: str, field: str, max_length: int = MAX_ID) -> str:
    found = optional(value, field, max_length)
    if found is None:
        raise InvalidInput.field(field, "is required")
    return found


def object_id(value: str, field: str, prefix: str, kind: str) -> str:
    """The id of the object a call is about: required; one of a shape that cannot exist is NOT_FOUND."""
    if not is_id(required(value, field), prefix):
        raise NotFound(kind)   # not echoed
    return value


def charge_point_id(value: str, field: str = "charge_point_id") -> str:
    if not is_identity(required(value, field, MAX_IDENTITY)):
        raise NotFound("charge_point")
    return value


def charge_point_filter(value: str, field: str = "charge_point_id") -> str | None:
    return optional(value, field, MAX_IDENTITY)


def instant(message: Any, field: str) -> datetime | None:
    if not message.HasField(field):
        return None
    try:
        return getattr(message, field).ToDatetime(tzinfo=UTC)
    except (ValueError, OverflowError, OSError):
        raise InvalidInput.field(field, "is not a valid instant") from None


def required_instant(message: Any, field: str) -> datetime:
    found = instant(message, field)
    if found is None:
        raise InvalidInput.field(field, "is required")
    return found


def enum_value(value: int, by_number: Mapping[Any, T], field: str) -> T | None:
    """A proto enum to the core's (its UNSPECIFIED zero: unset); a number the proto does not define is invalid."""
    if value == 0:
        return None
    if value not in by_number:
        raise InvalidInput.field(field, f"{value} is not one of its values")
    return by_number[value]


def cursor(token: str) -> str | None:
    return token or None


SESSION_STATUSES = {sessions_pb2.SESSION_STATUS_STARTED: SessionStatus.STARTED,
                    sessions_pb2.SESSION_STATUS_ACTIVE: SessionStatus.ACTIVE,
                    sessions_pb2.SESSION_STATUS_COMPLETED: SessionStatus.COMPLETED}
RESERVATION_STATUSES = {reservations_pb2.RESERVATION_STATUS_ACTIVE: ReservationStatus.ACTIVE,
                        reservations_pb2.RESERVATION_STATUS_USED: ReservationStatus.USED,
                        reservations_pb2.RESERVATION_STATUS_EXPIRED: ReservationStatus.EXPIRED,
                        reservations_pb2.RESERVATION_STATUS_CANCELLED: ReservationStatus.CANCELLED}
_SESSION_STATUS = {v: k for k, v in SESSION_STATUSES.items()}
_RESERVATION_STATUS = {v: k for k, v in RESERVATION_STATUSES.items()}
_CHARGE_POINT_STATUS = {status: charge_points_pb2.ChargePointStatus.Value(f"CHARGE_POINT_STATUS_{status.name}")
                        for status in ChargePointStatus}
_DAY = {day: fleets_pb2.DayOfWeek.Value(f"DAY_OF_WEEK_{day.value}") for day in DayOfWeek}
_ANOMALY_KIND: dict[str, sessions_pb2.AnomalyKind] = {
    "register_backwards": sessions_pb2.ANOMALY_KIND_REGISTER_BACKWARDS,
    "energy_jump": sessions_pb2.ANOMALY_KIND_ENERGY_JUMP}

# ------------------------------------------------------------------------------------------------ answers


def given(**fields: Any) -> dict[str, Any]:
    """Constructor arguments without the unset ones (proto3 leaves them unset)."""
    return {name: value for name, value in fields.items() if value is not None}


def timestamp(value: datetime | None) -> timestamp_pb2.Timestamp | None:
    if value is None:
        return None
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(value)
    return stamp


def text(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def day(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def money(amount: Decimal, currency: str) -> common_pb2.Money:
    return common_pb2.Money(amount=format(amount, "f"), currency=currency)


def cost(value: SessionCost | None) -> common_pb2.Cost | None:
    if value is None:
        return None
    return common_pb2.Cost(total=money(value.total, value.currency),
                           total_excl_vat=money(value.total_excl_vat, value.currency),
                           vat=money(value.vat, value.currency))


def session(s: ChargingSession) -> sessions_pb2.Session:
    return sessions_pb2.Session(**given(
        id=s.id, charge_point_id=s.charge_point_id, connector_id=s.connector_id, evse_id=s.evse_id, id_tag=s.id_tag,
        driver_id=s.driver_id, status=_SESSION_STATUS[s.status], started_at=timestamp(s.started_at),
        stopped_at=timestamp(s.stopped_at), energy_kwh=thousandths(s.energy_kwh),
        meter_start_wh=text(s.meter_start_wh), meter_stop_wh=text(s.meter_stop_wh), stop_reason=s.stop_reason,
        offline=s.offline, cost=cost(s.cost), tariff_id=s.tariff_id, tariff_version=s.tariff_version,
        plan_id=s.plan_id, flagged=s.flagged))


def session_detail(detail: SessionDetail) -> sessions_pb2.GetSessionResponse:
    summary = MeterSummary.of(detail.samples)
    meter = sessions_pb2.MeterSummary(**given(
        samples=summary.samples, first_reading_at=timestamp(summary.first_reading_at),
        last_reading_at=timestamp(summary.last_reading_at),
        max_power_kw=thousandths(summary.max_power_kw) if summary.max_power_kw is not None else None))
    anomalies = [sessions_pb2.Anomaly(at=timestamp(a.at), detail=a.detail,
                                      kind=_ANOMALY_KIND.get(a.kind, sessions_pb2.ANOMALY_KIND_UNSPECIFIED))
                 for a in detail.anomalies]
    estimate = SessionCost.of(detail.estimate) if detail.estimate is not None else None
    return sessions_pb2.GetSessionResponse(**given(session=session(detail.session), meter=meter, anomalies=anomalies,
                                                   estimate=cost(estimate)))


def cost_breakdown(doc: dict[str, Any], *, estimate: bool) -> sessions_pb2.CostBreakdown:
    """A breakdown as ``CostBreakdown.to_json`` gives it (the shape both doors share)."""
    currency = doc["currency"]
    return sessions_pb2.CostBreakdown(
        currency=currency,
        lines=[sessions_pb2.CostLine(**given(type=line["type"], quantity=line["quantity"], unit=line["unit"],
                                             unit_price=line["unit_price"], amount=line["amount"],
                                             vat_rate=line.get("vat_rate"), vat=line["vat"],
                                             element=line.get("element"))) for line in doc["lines"]],
        periods=[sessions_pb2.CostPeriod(
            start=p["start"], end=p["end"], kind=p["kind"], energy_kwh=p["energy_kwh"], duration_h=p["duration_h"],
            applied=[sessions_pb2.AppliedElement(dimension=a["dimension"], element=a["element"], reason=a["reason"])
                     for a in p["applied"]]) for p in doc["periods"]],
        total_excl_vat=common_pb2.Money(amount=doc["total_excl_vat"], currency=currency),
        vat=common_pb2.Money(amount=doc["vat"], currency=currency),
        total=common_pb2.Money(amount=doc["total"], currency=currency),
        energy_kwh=doc["energy_kwh"], total_time_h=doc["total_time_h"], charging_time_h=doc["charging_time_h"],
        parking_time_h=doc["parking_time_h"], reservation_time_h=doc["reservation_time_h"],
        rounded=bool(doc.get("rounded", True)), estimate=estimate)


CURSOR_METADATA = "charge-cursor"


def stream_opened(item: Watching) -> tuple[tuple[str, str], ...]:
    """A stream's initial metadata: where it starts (a client may resume from there before any event)."""
    return ((CURSOR_METADATA, item.position.token()),)


def session_event(item: SessionItem) -> sessions_pb2.WatchSessionsResponse:
    token = item.position.token()
    if isinstance(item, SessionStartedItem):
        e = item.event
        return sessions_pb2.WatchSessionsResponse(cursor=token, started=sessions_pb2.SessionStarted(**given(
            session_id=e.session_id, charge_point_id=e.charge_point_id, connector_id=e.connector_id,
            evse_id=e.evse_id, id_tag=e.id_tag, driver_id=e.driver_id, started_at=timestamp(e.occurred_at))))
    if isinstance(item, SessionMeterItem):
        u = item.update
        return sessions_pb2.WatchSessionsResponse(cursor=token, meter_updated=sessions_pb2.SessionMeterUpdated(
            **given(session_id=u.session_id, charge_point_id=u.charge_point_id, connector_id=u.connector_id,
                    energy_kwh=thousandths(item.energy_kwh), read_at=timestamp(u.read_at),
                    estimate=cost(item.estimate))))
    assert isinstance(item, SessionCompletedItem)
    c = item.event
    return sessions_pb2.WatchSessionsResponse(cursor=token, completed=sessions_pb2.SessionCompleted(**given(
        session_id=c.session_id, charge_point_id=c.charge_point_id, started_at=timestamp(c.started_at),
        stopped_at=timestamp(c.stopped_at), energy_kwh=thousandths(c.energy_wh / 1000), stop_reason=c.stop_reason,
        final_cost=cost(item.final_cost))))


def status_change(item: StatusItem) -> charge_points_pb2.WatchStatusResponse:
    e = item.event
    return charge_points_pb2.WatchStatusResponse(
        cursor=item.position.token(), charge_point_id=e.charge_point_id,
        status=_CHARGE_POINT_STATUS[ChargePointStatus(e.status)],
        previous_status=_CHARGE_POINT_STATUS[ChargePointStatus(e.previous_status)],
        changed_at=timestamp(e.occurred_at))


def reservation(r: Reservation, now: datetime) -> reservations_pb2.Reservation:
    return reservations_pb2.Reservation(id=r.id, charge_point_id=r.charge_point_id, connector_id=r.connector_id,
                                        id_tag=r.id_tag, expires_at=timestamp(r.expires_at),
                                        status=_RESERVATION_STATUS[r.status_at(now)],
                                        created_at=timestamp(r.created_at))


def charge_point(c: ChargePoint, ocpp_url: Callable[[str], str]) -> charge_points_pb2.ChargePoint:
    return charge_points_pb2.ChargePoint(**given(
        id=c.id, location_id=c.location_id, ocpp_url=ocpp_url(c.id), status=_CHARGE_POINT_STATUS[c.summary_status],
        online=c.online, last_heartbeat_at=timestamp(c.last_heartbeat_at), last_boot_at=timestamp(c.last_boot_at),
        ocpp_version=c.ocpp_version, vendor=c.vendor, model=c.model, serial_number=c.serial_number,
        firmware_version=c.firmware_version, registration_status=str(c.registration_status.value),
        ocpp_password_set=c.password_hash is not None,
        connectors=[charge_points_pb2.Connector(**given(
            evse_id=x.evse_id, connector_id=x.connector_id, status=x.status, error_code=x.error_code,
            updated_at=timestamp(x.updated_at))) for x in c.connectors],
        created_at=timestamp(c.created_at)))


def command_data(result: CommandResult) -> struct_pb2.Struct | None:
    if not result.data:
        return None
    data = struct_pb2.Struct()
    data.update(_plain(dict(result.data)))
    return data


def _plain(value: Any) -> Any:
    """What a charge point answered, as JSON-like values a Struct holds (numbers as it sent them)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):   # exactly as sent: a Struct's numbers are doubles
        return format(value, "f")
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def driver(d: Driver) -> drivers_pb2.Driver:
    return drivers_pb2.Driver(**given(id=d.id, name=d.name, email=d.email, fleet_id=d.fleet_id, id_tags=list(d.id_tags),
                                      active=d.active, created_at=timestamp(d.created_at), customer_id=d.customer_id,
                                      policy=policy(d.policy) if d.policy is not None else None,
                                      vehicle_id=d.vehicle_id))


def policy(p: ChargingPolicy) -> fleets_pb2.ChargingPolicy:
    """A policy: a limit left out stays unset (an empty list, an unset field), as REST leaves it out."""
    spend = p.max_spend_per_month
    return fleets_pb2.ChargingPolicy(**given(
        allowed_location_ids=list(p.allowed_location_ids) if p.allowed_location_ids is not None else None,
        time_windows=[fleets_pb2.TimeWindow(days=[_DAY[d] for d in w.days], start=w.to_json()["start"],
                                            end=w.to_json()["end"]) for w in p.time_windows]
        if p.time_windows is not None else None,
        max_kwh_per_session=text(p.max_kwh_per_session), max_kwh_per_day=text(p.max_kwh_per_day),
        max_spend_per_month=money(spend.amount, spend.currency) if spend is not None else None,
        allowed_connector_types=list(p.allowed_connector_types) if p.allowed_connector_types is not None else None))


def assignment(a: VehicleAssignment) -> drivers_pb2.VehicleAssignment:
    return drivers_pb2.VehicleAssignment(**given(id=a.id, driver_id=a.driver_id, vehicle_id=a.vehicle_id,
                                                 assigned_at=timestamp(a.assigned_at),
                                                 ended_at=timestamp(a.ended_at)))


def fleet(f: Fleet) -> fleets_pb2.Fleet:
    return fleets_pb2.Fleet(**given(id=f.id, name=f.name, customer_id=f.customer_id, policy=policy(f.policy),
                                    created_at=timestamp(f.created_at), updated_at=timestamp(f.updated_at)))


def vehicle(v: Vehicle) -> fleets_pb2.Vehicle:
    return fleets_pb2.Vehicle(**given(
        id=v.id, fleet_id=v.fleet_id, vin=v.vin, make=v.make, model=v.model, battery_kwh=text(v.battery_kwh),
        connector_types=list(v.connector_types), licence_plate=v.licence_plate, created_at=timestamp(v.created_at),
        updated_at=timestamp(v.updated_at)))


INVOICE_STATUSES = {invoices_pb2.INVOICE_STATUS_DRAFT: "draft", invoices_pb2.INVOICE_STATUS_OPEN: "open",
                    invoices_pb2.INVOICE_STATUS_PAID: "paid", invoices_pb2.INVOICE_STATUS_VOID: "void",
                    invoices_pb2.INVOICE_STATUS_UNCOLLECTIBLE: "uncollectible"}
INVOICE_KINDS = {invoices_pb2.INVOICE_KIND_INVOICE: "invoice", invoices_pb2.INVOICE_KIND_CREDIT_NOTE: "credit_note"}
_INVOICE_STATUS = {v: k for k, v in INVOICE_STATUSES.items()}
_INVOICE_KIND = {v: k for k, v in INVOICE_KINDS.items()}


def _party(p: Party | None) -> invoices_pb2.Party | None:
    if p is None:
        return None
    address = None
    if p.address is not None:
        a = p.address
        address = invoices_pb2.Address(**given(line1=a.line1, line2=a.line2, postal_code=a.postal_code, city=a.city,
                                               country=a.country))
    return invoices_pb2.Party(**given(name=p.name, address=address, vat_id=p.vat_id, email=p.email, iban=p.iban,
                                      bic=p.bic))


def invoice(i: Invoice, credit_notes: tuple[Invoice, ...] = ()) -> invoices_pb2.Invoice:
    c = i.currency
    return invoices_pb2.Invoice(**given(
        id=i.id, kind=_INVOICE_KIND[i.kind.value], number=i.number, status=_INVOICE_STATUS[i.status.value],
        customer_id=i.customer_id, period_start=day(i.period_start), period_end=day(i.period_end), currency=c,
        lines=[invoices_pb2.InvoiceLine(**given(
            kind=line.kind.value, description=line.description, quantity=text(line.quantity), unit=line.unit,
            unit_code=line.unit_code, unit_price=text(line.unit_price), net_amount=money(line.net_amount, c),
            vat_category=line.vat.category, vat_rate=text(line.vat.rate),
            vat_exemption_reason=line.vat.exemption_reason, session_id=line.session_id,
            service_date=day(line.service_date))) for line in i.lines],
        sessions=[invoices_pb2.InvoiceSession(**given(
            session_id=s.session_id, started_at=timestamp(s.started_at), stopped_at=timestamp(s.stopped_at),
            location=s.location, charge_point_id=s.charge_point_id, energy_kwh=text(s.energy_kwh),
            net_amount=money(s.net_amount, c))) for s in i.sessions],
        vat_breakdown=[invoices_pb2.VatSubtotal(**given(
            category=g.treatment.category, rate=text(g.treatment.rate), exemption_reason=g.treatment.exemption_reason,
            taxable_amount=money(g.taxable, c), vat=money(g.vat, c))) for g in i.vat_breakdown],
        total_excl_vat=money(i.total_excl_vat, c), vat=money(i.vat, c), total=money(i.total, c),
        amount_paid=money(i.amount_paid, c), amount_due=money(i.amount_due, c), credited=money(i.credited, c),
        issue_date=day(i.issue_date), due_date=day(i.due_date), payment_reference=i.payment_reference,
        seller=_party(i.seller), buyer=_party(i.buyer),
        payments=[invoices_pb2.Payment(**given(id=p.id, amount=money(p.amount, c), date=day(p.received_on),
                                               reference=p.reference, method=p.method)) for p in i.payments],
        corrects=i.corrects, corrects_number=i.corrects_number, reason=i.reason,
        credit_note_ids=[n.id for n in credit_notes], created_at=timestamp(i.created_at),
        finalized_at=timestamp(i.finalized_at)))

