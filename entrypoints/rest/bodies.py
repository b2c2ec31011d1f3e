"""Request bodies the REST door accepts, typed once as msgspec Structs: decoded and checked in one pass,
published in OpenAPI as they are.

Only the shape is enforced at the edge (types, required and unknown fields, lengths, ranges); what a
value means (an ISO country, an IANA zone, an email, a price) is the domain's to judge, and the
schema only describes it (see ``shapes``).
"""

import enum
from typing import Annotated, Any

import msgspec
from msgspec import Meta

from domain.billing.customers import MAX_LINE, MAX_PAYMENT_TERMS_DAYS, MAX_POSTAL_CODE
from domain.billing.documents import MAX_PREFIX, PREFIX
from domain.billing.invoices import Address
from domain.billing.settings import (
    DEFAULT_RETRY_DAYS,
    LAST_INVOICE_DAY,
    MAX_DISPUTE_WINDOW_DAYS,
    MAX_EXEMPTION_REASON,
    MAX_RETRIES,
    MAX_RETRY_DAY,
    PAYMENT_PROVIDERS,
)
from domain.billing.vat import NO_VAT_CATEGORIES
from domain.connector_types import CONNECTOR_TYPES, MAX_CONNECTOR_TYPE
from domain.identity import Role
from domain.identity.users import MAX_PASSWORD
from domain.network import ValidationMode
from domain.network.charge_points import MAX_PASSWORD as MAX_OCPP_PASSWORD
from domain.network.drivers import MAX_ID_TAGS
from domain.network.locations import MAX_ADDRESS
from entrypoints.rest.policy_shapes import PolicyBody
from entrypoints.rest.shapes import (
    MAX_CONNECTOR,
    MAX_ID,
    MAX_TOKEN,
    PRINTABLE,
    UNIQUE,
    Body,
    Country,
    Currency,
    Email,
    Identity,
    IdTag,
    Money,
    Name,
    Timestamp,
    Timezone,
    between,
    doc,
    prefixed_id,
    quantity_field,
    text,
)
from entrypoints.rest.tariff_shapes import PERCENT, TariffBody

MAX_CONFIGURATION_KEY = 50     # OCPP 1.6 CiString50
MAX_CONFIGURATION_VALUE = 500  # OCPP 1.6 CiString500
MAX_IDENTIFIER = 50            # OCPP 2.0.1 identifierString (component and variable names)
MAX_VARIABLE_VALUE = 1000      # OCPP 2.0.1 SetVariableData.attributeValue
MAX_VARIABLES = 50
MAX_METER_VALUES = 10_000


class SignupBody(Body):
    """A new account."""

    email: Annotated[Email, doc("The email address the user signs in with.", "ada@example.com")]
    password: Annotated[str, text(MAX_PASSWORD, min_length=8), doc("At least 8 characters.", "correct horse battery")]
    name: Annotated[Name, doc("The user's display name.", "Ada Lovelace")]


class TokenBody(Body):
    """Credentials exchanged for an access token."""

    email: Annotated[str, text(254), doc("The account's email address.", "ada@example.com")]
    password: Annotated[str, text(MAX_PASSWORD), doc("The account's password.")]


class OrganizationBody(Body):
    """An organization's details; a PUT replaces all of them."""

    name: Annotated[Name, doc("Display name for the organization.", "Volt Fleet Ltd")]
    country: Annotated[Country, doc('ISO 3166-1 alpha-2 country code (e.g., "GB", "DE", "US").', "GB")]
    contact_email: Annotated[Email, doc("Primary contact email address for the organization.",
                                        "ops@voltfleet.example")]


class RoleBody(Body):
    """A member's new role."""

    role: Annotated[Role, doc('The new role. One of "admin", "member", or "viewer".', "member")]


class InvitationBody(Body):
    """Who to invite, and the role they get on acceptance."""

    email: Annotated[Email, doc("Email address of the person to invite.", "grace@example.com")]
    role: Annotated[Role, doc('Role to assign on acceptance: "admin", "member", or "viewer".', "member")]


class AcceptInvitationBody(Body):
    """The token from an invitation email."""

    token: Annotated[str, text(MAX_TOKEN, min_length=1), doc("The invitation token from the invitation email.")]


class AddressBody(Body):
    """A postal address."""

    line1: Annotated[str, text(MAX_LINE, min_length=1, pattern=PRINTABLE), doc("Street and number.",
                                                                                 "1 Quay Street")]
    postal_code: Annotated[str, text(MAX_POSTAL_CODE, min_length=1, pattern=PRINTABLE), doc("Postal code.",
                                                                                             "BS1 4DJ")]
    city: Annotated[Name, doc("City.", "Bristol")]
    country: Annotated[Country, doc("ISO 3166-1 alpha-2 country code.", "GB")]
    line2: Annotated[Annotated[str, text(MAX_LINE, min_length=1, pattern=PRINTABLE)] | None,
                     doc("More of the street address.")] = None

    def address(self) -> Address:
        return Address(self.line1, self.postal_code, self.city, self.country, self.line2)


class NotificationsBody(Body):
    """Which notifications the organization's billing email receives; omitted switches take their defaults."""

    session_completed: bool = False
    invoice_issued: bool = True
    payment_failed: bool = True
    dispute_opened: bool = True
    charge_point_offline: bool = True
    weekly_report: bool = False


class SettingsBody(Body):
    """An organization's settings; a PUT replaces them (omitted optional fields take their defaults)."""

    currency: Annotated[Currency, doc('ISO 4217 currency code (e.g., "GBP", "EUR", "USD").', "GBP")]
    timezone: Annotated[Timezone, doc('IANA timezone name (e.g., "Europe/London").', "Europe/London")]
    billing_email: Annotated[Email | None, doc("Email address for billing-related notifications.",
                                               "billing@voltfleet.example")] = None
    notifications: Annotated[NotificationsBody, doc(
        "Object controlling which notifications the organization receives; omitted switches take "
        "their defaults.")] = msgspec.field(default_factory=NotificationsBody)
    default_tariff_id: Annotated[Annotated[str, prefixed_id("trf")] | None,
                                 doc("The tariff used where no charge point or location "
                                                       "tariff applies.")] = None
    # Billing: the seller on the organization's invoices, numbering, runs.
    legal_name: Annotated[Name | None, doc("The seller's legal name on invoices (default: the organization's "
                                           "name).")] = None
    billing_address: Annotated[AddressBody | None, doc("The seller's address; needed to finalize invoices.")] = None
    vat_id: Annotated[Annotated[str, text(40, min_length=1)] | None, doc(
        "The seller's VAT number (checked with its country's rules); needed to finalize an invoice with VAT.",
        "GB980780684")] = None
    iban: Annotated[Annotated[str, text(42, min_length=1)] | None, doc(
        "Where customers pay by bank transfer (checked).", "GB33BUKB20201555555555")] = None
    bic: Annotated[Annotated[str, text(11, min_length=1)] | None, doc("The bank's BIC.", "BUKBGB22")] = None
    invoice_number_prefix: Annotated[str, text(MAX_PREFIX, pattern=PREFIX), doc(
        "Invoice numbers: this prefix and 6 digits, sequential and gap-free.", "INV-")] = "INV-"
    credit_note_number_prefix: Annotated[str, text(MAX_PREFIX, pattern=PREFIX), doc(
        "Credit notes are numbered in a series of their own: a prefix unlike the invoices'.", "CN-")] = "CN-"
    auto_finalize_invoices: Annotated[bool, doc("Invoice runs finalize (number, email) what they make.")] = False
    invoice_day: Annotated[int, Meta(ge=1, le=LAST_INVOICE_DAY), doc(
        "The local day of the month on which the server invoices the previous month (1–28).")] = 1
    payment_terms_days: Annotated[int, Meta(ge=0, le=MAX_PAYMENT_TERMS_DAYS), doc(
        "Days from issue to due date, unless the customer has its own.")] = 14
    vat_exemption_category: Annotated[str, text(2, choices=NO_VAT_CATEGORIES), doc(
        "The EN 16931 VAT category (UNTDID 5305) of a line whose tariff has no VAT: E exempt, O not subject, "
        "Z zero rated, AE reverse charge, K intra-community, G export.")] = "E"
    vat_exemption_reason: Annotated[Annotated[str, text(MAX_EXEMPTION_REASON, min_length=1, pattern=PRINTABLE)]
                                    | None, doc("Why, as the invoice says (BT-120); null: the category's own "
                                                "wording (\"Exempt from VAT\"…).")] = None
    plan_fee_vat: Annotated[Any, quantity_field(PERCENT, nullable=True, maximum=100), doc(
        "VAT in percent on membership plan fees, 0 to 100 with at most 4 decimals: a JSON number or a decimal "
        "string. Absent: fees carry no VAT, in `vat_exemption_category`.", "20")] = None
    dispute_window_days: Annotated[int, Meta(ge=1, le=MAX_DISPUTE_WINDOW_DAYS), doc(
        "How many days after a session ends its driver may dispute it from the portal.")] = 90
    # Collection.
    payment_provider: Annotated[str, text(20, choices=PAYMENT_PROVIDERS), doc(
        "Who collects finalized invoices: `bank_transfer` (embedded, the default) or `stripe` (needs "
        "CHARGE_STRIPE_SECRET_KEY on the server).", "stripe")] = "bank_transfer"
    stripe_account: Annotated[Annotated[str, text(255, min_length=6, pattern=r"^acct_[A-Za-z0-9]+$")] | None, doc(
        "A Stripe Connect account the organization's payments are made on (sent on every call).",
        "acct_1Nv0FGQ9RKHgCVdK")] = None
    payment_retry_days: Annotated[list[Annotated[int, Meta(ge=1, le=MAX_RETRY_DAY)]],
                                  Meta(max_length=MAX_RETRIES), doc(
        "After a declined card, days until each retry (counted from the attempt before).", [1, 3, 7])] = \
        msgspec.field(default_factory=lambda: list(DEFAULT_RETRY_DAYS))
    uncollectible_after_retries: Annotated[bool, doc(
        "An invoice still unpaid after the last retry is marked uncollectible (written off).")] = False


class ApiKeyBody(Body):
    """A new API key: a name to recognise it by, and the role it acts with."""

    name: Annotated[Name, doc("A name to recognise the key by.", "billing backend")]
    role: Annotated[Role, doc('The role the key acts with: "admin", "member", or "viewer".', "member")]


# Degrees as text, within their range (at most 12 decimals written out).
LATITUDE = "^-?(90(\\.0{1,12})?|[0-8]?[0-9](\\.[0-9]{1,12})?)$"
LONGITUDE = "^-?(180(\\.0{1,12})?|(1[0-7][0-9]|[0-9]?[0-9])(\\.[0-9]{1,12})?)$"


class LocationBody(Body):
    """A new location (a site) where charge points stand."""

    name: Annotated[Name, doc("Display name of the site.", "Riverside Car Park")]
    address: Annotated[str, text(MAX_ADDRESS, min_length=1, pattern=PRINTABLE),
                       doc("Street address.", "1 Riverside Way")]
    city: Annotated[Name, doc("City.", "London")]
    country: Annotated[Country, doc("ISO 3166-1 alpha-2 country code.", "GB")]
    timezone: Annotated[Timezone, doc("IANA time zone: time-of-day tariffs are read in it.", "Europe/London")]
    latitude: Annotated[Any, quantity_field(LATITUDE, nullable=True, minimum=-90, maximum=90, whole_numbers=False), doc(
        "Degrees north (WGS 84), -90 to 90: a JSON number or a decimal string. Comes with `longitude`.",
        "51.5072")] = None
    longitude: Annotated[Any, quantity_field(LONGITUDE, nullable=True, minimum=-180, maximum=180,
                                             whole_numbers=False), doc(
        "Degrees east (WGS 84), -180 to 180: a JSON number or a decimal string. Comes with `latitude`.",
        "-0.1276")] = None
    site_owner_id: Annotated[Annotated[str, text(MAX_ID)] | None, doc("The site owner hosting it (`so_…`).")] = None
    project_id: Annotated[Annotated[str, text(MAX_ID)] | None,
                          doc("The site owner's project it belongs to (`prj_…`).")] = None


class ConnectorBody(Body):
    """A connector of an EVSE."""

    connector_id: Annotated[int, between(1, 10), doc("Its number on the EVSE, from 1.", 1)]
    type: Annotated[Annotated[str, text(MAX_CONNECTOR_TYPE, choices=CONNECTOR_TYPES)] | None, doc(
        "Its plug, an OCPI connector type (a fleet's policy may allow only some).", "IEC_62196_T2")] = None


class EvseBody(Body):
    """An EVSE and its connectors (an OCPP 1.6 charge point has one EVSE per connector)."""

    evse_id: Annotated[int, between(1, MAX_CONNECTOR), doc("The EVSE number, from 1.", 1)]
    connectors: Annotated[list[ConnectorBody], Meta(min_length=1, max_length=10, extra_json_schema=UNIQUE),
                          doc("Its connectors, each number once.")]


class ChargePointBody(Body):
    """A charge point to register before it first connects."""

    id: Annotated[Identity, doc("The OCPP identity (the last segment of its websocket URL): 1 to 48 of "
                                "A-Z a-z 0-9 . _ : * + | @ -. Unique across Charge.", "CP-LON-0001")]
    location_id: Annotated[str, text(MAX_ID), doc("The location it stands at (`loc_…`).")]
    ocpp_password: Annotated[Annotated[str, text(40, min_length=16, pattern="^[!-~]{16,40}$")] | None, doc(
        "16 to 40 printable characters: it must then authenticate with HTTP Basic (OCPP security profile 1). "
        "Never shown again.")] = None
    evses: Annotated[list[EvseBody], Meta(max_length=MAX_CONNECTOR), doc(
        "Its EVSEs and connectors, if known now; connectors it reports later are learned.")] = []
    validation_mode: Annotated[ValidationMode, doc(
        "`strict`: its OCPP payloads must match the official schemas; `lenient`: for chargers known to send "
        "non-conformant payloads.")] = ValidationMode.STRICT


assert MAX_OCPP_PASSWORD == 40, "ChargePointBody.ocpp_password documents the domain's bound"


class DriverBody(Body):
    """A new driver and the id tags a charge point presents for them."""

    name: Annotated[Name, doc("The driver's name.", "Grace Hopper")]
    email: Annotated[Email | None, doc("The driver's email address.", "grace@example.com")] = None
    fleet_id: Annotated[Annotated[str, text(MAX_ID)] | None, doc("The fleet the driver belongs to (`flt_…`).")] = None
    id_tags: Annotated[list[IdTag], Meta(max_length=MAX_ID_TAGS, extra_json_schema=UNIQUE), doc(
        "RFID UIDs or other tokens (1 to 36 printable characters without spaces), unique within the "
        "organization.", ["04A2B3C4D5E6F7"])] = []
    customer_id: Annotated[Annotated[str, text(MAX_ID)] | None, doc(
        "The customer that pays for its sessions (`cus_…`); without one, its fleet's customer pays, else the "
        "driver is billed as a customer of its own, made the first time it is billed.")] = None
    policy: Annotated[PolicyBody | None, doc(
        "Its own charging policy, which replaces its fleet's whole (`{}`: no limits); null: its fleet's "
        "applies.")] = None


class ReservationBody(Body):
    """A connector to hold for one id tag."""

    charge_point_id: Annotated[Identity, doc("The charge point to reserve a connector on.", "CP-LON-0001")]
    connector_id: Annotated[int, between(1, MAX_CONNECTOR), doc("The connector number to reserve.", 1)]
    expires_at: Annotated[Timestamp, doc("ISO 8601 datetime at which the reservation expires if unused (at most "
                                         "24 hours ahead).", "2026-01-15T18:00:00Z")]
    id_tag: Annotated[IdTag, doc("The driver's ID tag (RFID UID or email). Only this tag can use the reservation.",
                                 "04A2B3C4D5E6F7")]

    def __post_init__(self) -> None:
        self._in_utc("expires_at")


# ---------------------------------------------------------------- charge point commands

_EVSE = "OCPP 2.0.1: the EVSE the connector belongs to (connector numbers restart on each EVSE)."
EvseId = Annotated[Annotated[int, between(1, MAX_CONNECTOR)] | None, doc(_EVSE)]


class RemoteStartBody(Body):
    """Start a session for an id tag, as if the tag had been presented at the charge point."""

    id_tag: Annotated[IdTag, doc("The id tag to start the session for.", "04A2B3C4D5E6F7")]
    connector_id: Annotated[Annotated[int, between(1, MAX_CONNECTOR)] | None, doc(
        "The connector to start on; null lets the charge point choose.", 1)] = None
    evse_id: EvseId = None


class RemoteStopBody(Body):
    """Stop a running session."""

    session_id: Annotated[str, text(MAX_ID), doc("The session to stop (`ses_…`); it must run on this charge point.")]


class ResetType(str, enum.Enum):
    SOFT = "soft"
    HARD = "hard"


class ResetBody(Body):
    """Reboot the charge point."""

    type: Annotated[ResetType, doc("`soft`: stop sessions gracefully and restart the software; `hard`: reboot now.",
                                   "soft")]


class UnlockBody(Body):
    """Release the cable on a connector."""

    connector_id: Annotated[int, between(1, MAX_CONNECTOR), doc("The connector to unlock.", 1)]
    evse_id: EvseId = None


class AvailabilityBody(Body):
    """Take a connector (or the whole charge point) in or out of service."""

    connector_id: Annotated[int, between(0, MAX_CONNECTOR), doc("The connector; 0 for the whole charge point.", 1)]
    available: Annotated[bool, doc("true: operative; false: inoperative.", False)]
    evse_id: EvseId = None


class TriggerableMessage(str, enum.Enum):
    BOOT_NOTIFICATION = "BootNotification"
    HEARTBEAT = "Heartbeat"
    STATUS_NOTIFICATION = "StatusNotification"
    METER_VALUES = "MeterValues"
    FIRMWARE_STATUS_NOTIFICATION = "FirmwareStatusNotification"
    DIAGNOSTICS_STATUS_NOTIFICATION = "DiagnosticsStatusNotification"   # 1.6
    LOG_STATUS_NOTIFICATION = "LogStatusNotification"                   # 2.0.1
    TRANSACTION_EVENT = "TransactionEvent"                              # 2.0.1


class TriggerBody(Body):
    """Ask the charge point to send a message now."""

    message: Annotated[TriggerableMessage, doc("The message to send (some exist in one OCPP version only).",
                                               "StatusNotification")]
    connector_id: Annotated[Annotated[int, between(0, MAX_CONNECTOR)] | None,
                            doc("The connector the message is about, if any.")] = None
    evse_id: EvseId = None


class GetConfigurationBody(Body):
    """Read configuration keys (OCPP 1.6)."""

    keys: Annotated[list[Annotated[str, text(MAX_CONFIGURATION_KEY)]], Meta(max_length=100), doc(
        "The keys to read; empty reads them all.", ["HeartbeatInterval"])] = []


class ChangeConfigurationBody(Body):
    """Set one configuration key (OCPP 1.6)."""

    key: Annotated[str, text(MAX_CONFIGURATION_KEY), doc("The configuration key.", "HeartbeatInterval")]
    value: Annotated[str, text(MAX_CONFIGURATION_VALUE), doc("Its new value, as text.", "300")]


class VariableBody(Body):
    """A variable of a component (OCPP 2.0.1 device model)."""

    component: Annotated[str, text(MAX_IDENTIFIER), doc("The component's name.", "OCPPCommCtrlr")]
    variable: Annotated[str, text(MAX_IDENTIFIER), doc("The variable's name.", "HeartbeatInterval")]


class GetVariablesBody(Body):
    """Read device-model variables (OCPP 2.0.1)."""

    variables: Annotated[list[VariableBody], Meta(min_length=1, max_length=MAX_VARIABLES),
                         doc("The variables to read.")]


class VariableValueBody(Body):
    """A variable of a component and its new value (OCPP 2.0.1 device model)."""

    component: Annotated[str, text(MAX_IDENTIFIER), doc("The component's name.", "OCPPCommCtrlr")]
    variable: Annotated[str, text(MAX_IDENTIFIER), doc("The variable's name.", "HeartbeatInterval")]
    value: Annotated[str, text(MAX_VARIABLE_VALUE), doc("Its new value, as text.", "300")]


class SetVariablesBody(Body):
    """Set device-model variables (OCPP 2.0.1)."""

    variables: Annotated[list[VariableValueBody], Meta(min_length=1, max_length=MAX_VARIABLES),
                         doc("The variables to set.")]


class ChargingRateUnit(str, enum.Enum):
    AMPERES = "A"
    WATTS = "W"


class SetChargingProfileBody(Body):
    """Limit the charging rate (a default profile for new sessions)."""

    connector_id: Annotated[int, between(0, MAX_CONNECTOR), doc("The connector; 0 for the whole charge point.", 1)]
    limit: Annotated[Any, quantity_field("^[0-9]{1,9}(\\.[0-9]{1,6})?$", maximum=1e9), doc(
        "The limit in `unit`: a JSON number or a decimal string, at least 0.", "16")]
    unit: Annotated[ChargingRateUnit, doc("`A` (amperes per phase) or `W` (watts).", "A")]
    evse_id: EvseId = None


class ClearCacheBody(Body):
    """Clear the charge point's authorization cache. The body is an empty object."""


# ---------------------------------------------------------------- pricing


class TariffAssignmentBody(Body):
    """The tariff that prices sessions here; null clears it (the next level's applies)."""

    tariff_id: Annotated[Annotated[str, prefixed_id("trf")] | None,
                         doc("The tariff (`trf_…`), or null.", "trf_01JD0000000000000000000000")]


_KWH = "^[0-9]{1,9}(\\.[0-9]{1,6})?$"
# Above 0, at most 100, at most 4 decimals (as text).
PERCENT_ABOVE_ZERO = "^(100(\\.0{1,4})?|[1-9][0-9]?(\\.[0-9]{1,4})?|0\\.[0-9]{0,3}[1-9])$"


class MeterValueBody(Body):
    """A reading of the energy register."""

    timestamp: Annotated[Timestamp, doc("When it was read.", "2026-01-15T09:30:00Z")]
    value_wh: Annotated[Any, quantity_field("^[0-9]{1,12}(\\.[0-9]{1,6})?$", maximum=1e11), doc(
        "The register, in Wh: a JSON number or a decimal string.", "12345")]

    def __post_init__(self) -> None:
        self._in_utc("timestamp")


class QuoteBody(Body):
    """A session to price: total energy spread over the time at constant power, or measured meter values."""

    start: Annotated[Timestamp, doc("When charging starts.", "2026-01-15T09:00:00Z")]
    end: Annotated[Timestamp, doc("When the car leaves.", "2026-01-15T11:00:00Z")]
    energy_kwh: Annotated[Any, quantity_field(_KWH, nullable=True, maximum=1e9), doc(
        "Energy delivered, in kWh (needed without `meter_values`): a JSON number or a decimal string.",
        "22.5")] = None
    max_power_kw: Annotated[Any, quantity_field(_KWH, nullable=True, maximum=1e9), doc(
        "The most the car can draw, in kW: energy flows at this power until done, then the car parks. Without "
        "it, energy spreads over the whole time.", "11")] = None
    location_timezone: Annotated[Timezone | None, doc(
        "IANA time zone the tariff's times of day are read in (default: the organization's).",
        "Europe/Berlin")] = None
    meter_values: Annotated[list[MeterValueBody], Meta(max_length=MAX_METER_VALUES), doc(
        "Energy register readings over the session; they replace `energy_kwh`.")] = []

    def __post_init__(self) -> None:
        self._in_utc("start", "end")


class MoneyBody(Body):
    """An amount of money."""

    amount: Annotated[Money, doc("A decimal string in the currency's unit (a JSON number is refused).", "9.99")]
    currency: Annotated[Currency, doc("ISO 4217 currency code.", "EUR")]


class MembershipPlanBody(Body):
    """A membership plan; a PUT replaces it. A plan has either its own tariff or a discount, not both."""

    name: Annotated[Name, doc("Display name of the plan.", "Commuter")]
    monthly_fee: Annotated[MoneyBody, doc("What a member pays a month.")]
    tariff_id: Annotated[Annotated[str, text(MAX_ID)] | None, doc("The tariff members charge at (`trf_…`).")] = None
    discount_percent: Annotated[Any, quantity_field(PERCENT_ABOVE_ZERO, nullable=True, minimum=0,
                                         exclusive_minimum=True, maximum=100), doc(
        "A discount on the usual tariff, above 0 and at most 100: a JSON number or a decimal string.",
        "15")] = None


class SubscriptionBody(Body):
    """A driver joins a plan."""

    plan_id: Annotated[str, text(MAX_ID), doc("The plan (`pln_…`).", "pln_01JD0000000000000000000000")]
    driver_id: Annotated[str, text(MAX_ID), doc("The driver (`drv_…`).", "drv_01JD0000000000000000000000")]
    starts_at: Annotated[Timestamp | None, doc("When the membership starts (default: now).")] = None
    ends_at: Annotated[Timestamp | None, doc("When it ends (default: open-ended).")] = None

    def __post_init__(self) -> None:
        self._in_utc("starts_at", "ends_at")


__all__ = ["Body", "TariffBody"]
