"""Request bodies the REST door accepts, declared once (see ``schema``): checked here, documented in OpenAPI.

Only the shape is checked at the edge (types, required and unknown fields, lengths, roles);
what a value means (an ISO country, an IANA zone, an email) is the domain's to judge.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from attrs import Factory, frozen

from domain.identity import Notifications, Role
from domain.identity.users import MAX_PASSWORD
from domain.network import ValidationMode
from domain.network.charge_points import MAX_PASSWORD as MAX_OCPP_PASSWORD
from domain.network.drivers import MAX_ID_TAGS
from domain.network.locations import MAX_ADDRESS
from domain.validation import MAX_EMAIL, MAX_NAME
from entrypoints.rest.schema import FreeForm, decimal, described, integer, items, text

MAX_TOKEN = 200
MAX_TIMEZONE = 64
MAX_ID = 64
MAX_IDENTITY = 48          # an OCPP 2.0.1 identity
MAX_ID_TAG = 36            # an OCPP 2.0.1 IdToken (1.6 idTag: 20)
MAX_CONNECTOR = 100        # connector and EVSE numbers a charge point may have
MAX_CONFIGURATION_KEY = 50     # OCPP 1.6 CiString50
MAX_CONFIGURATION_VALUE = 500  # OCPP 1.6 CiString500
MAX_IDENTIFIER = 50            # OCPP 2.0.1 identifierString (component and variable names)
MAX_VARIABLE_VALUE = 1000      # OCPP 2.0.1 SetVariableData.attributeValue
MAX_VARIABLES = 50


@frozen
class SignupBody:
    """A new account."""

    email: str = text(MAX_EMAIL, "The email address the user signs in with.", example="ada@example.com")
    password: str = text(MAX_PASSWORD, "At least 8 characters.", example="correct horse battery")
    name: str = text(MAX_NAME, "The user's display name.", example="Ada Lovelace")


@frozen
class TokenBody:
    """Credentials exchanged for an access token."""

    email: str = text(MAX_EMAIL, "The account's email address.", example="ada@example.com")
    password: str = text(MAX_PASSWORD, "The account's password.")


@frozen
class OrganizationBody:
    """An organization's details; a PUT replaces all of them."""

    name: str = text(MAX_NAME, "Display name for the organization.", example="Volt Fleet Ltd")
    country: str = text(2, 'ISO 3166-1 alpha-2 country code (e.g., "GB", "DE", "US").', example="GB")
    contact_email: str = text(MAX_EMAIL, "Primary contact email address for the organization.",
                              example="ops@voltfleet.example")


@frozen
class RoleBody:
    """A member's new role."""

    role: Role = described('The new role. One of "admin", "member", or "viewer".', example="member")


@frozen
class InvitationBody:
    """Who to invite, and the role they get on acceptance."""

    email: str = text(MAX_EMAIL, "Email address of the person to invite.", example="grace@example.com")
    role: Role = described('Role to assign on acceptance: "admin", "member", or "viewer".', example="member")


@frozen
class AcceptInvitationBody:
    """The token from an invitation email."""

    token: str = text(MAX_TOKEN, "The invitation token from the invitation email.")


@frozen
class SettingsBody:
    """An organization's settings; a PUT replaces them (omitted optional fields take their defaults)."""

    currency: str = text(3, 'ISO 4217 currency code (e.g., "GBP", "EUR", "USD").', example="GBP")
    timezone: str = text(MAX_TIMEZONE, 'IANA timezone name (e.g., "Europe/London").', example="Europe/London")
    billing_email: str | None = text(MAX_EMAIL, "Email address for billing-related notifications.",
                                     example="billing@voltfleet.example", default=None)
    notifications: Notifications = described(
        "Object controlling which notifications the organization receives; omitted switches take "
        "their defaults.", default=Factory(Notifications))
    default_tariff_id: str | None = text(MAX_ID, "The tariff used where no charge point or location "
                                         "tariff applies.", default=None)


@frozen
class ApiKeyBody:
    """A new API key: a name to recognise it by, and the role it acts with."""

    name: str = text(MAX_NAME, "A name to recognise the key by.", example="billing backend")
    role: Role = described('The role the key acts with: "admin", "member", or "viewer".', example="member")


@frozen
class LocationBody:
    """A new location (a site) where charge points stand."""

    name: str = text(MAX_NAME, "Display name of the site.", example="Riverside Car Park")
    address: str = text(MAX_ADDRESS, "Street address.", example="1 Riverside Way")
    city: str = text(MAX_NAME, "City.", example="London")
    country: str = text(2, "ISO 3166-1 alpha-2 country code.", example="GB")
    timezone: str = text(MAX_TIMEZONE, "IANA time zone: time-of-day tariffs are read in it.",
                         example="Europe/London")
    latitude: Decimal | None = decimal("Degrees north (WGS 84), -90 to 90: a JSON number or a decimal string. "
                                       "Comes with `longitude`.", 32, numbers=True, example="51.5072", default=None)
    longitude: Decimal | None = decimal("Degrees east (WGS 84), -180 to 180: a JSON number or a decimal string. "
                                        "Comes with `latitude`.", 32, numbers=True, example="-0.1276", default=None)
    site_owner_id: str | None = text(MAX_ID, "The site owner hosting it (`so_…`).", default=None)
    project_id: str | None = text(MAX_ID, "The site owner's project it belongs to (`prj_…`).", default=None)


@frozen
class ConnectorBody:
    """A connector of an EVSE."""

    connector_id: int = integer("Its number on the EVSE, from 1.", 1, 10, example=1)


@frozen
class EvseBody:
    """An EVSE and its connectors (an OCPP 1.6 charge point has one EVSE per connector)."""

    evse_id: int = integer("The EVSE number, from 1.", 1, MAX_CONNECTOR, example=1)
    connectors: list[ConnectorBody] = items("Its connectors.", min_items=1, max_items=10)


@frozen
class ChargePointBody:
    """A charge point to register before it first connects."""

    id: str = text(MAX_IDENTITY, "The OCPP identity (the last segment of its websocket URL): 1 to 48 of "
                   "A-Z a-z 0-9 . _ : * + | @ -. Unique across Charge.", example="CP-LON-0001")
    location_id: str = text(MAX_ID, "The location it stands at (`loc_…`).")
    ocpp_password: str | None = text(MAX_OCPP_PASSWORD, "16 to 40 printable characters: it must then "
                                     "authenticate with HTTP Basic (OCPP security profile 1). Never shown again.",
                                     default=None)
    evses: list[EvseBody] = items("Its EVSEs and connectors, if known now; connectors it reports later are "
                                  "learned.", max_items=MAX_CONNECTOR, factory=list)
    validation_mode: ValidationMode = described(
        "`strict`: its OCPP payloads must match the official schemas; `lenient`: for chargers known to send "
        "non-conformant payloads.", default=ValidationMode.STRICT)


@frozen
class DriverBody:
    """A new driver and the id tags a charge point presents for them."""

    name: str = text(MAX_NAME, "The driver's name.", example="Grace Hopper")
    email: str | None = text(MAX_EMAIL, "The driver's email address.", example="grace@example.com", default=None)
    fleet_id: str | None = text(MAX_ID, "The fleet the driver belongs to (`flt_…`).", default=None)
    id_tags: list[str] = items("RFID UIDs or other tokens (1 to 36 printable characters without spaces), unique "
                               "within the organization.", max_items=MAX_ID_TAGS, max_length=MAX_ID_TAG,
                               example=["04A2B3C4D5E6F7"], factory=list)


@frozen
class ReservationBody:
    """A connector to hold for one id tag."""

    charge_point_id: str = text(MAX_IDENTITY, "The charge point to reserve a connector on.", example="CP-LON-0001")
    connector_id: int = integer("The connector number to reserve.", 1, MAX_CONNECTOR, example=1)
    expires_at: datetime = described("ISO 8601 datetime at which the reservation expires if unused (at most "
                                     "24 hours ahead).", example="2026-01-15T18:00:00Z")
    id_tag: str = text(MAX_ID_TAG, "The driver's ID tag (RFID UID or email). Only this tag can use the "
                       "reservation.", example="04A2B3C4D5E6F7")


# ---------------------------------------------------------------- charge point commands

_EVSE = "OCPP 2.0.1: the EVSE the connector belongs to (connector numbers restart on each EVSE)."


@frozen
class RemoteStartBody:
    """Start a session for an id tag, as if the tag had been presented at the charge point."""

    id_tag: str = text(MAX_ID_TAG, "The id tag to start the session for.", example="04A2B3C4D5E6F7")
    connector_id: int | None = integer("The connector to start on; null lets the charge point choose.", 1,
                                       MAX_CONNECTOR, example=1, default=None)
    evse_id: int | None = integer(_EVSE, 1, MAX_CONNECTOR, default=None)


@frozen
class RemoteStopBody:
    """Stop a running session."""

    session_id: str = text(MAX_ID, "The session to stop (`ses_…`); it must run on this charge point.")


class ResetType(str, enum.Enum):
    SOFT = "soft"
    HARD = "hard"


@frozen
class ResetBody:
    """Reboot the charge point."""

    type: ResetType = described("`soft`: stop sessions gracefully and restart the software; `hard`: reboot now.",
                                example="soft")


@frozen
class UnlockBody:
    """Release the cable on a connector."""

    connector_id: int = integer("The connector to unlock.", 1, MAX_CONNECTOR, example=1)
    evse_id: int | None = integer(_EVSE, 1, MAX_CONNECTOR, default=None)


@frozen
class AvailabilityBody:
    """Take a connector (or the whole charge point) in or out of service."""

    connector_id: int = integer("The connector; 0 for the whole charge point.", 0, MAX_CONNECTOR, example=1)
    available: bool = described("true: operative; false: inoperative.", example=False)
    evse_id: int | None = integer(_EVSE, 1, MAX_CONNECTOR, default=None)


class TriggerableMessage(str, enum.Enum):
    BOOT_NOTIFICATION = "BootNotification"
    HEARTBEAT = "Heartbeat"
    STATUS_NOTIFICATION = "StatusNotification"
    METER_VALUES = "MeterValues"
    FIRMWARE_STATUS_NOTIFICATION = "FirmwareStatusNotification"
    DIAGNOSTICS_STATUS_NOTIFICATION = "DiagnosticsStatusNotification"   # 1.6
    LOG_STATUS_NOTIFICATION = "LogStatusNotification"                   # 2.0.1
    TRANSACTION_EVENT = "TransactionEvent"                              # 2.0.1


@frozen
class TriggerBody:
    """Ask the charge point to send a message now."""

    message: TriggerableMessage = described("The message to send (some exist in one OCPP version only).",
                                            example="StatusNotification")
    connector_id: int | None = integer("The connector the message is about, if any.", 0, MAX_CONNECTOR,
                                       default=None)
    evse_id: int | None = integer(_EVSE, 1, MAX_CONNECTOR, default=None)


@frozen
class GetConfigurationBody:
    """Read configuration keys (OCPP 1.6)."""

    keys: list[str] = items("The keys to read; empty reads them all.", max_items=100,
                            max_length=MAX_CONFIGURATION_KEY, example=["HeartbeatInterval"], factory=list)


@frozen
class ChangeConfigurationBody:
    """Set one configuration key (OCPP 1.6)."""

    key: str = text(MAX_CONFIGURATION_KEY, "The configuration key.", example="HeartbeatInterval")
    value: str = text(MAX_CONFIGURATION_VALUE, "Its new value, as text.", example="300")


@frozen
class VariableBody:
    """A variable of a component (OCPP 2.0.1 device model)."""

    component: str = text(MAX_IDENTIFIER, "The component's name.", example="OCPPCommCtrlr")
    variable: str = text(MAX_IDENTIFIER, "The variable's name.", example="HeartbeatInterval")


@frozen
class GetVariablesBody:
    """Read device-model variables (OCPP 2.0.1)."""

    variables: list[VariableBody] = items("The variables to read.", min_items=1, max_items=MAX_VARIABLES)


@frozen
class VariableValueBody:
    """A variable of a component and its new value (OCPP 2.0.1 device model)."""

    component: str = text(MAX_IDENTIFIER, "The component's name.", example="OCPPCommCtrlr")
    variable: str = text(MAX_IDENTIFIER, "The variable's name.", example="HeartbeatInterval")
    value: str = text(MAX_VARIABLE_VALUE, "Its new value, as text.", example="300")


@frozen
class SetVariablesBody:
    """Set device-model variables (OCPP 2.0.1)."""

    variables: list[VariableValueBody] = items("The variables to set.", min_items=1, max_items=MAX_VARIABLES)


class ChargingRateUnit(str, enum.Enum):
    AMPERES = "A"
    WATTS = "W"


@frozen
class SetChargingProfileBody:
    """Limit the charging rate (a default profile for new sessions)."""

    connector_id: int = integer("The connector; 0 for the whole charge point.", 0, MAX_CONNECTOR, example=1)
    limit: Decimal = decimal("The limit in `unit`, a decimal string.", 16, signed=False, example="16")
    unit: ChargingRateUnit = described("`A` (amperes per phase) or `W` (watts).", example="A")
    evse_id: int | None = integer(_EVSE, 1, MAX_CONNECTOR, default=None)


@frozen
class ClearCacheBody:
    """Clear the charge point's authorization cache. The body is an empty object."""


# ---------------------------------------------------------------- pricing

MAX_METER_VALUES = 10_000
EXAMPLE_TARIFF = {
    "name": "Standard AC", "currency": "EUR",
    "elements": [
        {"price_components": [{"type": "ENERGY", "price": "0.30", "vat": "20", "step_size": 1}]},
        {"price_components": [{"type": "PARKING_TIME", "price": "2.00", "vat": "20", "step_size": 300}],
         "restrictions": {"start_time": "08:00", "end_time": "20:00"}},
    ],
    "min_price": {"excl_vat": "0.50"},
}


class TariffBody(FreeForm):
    """An OCPI 2.2.1 tariff: `{name?, currency, elements: [{price_components: [{type: ENERGY|TIME|PARKING_TIME|FLAT,
    price, vat?, step_size}], restrictions?: {start_time, end_time, start_date, end_date, min_kwh, max_kwh,
    min_current, max_current, min_power, max_power, min_duration, max_duration, day_of_week}}], min_price?:
    {excl_vat, incl_vat?}, max_price?: {excl_vat, incl_vat?}}`. Prices are decimal strings excluding VAT (a JSON
    number is refused); `vat` is a percentage, absent for no VAT. Unknown fields are refused, and every field at
    fault is named with its path (`elements[0].price_components[1].price`)."""

    example = EXAMPLE_TARIFF


@frozen
class TariffAssignmentBody:
    """The tariff that prices sessions here; null clears it (the next level's applies)."""

    tariff_id: str | None = text(MAX_ID, "The tariff (`trf_…`), or null.", example="trf_01JD0000000000000000000000")


@frozen
class MeterValueBody:
    """A reading of the energy register."""

    timestamp: datetime = described("When it was read.", example="2026-01-15T09:30:00Z")
    value_wh: Decimal = decimal("The register, in Wh (a decimal string).", 32, signed=False, example="12345")


@frozen
class QuoteBody:
    """A session to price: total energy spread over the time at constant power, or measured meter values."""

    start: datetime = described("When charging starts.", example="2026-01-15T09:00:00Z")
    end: datetime = described("When the car leaves.", example="2026-01-15T11:00:00Z")
    energy_kwh: Decimal | None = decimal("Energy delivered, in kWh (needed without `meter_values`).", 32,
                                         signed=False, example="22.5", default=None)
    max_power_kw: Decimal | None = decimal("The most the car can draw, in kW: energy flows at this power until "
                                           "done, then the car parks. Without it, energy spreads over the whole "
                                           "time.", 32, signed=False, example="11", default=None)
    location_timezone: str | None = text(MAX_TIMEZONE, "IANA time zone the tariff's times of day are read in "
                                         "(default: the organization's).", example="Europe/Berlin", default=None)
    meter_values: list[MeterValueBody] = items("Energy register readings over the session; they replace "
                                               "`energy_kwh`.", max_items=MAX_METER_VALUES, factory=list)


@frozen
class MoneyBody:
    """An amount of money."""

    amount: Decimal = decimal("A decimal string in the currency's unit.", 32, signed=False, example="9.99")
    currency: str = text(3, "ISO 4217 currency code.", example="EUR")


@frozen
class MembershipPlanBody:
    """A membership plan; a PUT replaces it. A plan has either its own tariff or a discount, not both."""

    name: str = text(MAX_NAME, "Display name of the plan.", example="Commuter")
    monthly_fee: MoneyBody = described("What a member pays a month.")
    tariff_id: str | None = text(MAX_ID, "The tariff members charge at (`trf_…`).", default=None)
    discount_percent: Decimal | None = decimal("A discount on the usual tariff, above 0 and at most 100.", 16,
                                               signed=False, example="15", default=None)


@frozen
class SubscriptionBody:
    """A driver joins a plan."""

    plan_id: str = text(MAX_ID, "The plan (`pln_…`).", example="pln_01JD0000000000000000000000")
    driver_id: str = text(MAX_ID, "The driver (`drv_…`).", example="drv_01JD0000000000000000000000")
    starts_at: datetime | None = described("When the membership starts (default: now).", default=None)
    ends_at: datetime | None = described("When it ends (default: open-ended).", default=None)
