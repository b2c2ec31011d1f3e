"""What happens around fleets' charging, as domain events (see ``domain.events``)."""

from __future__ import annotations

from attrs import frozen

from domain.events import DomainEvent, event_type


@event_type
@frozen(kw_only=True)
class AuthorizationRefused(DomainEvent):
    """A charge point asked whether an id tag may charge and was told no; ``reason`` says why."""

    name = "authorization.refused"
    authorization_id: str
    charge_point_id: str
    id_tag: str
    trigger: str
    status: str
    reason: str
    detail: str | None
    driver_id: str | None
    fleet_id: str | None
    vehicle_id: str | None
    location_id: str | None
    connector_id: int | None
