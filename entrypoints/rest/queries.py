"""Query parameters the list endpoints accept, declared once (see ``schema``): checked here, documented in OpenAPI.

Every parameter is optional; unknown or repeated parameters are refused (a typo must not widen a
filter silently). Ids in filters are only checked for length: an id that matches nothing lists nothing.
"""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from domain.charging import SessionStatus
from domain.network import ReservationStatus
from entrypoints.rest.bodies import MAX_ID, MAX_IDENTITY
from entrypoints.rest.schema import parameter


@frozen
class ChargePointQuery:
    location_id: str | None = parameter("Only the charge points of this location (`loc_…`).", max_length=MAX_ID)


@frozen
class SessionQuery:
    charge_point_id: str | None = parameter("Only sessions on this charge point.", max_length=MAX_IDENTITY)
    driver_id: str | None = parameter("Only sessions of this driver (`drv_…`).", max_length=MAX_ID)
    fleet_id: str | None = parameter("Only sessions of this fleet's drivers (`flt_…`).", max_length=MAX_ID)
    status: SessionStatus | None = parameter(
        "`started` (no energy yet), `active` (energy flowing) or `completed`.")
    started_from: datetime | None = parameter(
        "Only sessions started at or after this instant (ISO 8601 with offset; encode `+` as `%2B`).",
        name="from", example="2026-01-01T00:00:00Z")
    started_to: datetime | None = parameter(
        "Only sessions started before this instant (ISO 8601 with offset).", name="to",
        example="2026-02-01T00:00:00Z")


@frozen
class ReservationQuery:
    charge_point_id: str | None = parameter("Filter reservations by charge point.", max_length=MAX_IDENTITY)
    status: ReservationStatus | None = parameter(
        "Filter by status: active, used, expired, or cancelled (as of now: an unused reservation past its "
        "expiry is expired).")


@frozen
class SubscriptionQuery:
    driver_id: str | None = parameter("Only this driver's subscriptions (`drv_…`).", max_length=MAX_ID)
    plan_id: str | None = parameter("Only subscriptions to this plan (`pln_…`).", max_length=MAX_ID)
