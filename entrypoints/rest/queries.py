"""Query parameters the list endpoints accept, typed once as msgspec Structs: checked here, documented in OpenAPI.

Every parameter is optional; unknown or repeated parameters are refused (a typo must not widen a
filter silently). Ids in filters are only checked for length: an id that matches nothing lists nothing.
"""

import enum
from typing import Annotated

import msgspec

from domain.charging import SessionStatus
from domain.network import ReservationStatus
from entrypoints.rest.shapes import MAX_ID, MAX_IDENTITY, Timestamp, doc, text


class Query(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of query parameter declarations."""


class ChargePointQuery(Query):
    location_id: Annotated[Annotated[str, text(MAX_ID, min_length=1)] | None,
                           doc("Only the charge points of this location (`loc_…`).")] = None


class SessionQuery(Query):
    charge_point_id: Annotated[Annotated[str, text(MAX_IDENTITY, min_length=1)] | None,
                               doc("Only sessions on this charge point.")] = None
    driver_id: Annotated[Annotated[str, text(MAX_ID, min_length=1)] | None,
                         doc("Only sessions of this driver (`drv_…`).")] = None
    fleet_id: Annotated[Annotated[str, text(MAX_ID, min_length=1)] | None,
                        doc("Only sessions of this fleet's drivers (`flt_…`).")] = None
    status: Annotated[SessionStatus | None, doc(
        "`started` (no energy yet), `active` (energy flowing) or `completed`.")] = None
    started_from: Annotated[Timestamp | None, doc(
        "Only sessions started at or after this instant (ISO 8601 with offset; encode `+` as `%2B`).",
        "2026-01-01T00:00:00Z")] = msgspec.field(default=None, name="from")
    started_to: Annotated[Timestamp | None, doc(
        "Only sessions started before this instant (ISO 8601 with offset).", "2026-02-01T00:00:00Z")] = \
        msgspec.field(default=None, name="to")


class OrphanStatus(str, enum.Enum):
    ORPHAN = "orphan"
    ADOPTED = "adopted"


class OrphanQuery(Query):
    charge_point_id: Annotated[Annotated[str, text(MAX_IDENTITY, min_length=1)] | None,
                               doc("Only the orphans of this charge point.")] = None
    status: Annotated[OrphanStatus | None, doc("`orphan`: no start seen yet; `adopted`: a session took its "
                                               "messages once its start arrived.")] = None


class ReservationQuery(Query):
    charge_point_id: Annotated[Annotated[str, text(MAX_IDENTITY, min_length=1)] | None,
                               doc("Filter reservations by charge point.")] = None
    status: Annotated[ReservationStatus | None, doc(
        "Filter by status: active, used, expired, or cancelled (as of now: an unused reservation past its "
        "expiry is expired).")] = None


class SubscriptionQuery(Query):
    driver_id: Annotated[Annotated[str, text(MAX_ID, min_length=1)] | None,
                         doc("Only this driver's subscriptions (`drv_…`).")] = None
    plan_id: Annotated[Annotated[str, text(MAX_ID, min_length=1)] | None,
                       doc("Only subscriptions to this plan (`pln_…`).")] = None
