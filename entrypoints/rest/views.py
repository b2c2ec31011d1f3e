"""What the REST door answers: response shapes typed once as msgspec Structs (encoded in one pass by msgspec,
documented in OpenAPI as they are)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, Literal, TypeVar

import msgspec

from application.api_keys import CreatedApiKey
from application.identity import IssuedToken
from application.invitations import Acceptance
from application.members import MemberView
from application.ports.charge_point_commands import CommandResult
from application.sessions import SessionDetail
from domain.charging import Anomaly, ChargingSession, MeterSample, OrphanTransaction, SessionStatus, StopRequest
from domain.charging.meter import MeterSummary
from domain.charging.quantities import thousandths
from domain.identity import ApiKey, Invitation, InvitationStatus, Notifications, Organization, Role, User
from domain.identity.organizations import OrganizationSettings
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
from domain.network.charge_points import ChargePointStatus
from domain.pricing import MembershipPlan, SessionCost, Subscription, TariffRecord
from domain.tariffs.model import TariffType
from domain.tariffs.parse import tariff_to_json
from entrypoints.rest.shapes import doc
from entrypoints.rest.tariff_shapes import DisplayTextBody, TariffElementBody

T = TypeVar("T")


class View(msgspec.Struct):
    """Base of response shapes: built by each one's ``of`` from the core's objects, encoded by msgspec."""


class UserOut(View):
    """A user account."""

    id: str
    email: str
    name: str

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(user.id, user.email, user.name)


class TokenOut(View):
    """A bearer access token."""

    access_token: Annotated[str, doc("Send as `Authorization: Bearer <access_token>`.")]
    token_type: Literal["bearer"]
    expires_in: Annotated[int, doc("Seconds until the token expires.")]

    @classmethod
    def of(cls, token: IssuedToken) -> TokenOut:
        return cls(token.access_token, "bearer", token.expires_in)


class MeUserOut(View, tag_field="type", tag="user"):
    """The caller, when it is a signed-in user (`type: user`)."""

    id: str
    email: str
    name: str

    @classmethod
    def of(cls, user: User) -> MeUserOut:
        return cls(user.id, user.email, user.name)


class MeApiKeyOut(View, tag_field="type", tag="api_key"):
    """The caller, when it is an organization API key (`type: api_key`)."""

    id: str
    name: str
    role: Role
    organization_id: str

    @classmethod
    def of(cls, key: ApiKey) -> MeApiKeyOut:
        return cls(key.id, key.name, key.role, key.organization_id)


class OrganizationOut(View):
    """An organization (a tenant)."""

    id: str
    name: str
    country: str
    contact_email: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, organization: Organization) -> OrganizationOut:
        o = organization
        return cls(o.id, o.name, o.country, o.contact_email, o.created_at, o.updated_at)


class MyOrganizationOut(OrganizationOut):
    """An organization the caller belongs to, with the caller's role in it."""

    role: Annotated[Role, doc("The caller's role in this organization.")]

    @classmethod
    def of_row(cls, row: tuple[Organization, Role]) -> MyOrganizationOut:
        o, role = row
        return cls(o.id, o.name, o.country, o.contact_email, o.created_at, o.updated_at, role)


class MemberOut(View):
    """A member of an organization."""

    user_id: str
    email: str
    name: str
    role: Role
    joined_at: datetime

    @classmethod
    def of(cls, view: MemberView) -> MemberOut:
        return cls(view.user.id, view.user.email, view.user.name, view.member.role, view.member.joined_at)


class InvitationOut(View):
    """An invitation to join an organization (its token travels only in the email)."""

    id: str
    organization_id: str
    email: str
    role: Role
    status: InvitationStatus
    expires_at: datetime
    created_at: datetime

    @classmethod
    def of(cls, invitation: Invitation, now: datetime) -> InvitationOut:
        i = invitation
        return cls(i.id, i.organization_id, i.email, i.role, i.status_at(now), i.expires_at, i.created_at)


class AcceptanceOut(View):
    """The membership an accepted invitation created."""

    organization_id: str
    user_id: str
    role: Role

    @classmethod
    def of(cls, acceptance: Acceptance) -> AcceptanceOut:
        return cls(acceptance.organization_id, acceptance.user_id, acceptance.role)


class SettingsOut(View):
    """An organization's settings."""

    currency: Annotated[str, doc("ISO 4217 currency code.")]
    timezone: Annotated[str, doc("IANA timezone name.")]
    billing_email: str | None
    notifications: NotificationsOut
    default_tariff_id: str | None
    legal_name: str | None
    billing_address: dict[str, str | None] | None
    vat_id: str | None
    iban: str | None
    bic: str | None
    invoice_number_prefix: str
    credit_note_number_prefix: str
    auto_finalize_invoices: bool
    invoice_day: int
    payment_terms_days: int
    vat_exemption_category: str
    vat_exemption_reason: str | None
    plan_fee_vat: str | None
    dispute_window_days: int
    payment_provider: str
    stripe_account: str | None
    payment_retry_days: list[int]
    uncollectible_after_retries: bool

    @classmethod
    def of(cls, settings: OrganizationSettings) -> SettingsOut:
        s, b = settings, settings.billing
        a = b.billing_address
        address = None if a is None else {"line1": a.line1, "line2": a.line2, "postal_code": a.postal_code,
                                          "city": a.city, "country": a.country}
        return cls(s.currency, s.timezone, s.billing_email, NotificationsOut.of(s.notifications), s.default_tariff_id,
                   b.legal_name, address, b.vat_id, b.iban, b.bic, b.invoice_number_prefix,
                   b.credit_note_number_prefix, b.auto_finalize_invoices, b.invoice_day, b.payment_terms_days,
                   b.vat_exemption_category, b.vat_exemption_reason,
                   None if b.plan_fee_vat is None else format(b.plan_fee_vat, "f"), b.dispute_window_days,
                   b.payment_provider, b.stripe_account, list(b.payment_retry_days), b.uncollectible_after_retries)


class NotificationsOut(View):
    """Which notifications the organization's billing email receives."""

    session_completed: bool
    invoice_issued: bool
    payment_failed: bool
    dispute_opened: bool
    charge_point_offline: bool
    weekly_report: bool

    @classmethod
    def of(cls, n: Notifications) -> NotificationsOut:
        return cls(n.session_completed, n.invoice_issued, n.payment_failed, n.dispute_opened, n.charge_point_offline,
                   n.weekly_report)


class ApiKeyCreatedOut(View):
    """A new API key; ``key`` is the secret, shown this once and stored only hashed."""

    id: str
    name: str
    role: Role
    key: Annotated[str, doc("The secret: send as `Authorization: Bearer <key>`. It is not shown again.")]
    created_at: datetime

    @classmethod
    def of(cls, created: CreatedApiKey) -> ApiKeyCreatedOut:
        k = created.key
        return cls(k.id, k.name, k.role, created.secret, k.created_at)


class ApiKeyOut(View):
    """An API key, without its secret."""

    id: str
    name: str
    role: Role
    prefix: Annotated[str, doc("The first characters of the key, to recognise it.")]
    created_at: datetime
    revoked_at: datetime | None

    @classmethod
    def of(cls, key: ApiKey) -> ApiKeyOut:
        return cls(key.id, key.name, key.role, key.prefix, key.created_at, key.revoked_at)


class LocationOut(View):
    """A location (a site) where charge points stand."""

    id: str
    name: str
    address: str
    city: str
    country: Annotated[str, doc("ISO 3166-1 alpha-2 country code.")]
    timezone: Annotated[str, doc("IANA time zone: time-of-day tariffs are read in it.")]
    latitude: Annotated[float | None, doc("Degrees north (WGS 84); null when not given.")]
    longitude: Annotated[float | None, doc("Degrees east (WGS 84); null when not given.")]
    site_owner_id: str | None
    project_id: str | None
    created_at: datetime

    @classmethod
    def of(cls, location: Location) -> LocationOut:
        x = location
        return cls(x.id, x.name, x.address, x.city, x.country, x.timezone, _number(x.latitude), _number(x.longitude),
                   x.site_owner_id, x.project_id, x.created_at)


STATUS_DESCRIPTION = (
    "One word for the charge point, derived from its connection and its connectors' last reported statuses: "
    "`Offline` when it is not connected; else `Charging` when any connector is in use (1.6 Preparing, "
    "Charging, SuspendedEV, SuspendedEVSE, Finishing; 2.0.1 Occupied); else `Available` when any connector "
    "is; else `Reserved`, `Unavailable`, `Faulted` in that order; `Unknown` when no connector has reported.")


class ConnectorOut(View):
    """A connector and its last reported status."""

    evse_id: Annotated[int, doc("The EVSE it belongs to (OCPP 1.6 charge points have one EVSE per connector).")]
    connector_id: int
    status: Annotated[str, doc("As last reported (OCPP names: Available, Charging, Occupied, Faulted…); "
                            "`Unknown` before the first report.")]
    error_code: Annotated[str | None, doc("The error code of the last report (1.6), if any.")]
    updated_at: Annotated[datetime | None, doc("When the charge point reported the status.")]
    type: Annotated[str | None, doc("Its plug (an OCPI connector type), when registered.")] = None

    @classmethod
    def of(cls, connector: Connector) -> ConnectorOut:
        c = connector
        return cls(c.evse_id, c.connector_id, c.status, c.error_code, c.updated_at, c.type)


class ChargePointOut(View):
    """A charge point: its OCPP identity, connection, what it told us at boot, and its connectors."""

    id: Annotated[str, doc("The OCPP identity: the last segment of its websocket URL.")]
    location_id: str
    ocpp_url: Annotated[str, doc("Where the charge point connects (its central system URL).")]
    status: Annotated[ChargePointStatus, doc(STATUS_DESCRIPTION)]
    online: Annotated[bool, doc("Connected now.")]
    last_heartbeat_at: datetime | None
    last_boot_at: datetime | None
    ocpp_version: Annotated[str | None, doc("`1.6` or `2.0.1`, as negotiated on its last connection.")]
    vendor: str | None
    model: str | None
    serial_number: str | None
    firmware_version: str | None
    registration_status: Annotated[RegistrationStatus, doc(
        "`Pending` until its first BootNotification, then `Accepted` (or `Rejected`).")]
    validation_mode: ValidationMode
    ocpp_password_set: Annotated[bool, doc("Whether it must authenticate with HTTP Basic (the password is "
                                        "never shown).")]
    connectors: list[ConnectorOut]
    created_at: datetime

    @classmethod
    def of(cls, charge_point: ChargePoint, ocpp_url: Callable[[str], str]) -> ChargePointOut:
        c = charge_point
        return cls(c.id, c.location_id, ocpp_url(c.id), c.summary_status, c.online, c.last_heartbeat_at,
                   c.last_boot_at, c.ocpp_version, c.vendor, c.model, c.serial_number, c.firmware_version,
                   c.registration_status, c.validation_mode, c.password_hash is not None,
                   [ConnectorOut.of(x) for x in c.connectors], c.created_at)


_OBJECTS = {"type": "array", "items": {"type": "object", "description": "As the charge point answered it "
                                                                        "(OCPP 2.0.1 fields, snake_case)."}}
# The charge point's own answer passes through: its known parts are described, anything else is kept as sent.
COMMAND_DATA = {"anyOf": [{"type": "null"}, {
    "type": "object",
    "properties": {
        "configuration_key": {"type": "array", "description": "GetConfiguration (1.6), as the charge point sent it.",
                              "items": {"type": "object", "properties": {
                                  "key": {"type": "string"}, "readonly": {"type": "boolean"},
                                  "value": {"type": "string"}}}},
        "unknown_key": {"type": "array", "items": {"type": "string"}},
        "get_variable_result": _OBJECTS,
        "set_variable_result": _OBJECTS,
        "status_info": {"type": "object", "description": "OCPP 2.0.1 StatusInfo: why it answered so.",
                        "properties": {"reason_code": {"type": "string"}, "additional_info": {"type": "string"}}},
        "transaction_id": {"type": ["string", "integer"], "description": "The transaction it started, if it says."},
        "error_description": {"type": "string", "description": "With a CallError: its description."},
        "error_details": {"description": "With a CallError: its details, as sent."},
    },
    "additionalProperties": {"description": "Any other field of its answer, as sent (snake_case)."},
}]}


class CommandResultOut(View):
    """What the charge point answered."""

    status: Annotated[str, doc("The charge point's answer, as it gave it (Accepted, Rejected, Scheduled…).")]
    data: Annotated[dict[str, Any] | None, msgspec.Meta(
        description="Anything else it answered (configuration keys, variable results…); null when nothing.",
        extra_json_schema=COMMAND_DATA)]

    @classmethod
    def of(cls, result: CommandResult) -> CommandResultOut:
        return cls(result.status, dict(result.data) or None)


class DriverOut(View):
    """A driver and the id tags a charge point presents for them."""

    id: str
    name: str
    email: str | None
    fleet_id: str | None
    id_tags: Annotated[list[str], doc("RFID UIDs or other tokens; unique within the organization.")]
    active: Annotated[bool, doc("An inactive driver's tags are refused (Blocked).")]
    created_at: datetime
    customer_id: Annotated[str | None, doc("The customer that pays for its sessions (null: its fleet's, else "
                                           "its own).")] = None
    policy: Annotated[dict[str, Any] | None, doc(
        "Its own charging policy (the shape of a fleet's `policy`), replacing its fleet's; null: the fleet's "
        "applies.")] = None
    vehicle_id: Annotated[str | None, doc("The vehicle it drives now (`veh_…`).")] = None

    @classmethod
    def of(cls, driver: Driver) -> DriverOut:
        d = driver
        return cls(d.id, d.name, d.email, d.fleet_id, list(d.id_tags), d.active, d.created_at, d.customer_id,
                   d.policy.to_json() if d.policy is not None else None, d.vehicle_id)


class MoneyOut(View):
    """An amount of money: a decimal string in the currency's unit."""

    amount: Annotated[str, doc("A decimal string, e.g. \"12.34\".")]
    currency: Annotated[str, doc("ISO 4217 currency code.")]


class SessionCostOut(View):
    """What a completed session costs, rated against its tariff (rounded to the currency's minor unit)."""

    currency: Annotated[str, doc("ISO 4217 currency code.")]
    total: Annotated[str, doc("Including VAT, a decimal string.")]
    total_excl_vat: Annotated[str, doc("Excluding VAT, a decimal string.")]
    vat: Annotated[str, doc("The VAT, a decimal string.")]

    @classmethod
    def of(cls, cost: SessionCost | None) -> SessionCostOut | None:
        if cost is None:
            return None
        return cls(cost.currency, format(cost.total, "f"), format(cost.total_excl_vat, "f"), format(cost.vat, "f"))


class StopRequestOut(View):
    """The central system's request to stop a session at its energy cap, and the charge point's answer."""

    at: datetime
    reason: Annotated[str, doc("The policy limit that capped it: `max_kwh_per_session` or `max_kwh_per_day`.")]
    answer: Annotated[str | None, doc("What the charge point answered (Accepted, Rejected), `unavailable` or "
                                      "`timeout`; null while it is being asked.")]

    @classmethod
    def of(cls, request: StopRequest | None) -> StopRequestOut | None:
        return cls(request.at, request.reason, request.answer) if request is not None else None


SESSION_STATUS = ("`started`: the transaction began and no energy has flowed yet; `active`: energy is "
                  "flowing (or the charge point says it is charging); `completed`: it has ended.")


class SessionOut(View):
    """A charging session (a transaction on a charge point)."""

    id: str
    charge_point_id: str
    connector_id: int | None
    evse_id: int | None
    id_tag: str | None
    driver_id: Annotated[str | None, doc("The driver whose id tag started it, if the tag is known.")]
    status: Annotated[SessionStatus, doc(SESSION_STATUS)]
    started_at: datetime | None
    stopped_at: datetime | None
    energy_kwh: Annotated[str, doc("Energy delivered so far, in kWh, as a decimal string (at least three "
                                "decimals: Wh precision).")]
    meter_start_wh: Annotated[str | None, doc("The energy register at the start, in Wh (decimal string).")]
    meter_stop_wh: Annotated[str | None, doc("The energy register at the stop, in Wh (decimal string).")]
    stop_reason: str | None
    offline: Annotated[bool, doc("Some of its messages were sent while the charge point was offline.")]
    cost: Annotated[SessionCostOut | None, doc("Null until it completes, and for a session no tariff prices.")]
    tariff_id: Annotated[str | None, doc("The tariff that prices it (chosen when it starts); null when none applies.")]
    tariff_version: Annotated[int | None, doc("The version of that tariff in force when it started.")]
    plan_id: Annotated[str | None, doc("The membership plan of its driver when it started, if any.")]
    flagged: Annotated[bool, doc("Some reading the charge point sent was not counted (the register ran backwards, "
                                 "or gained more than a charger can deliver): the session's `anomalies` say which.")]
    fleet_id: Annotated[str | None, doc("Its driver's fleet when it started (the fleet pays for it).")]
    vehicle_id: Annotated[str | None, doc("The vehicle its driver drove when it started.")]
    energy_cap_kwh: Annotated[str | None, doc("The most it may deliver (its driver's charging policy), in kWh; the "
                                              "central system stops it there.")]
    stop_requested: Annotated[StopRequestOut | None, doc("The central system asked the charge point to stop it "
                                                         "at its energy cap.")]

    @classmethod
    def fields_of(cls, session: ChargingSession) -> tuple[Any, ...]:
        s = session
        return (s.id, s.charge_point_id, s.connector_id, s.evse_id, s.id_tag, s.driver_id, s.status, s.started_at,
                s.stopped_at, thousandths(s.energy_kwh), _decimal(s.meter_start_wh), _decimal(s.meter_stop_wh),
                s.stop_reason, s.offline, SessionCostOut.of(s.cost), s.tariff_id, s.tariff_version, s.plan_id,
                s.flagged, s.fleet_id, s.vehicle_id,
                _decimal(s.energy_cap_wh / 1000) if s.energy_cap_wh is not None else None,
                StopRequestOut.of(s.stop_request))

    @classmethod
    def of(cls, session: ChargingSession) -> SessionOut:
        return cls(*cls.fields_of(session))


class MeterSummaryOut(View):
    """What the charge point metered during a session."""

    samples: Annotated[int, doc("Meter samples stored (each measurand and phase counts).")]
    first_reading_at: datetime | None
    last_reading_at: datetime | None
    max_power_kw: Annotated[str | None, doc("The highest total active power reported, in kW (decimal string, at "
                                         "least three decimals); null when the charge point sent none.")]

    @classmethod
    def of(cls, samples: list[MeterSample]) -> MeterSummaryOut:
        m = MeterSummary.of(samples)
        return cls(m.samples, m.first_reading_at, m.last_reading_at,
                   thousandths(m.max_power_kw) if m.max_power_kw is not None else None)


class AnomalyOut(View):
    """A reading the session did not count, and why."""

    at: datetime
    kind: Annotated[Literal["register_backwards", "energy_jump"], doc(
        "`register_backwards`: lower than an earlier reading; `energy_jump`: more energy than 10 MW could "
        "deliver in the time since the previous reading.")]
    detail: str

    @classmethod
    def of(cls, anomaly: Anomaly) -> AnomalyOut:
        return cls(anomaly.at, anomaly.kind, anomaly.detail)  # type: ignore[arg-type]


class SessionDetailOut(SessionOut):
    """A charging session with a summary of its meter data."""

    meter: MeterSummaryOut
    anomalies: Annotated[list[AnomalyOut], doc("Readings the session did not count (empty unless `flagged`).")]

    @classmethod
    def of_detail(cls, detail: SessionDetail) -> SessionDetailOut:
        # mypy cannot tell how many fields the splatted tuple fills (it assumes all of them).
        return cls(*SessionOut.fields_of(detail.session), MeterSummaryOut.of(detail.samples),  # type: ignore[call-arg]
                   [AnomalyOut.of(a) for a in detail.anomalies])


class OrphanTransactionOut(View):
    """Messages of a transaction whose start the charge point never sent: answered, kept, never billed."""

    id: str
    charge_point_id: str
    transaction_id: Annotated[str, doc("The transaction id the charge point named.")]
    first_seen_at: datetime
    last_seen_at: datetime
    messages: Annotated[int, doc("Messages received for it (retries included).")]
    kinds: Annotated[list[Literal["Started", "Updated", "Ended"]], doc("The kinds of the distinct messages kept, "
                                                                      "in the order they came.")]
    status: Annotated[Literal["orphan", "adopted"], doc("`adopted` once a session took its messages.")]
    adopted_by: Annotated[str | None, doc("The session that adopted its messages once its start arrived (2.0.1 "
                                          "replays); null while it is an orphan.")]

    @classmethod
    def of(cls, orphan: OrphanTransaction) -> OrphanTransactionOut:
        o = orphan
        return cls(o.id, o.charge_point_id, o.transaction_id, o.first_seen_at, o.last_seen_at, o.received,
                   [m.kind.value for m in o.messages],
                   "adopted" if o.adopted else "orphan", o.adopted_by)


class ReservationOut(View):
    """A connector held for one id tag until it expires, is used, or is cancelled."""

    id: str
    charge_point_id: str
    connector_id: int
    id_tag: str
    expires_at: datetime
    status: Annotated[ReservationStatus, doc("`active` until used by a session of its id tag, cancelled, or "
                                          "past `expires_at` (then `expired`).")]
    created_at: datetime

    @classmethod
    def of(cls, reservation: Reservation, now: datetime) -> ReservationOut:
        r = reservation
        return cls(r.id, r.charge_point_id, r.connector_id, r.id_tag, r.expires_at, r.status_at(now), r.created_at)


class PriceOut(View):
    """A price limit."""

    excl_vat: Annotated[str, doc("Excluding VAT, a decimal string.")]
    incl_vat: Annotated[str | None, doc("Including VAT; null: the VAT of the session's lines applies.")]


class TariffVersionOut(View):
    """One version of a tariff: an update makes a new one, and sessions keep the version they started with."""

    version: int
    valid_from: datetime


class TariffOut(View):
    """A tariff (OCPI 2.2.1 model), as its current version has it."""

    id: Annotated[str, doc("The tariff id (`trf_…`).")]
    version: Annotated[int, doc("The current version, from 1; each PUT adds one.")]
    name: str | None
    currency: Annotated[str, doc("ISO 4217 currency code.")]
    type: Annotated[TariffType | None, doc("OCPI tariff type (AD_HOC_PAYMENT, PROFILE_CHEAP, …), if given.")]
    tariff_alt_text: Annotated[list[DisplayTextBody], doc("Descriptions: `{language, text}`.")]
    tariff_alt_url: str | None
    elements: Annotated[list[TariffElementBody], doc("The tariff elements as sent (decimals as strings).")]
    min_price: Annotated[PriceOut | None, doc("The least a session costs.")]
    max_price: Annotated[PriceOut | None, doc("The most a session costs.")]
    start_date_time: Annotated[datetime | None, doc("When the tariff becomes valid (ISO 8601, UTC).")]
    end_date_time: Annotated[datetime | None, doc("When it stops being valid (ISO 8601, UTC).")]
    created_at: datetime
    updated_at: Annotated[datetime, doc("When the current version was made.")]

    @classmethod
    def fields_of(cls, record: TariffRecord) -> tuple[Any, ...]:
        current = record.current
        tariff = current.tariff
        document = tariff_to_json(tariff)

        def price(key: str) -> PriceOut | None:
            value = document.get(key)
            return None if value is None else PriceOut(value["excl_vat"], value.get("incl_vat"))

        return (record.id, current.version, tariff.name, tariff.currency, tariff.type,
                msgspec.convert(document.get("tariff_alt_text", []), list[DisplayTextBody]), tariff.tariff_alt_url,
                msgspec.convert(document["elements"], list[TariffElementBody]), price("min_price"),
                price("max_price"), tariff.start_date_time, tariff.end_date_time, record.created_at,
                current.valid_from)

    @classmethod
    def of(cls, record: TariffRecord) -> TariffOut:
        return cls(*cls.fields_of(record))


class TariffDetailOut(TariffOut):
    """A tariff and its versions."""

    versions: list[TariffVersionOut]

    @classmethod
    def of_detail(cls, record: TariffRecord) -> TariffDetailOut:
        # mypy cannot tell how many fields the splatted tuple fills (it assumes all of them).
        return cls(*TariffOut.fields_of(record),  # type: ignore[call-arg]
                   [TariffVersionOut(v.version, v.valid_from) for v in record.versions])


class TariffAssignmentOut(View):
    """The tariff assigned (null: none here)."""

    tariff_id: str | None


class CostLineOut(View):
    """One price component's share: `amount` excludes VAT."""

    type: Annotated[str, doc("FLAT, ENERGY, TIME, PARKING_TIME, RESERVATION_FLAT, RESERVATION_TIME, MIN_PRICE or "
                          "MAX_PRICE.")]
    quantity: str
    unit: Annotated[str, doc("kWh, h or flat.")]
    unit_price: str
    amount: str
    vat_rate: Annotated[str | None, doc("Percent; null: no VAT.")]
    vat: str
    element: Annotated[int | None, doc("The tariff element (index) that priced it.")]


class AppliedElementOut(View):
    """Which element priced a dimension in a period, and why."""

    dimension: str
    element: int
    reason: str


class CostPeriodOut(View):
    """A stretch of the session over which the same elements applied."""

    start: str
    end: str
    kind: Annotated[str, doc("charging, parking or reservation.")]
    energy_kwh: str
    duration_h: str
    applied: list[AppliedElementOut]


class CostBreakdownOut(View):
    """What a session costs, line by line: the lines add up to the totals."""

    currency: str
    lines: list[CostLineOut]
    periods: list[CostPeriodOut]
    total_excl_vat: str
    vat: str
    total: str
    energy_kwh: str
    total_time_h: str
    charging_time_h: str
    parking_time_h: str
    reservation_time_h: str
    rounded: Annotated[bool, doc("Amounts are rounded to the currency's minor unit.")]
    estimate: Annotated[bool, doc("true: a running session's cost so far, which may still change.")]

    @classmethod
    def of(cls, doc: dict[str, Any], *, estimate: bool = False) -> CostBreakdownOut:
        lines = [CostLineOut(line["type"], line["quantity"], line["unit"], line["unit_price"], line["amount"],
                             line.get("vat_rate"), line["vat"], line.get("element")) for line in doc["lines"]]
        periods = [CostPeriodOut(p["start"], p["end"], p["kind"], p["energy_kwh"], p["duration_h"],
                                 [AppliedElementOut(a["dimension"], a["element"], a["reason"]) for a in p["applied"]])
                   for p in doc["periods"]]
        return cls(doc["currency"], lines, periods, doc["total_excl_vat"], doc["vat"], doc["total"],
                   doc["energy_kwh"], doc["total_time_h"], doc["charging_time_h"], doc["parking_time_h"],
                   doc["reservation_time_h"], bool(doc.get("rounded", True)), estimate)


class PlanOut(View):
    """A membership plan: its members charge at its tariff, or at a discount."""

    id: str
    name: str
    monthly_fee: MoneyOut
    tariff_id: str | None
    discount_percent: Annotated[str | None, doc("A decimal string.")]
    created_at: datetime

    @classmethod
    def of(cls, plan: MembershipPlan) -> PlanOut:
        return cls(plan.id, plan.name, _money(plan.monthly_fee), plan.tariff_id, _decimal(plan.discount_percent),
                   plan.created_at)


class SubscriptionOut(View):
    """A driver's membership of a plan, in force from `starts_at` until `ends_at` (exclusive)."""

    id: str
    plan_id: str
    driver_id: str
    starts_at: datetime
    ends_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, subscription: Subscription) -> SubscriptionOut:
        s = subscription
        return cls(s.id, s.plan_id, s.driver_id, s.starts_at, s.ends_at, s.created_at)


class HealthOut(View):
    """The server and its database answer."""

    status: Literal["ok"]


def _number(value: Decimal | None) -> float | None:
    # Coordinates are answered as JSON numbers; a double keeps every digit a location needs.
    return None if value is None else float(value)


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _money(money: Money) -> MoneyOut:
    return MoneyOut(format(money.amount, "f"), money.currency)




class PageOut(View, Generic[T]):
    """A page of a list: `next_cursor` is passed as `cursor` for the next page (null on the last one)."""

    data: list[T]
    has_more: bool
    next_cursor: Annotated[str | None, doc("Pass as `cursor` for the next page.")]


class Renderer:
    """Views to JSON bytes: one msgspec encoder for the door (Decimal as strings, enums as their values)."""

    def __init__(self) -> None:
        self._encoder = msgspec.json.Encoder()

    def json(self, value: Any) -> bytes:
        return self._encoder.encode(value)
