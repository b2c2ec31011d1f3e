"""Fully populated domain objects for the storage tests, each with fresh ids and unique secrets."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from application.ports.mail import EmailMessage, OutboundEmail
from domain.charging import ENERGY_REGISTER, ChargingSession, MeterSample, SessionStatus
from domain.charging.sessions import Reading, StopRequest
from domain.identity import (
    AccessToken,
    ApiKey,
    Invitation,
    Member,
    Notifications,
    Organization,
    OrganizationSettings,
    Role,
    User,
)
from domain.ids import PREFIXES, new_id
from domain.money import Money
from domain.network import (
    ChargePoint,
    Connector,
    Driver,
    Location,
    RegistrationStatus,
    Reservation,
    ReservationStatus,
    ValidationMode,
)
from domain.pricing import MembershipPlan, SessionCost, Subscription, TariffRecord
from domain.tariffs import Tariff, parse_tariff, profile_from_meter_values, rate

# Microseconds and a non-UTC offset: both must survive storage as the same instant.
NOW = datetime(2026, 5, 9, 12, 30, 15, 123456, tzinfo=UTC)
LATER = datetime(2026, 5, 9, 14, 45, 0, 654321, tzinfo=timezone(timedelta(hours=2)))


def _hash() -> str:
    return secrets.token_hex(32)


def a_user(email: str | None = None) -> User:
    return User(id=new_id(PREFIXES["user"]), email=email or f"{secrets.token_hex(5)}@example.com", name="Ada Lovelace",
                password_hash="$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$aGFzaA", created_at=NOW)


def an_organization() -> Organization:
    settings = OrganizationSettings(
        currency="EUR", timezone="Europe/Berlin", billing_email="billing@example.com",
        notifications=Notifications(session_completed=True, invoice_issued=False, weekly_report=True),
        default_tariff_id=new_id("trf"))
    return Organization(id=new_id(PREFIXES["organization"]), name="Stadtwerke Nord", country="DE",
                        contact_email="ops@example.com", settings=settings, created_at=NOW, updated_at=LATER)


def a_member(organization: Organization, user: User, role: Role = Role.ADMIN) -> Member:
    return Member(id=new_id(PREFIXES["member"]), organization_id=organization.id, user_id=user.id, role=role,
                  joined_at=LATER)


def an_invitation(organization: Organization, email: str = "new@example.com",
                  invited_by: str | None = None) -> Invitation:
    return Invitation(id=new_id(PREFIXES["invitation"]), organization_id=organization.id, email=email,
                      role=Role.VIEWER, token_hash=_hash(), invited_by=invited_by, created_at=NOW,
                      expires_at=NOW + timedelta(days=7))


def an_api_key(organization: Organization) -> ApiKey:
    return ApiKey(id=new_id(PREFIXES["api_key"]), organization_id=organization.id, name="billing backend",
                  role=Role.MEMBER, secret_hash=_hash(), prefix="ck_abcdefg", created_by=None, created_at=NOW)


def an_access_token(user: User) -> AccessToken:
    return AccessToken(id=new_id(PREFIXES["access_token"]), user_id=user.id, secret_hash=_hash(), created_at=NOW,
                       expires_at=LATER)


def an_email(to: str = "someone@example.com") -> OutboundEmail:
    return OutboundEmail(id=new_id(PREFIXES["email"]),
                         message=EmailMessage(to=to, subject="You're invited ✉", text="Line one\nLine two — ünïcode"),
                         created_at=NOW)


def a_location(organization: Organization) -> Location:
    # Coordinates with more digits than a float holds: they must come back exactly.
    return Location(id=new_id(PREFIXES["location"]), organization_id=organization.id, name="Harbour Depot",
                    address="1 Quay Street", city="Bristol", country="GB", timezone="Europe/London", created_at=NOW,
                    latitude=Decimal("51.4508912345678901"), longitude=Decimal("-2.5970012345678901"),
                    site_owner_id=new_id("so"), project_id=new_id("prj"))


def a_charge_point(location: Location, identity: str | None = None) -> ChargePoint:
    """Fully populated, its connectors deliberately not in (evse, connector) order."""
    return ChargePoint(
        id=identity or f"CP-{secrets.token_hex(6)}", organization_id=location.organization_id,
        location_id=location.id, created_at=NOW, password_hash="$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$aGFzaA",
        vendor="Alfen BV", model="Eve Double Pro-line", serial_number="ACE0012345", firmware_version="6.4.0-4119",
        ocpp_version="ocpp2.0.1", registration_status=RegistrationStatus.ACCEPTED,
        validation_mode=ValidationMode.LENIENT, online=True, last_heartbeat_at=LATER, last_boot_at=NOW,
        connectors=[Connector(2, 1, "Charging", None, LATER, "IEC_62196_T2_COMBO"),
                    Connector(1, 1, "Available", None, NOW), Connector(1, 2, "Faulted", "GroundFailure", LATER)],
        next_transaction_id=42, next_reservation_id=7)


def a_driver(organization: Organization, *id_tags: str, fleet_id: str | None = None) -> Driver:
    return Driver(id=new_id(PREFIXES["driver"]), organization_id=organization.id, name="Grace Hopper",
                  created_at=NOW, email="grace@example.com", fleet_id=fleet_id,
                  id_tags=list(id_tags) or [secrets.token_hex(4).upper(), secrets.token_hex(4).upper()])


def a_session(charge_point: ChargePoint, driver: Driver | None = None, *, started_at: datetime = NOW,
              status: SessionStatus = SessionStatus.ACTIVE) -> ChargingSession:
    """Every field set: exact Wh decimals, both readings, seen sequence numbers, aware instants."""
    return ChargingSession(
        id=new_id(PREFIXES["session"]), organization_id=charge_point.organization_id,
        charge_point_id=charge_point.id, transaction_id=secrets.token_hex(8), status=status, connector_id=1,
        evse_id=2, id_tag=driver.id_tags[0] if driver else "UNKNOWN-TAG", driver_id=driver.id if driver else None,
        started_at=started_at, stopped_at=LATER if status is SessionStatus.COMPLETED else None,
        meter_start_wh=Decimal("1234567890.123"), meter_stop_wh=Decimal("1234599999.999"),
        first_reading=Reading(started_at, Decimal("1234567890.123")),
        last_reading=Reading(LATER, Decimal("1234599999.5")), stop_reason="EVDisconnected", offline=True,
        seen_seq_nos={0, 1, 2, 5, 17}, last_event_at=LATER, fleet_id=driver.fleet_id if driver else None,
        vehicle_id=driver.vehicle_id if driver else None, energy_cap_wh=Decimal("30000.5"),
        energy_cap_reason="max_kwh_per_session", stop_request=StopRequest(LATER, "max_kwh_per_session", "Rejected"))


def samples_at(when: datetime, wh: str = "1000.5") -> list[MeterSample]:
    """One MeterValues message: a register without phase or location, and phase-wise currents."""
    return [MeterSample(when, ENERGY_REGISTER, Decimal(wh), "Wh", None, "Sample.Periodic", None),
            MeterSample(when, "Current.Import", Decimal("16.04"), "A", "L1", None, "Outlet"),
            MeterSample(when, "Current.Import", Decimal("15.98"), "A", "L2", None, "Outlet"),
            MeterSample(when, "Power.Active.Import", Decimal(11040), "W", None, None, None)]


def a_reservation(charge_point: ChargePoint, ocpp_id: int, *, expires_at: datetime = LATER,
                  status: ReservationStatus = ReservationStatus.ACTIVE) -> Reservation:
    return Reservation(id=new_id(PREFIXES["reservation"]), organization_id=charge_point.organization_id,
                       charge_point_id=charge_point.id, connector_id=1, id_tag="RESERVED-1", expires_at=expires_at,
                       ocpp_reservation_id=ocpp_id, created_at=NOW, status=status,
                       closed_at=NOW if status is not ReservationStatus.ACTIVE else None)


def a_tariff_document(energy_price: str = "0.305") -> dict:
    """Most of what a tariff can say: alt texts and URL, price bounds, restrictions, every dimension."""
    return {
        "id": "DAY-NIGHT-1", "name": "Day and night", "currency": "EUR", "type": "REGULAR",
        "tariff_alt_text": [{"language": "en", "text": "Day and night"}, {"language": "de", "text": "Tag und Nacht"}],
        "tariff_alt_url": "https://example.com/tariffs/day-night",
        "min_price": {"excl_vat": "0.50", "incl_vat": "0.605"}, "max_price": {"excl_vat": "99.123456"},
        "elements": [
            {"price_components": [{"type": "ENERGY", "price": energy_price, "vat": "21.5", "step_size": 1},
                                  {"type": "PARKING_TIME", "price": "2.000001", "vat": "21", "step_size": 300}],
             "restrictions": {"start_time": "08:00", "end_time": "22:00", "min_kwh": "0.5", "max_duration": 7200,
                              "day_of_week": ["MONDAY", "FRIDAY"]}},
            {"price_components": [{"type": "FLAT", "price": "1.00", "vat": "0", "step_size": 0},
                                  {"type": "ENERGY", "price": "0.20", "vat": "21", "step_size": 1}]},
        ],
        "start_date_time": "2026-01-01T00:00:00Z",
    }


def a_tariff(energy_price: str = "0.305") -> Tariff:
    return parse_tariff(a_tariff_document(energy_price))


def a_tariff_record(organization: Organization) -> TariffRecord:
    return TariffRecord.create(id=new_id(PREFIXES["tariff"]), organization_id=organization.id, tariff=a_tariff(),
                               now=NOW)


def a_plan(organization: Organization, *, tariff_id: str | None = None,
           discount_percent: Decimal | None = None) -> MembershipPlan:
    """A discount plan unless given a tariff; the fee with more digits than a float holds."""
    if tariff_id is None and discount_percent is None:
        discount_percent = Decimal("12.5")
    return MembershipPlan(id=new_id(PREFIXES["plan"]), organization_id=organization.id, name="Commuter",
                          monthly_fee=Money(Decimal("9.990000000000000001"), "EUR"), created_at=NOW,
                          tariff_id=tariff_id, discount_percent=discount_percent)


def a_subscription(plan: MembershipPlan, driver: Driver, *, starts_at: datetime = NOW,
                   ends_at: datetime | None = None) -> Subscription:
    return Subscription(id=new_id(PREFIXES["subscription"]), organization_id=plan.organization_id, plan_id=plan.id,
                        driver_id=driver.id, starts_at=starts_at, created_at=NOW, ends_at=ends_at)


def a_cost() -> SessionCost:
    """A billed cost with every kind of content a breakdown holds: several lines, VAT, bounds, periods
    that time-of-day restrictions split, energy with many decimals."""
    readings = [(NOW + timedelta(minutes=20 * i), Decimal("1234500000.5") + Decimal("3666.667") * i) for i in range(7)]
    readings.append((NOW + timedelta(hours=3), readings[-1][1]))   # parked for an hour at the end
    profile = profile_from_meter_values(readings)
    return SessionCost.of(rate(a_tariff(), profile, timezone(timedelta(hours=1))))
