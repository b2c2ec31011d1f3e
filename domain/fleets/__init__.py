"""Fleets: their vehicles, their drivers' charging policies, and the log of authorization decisions."""

from domain.fleets.authorizations import (
    AuthorizationRecord,
    AuthorizationResult,
    AuthorizationStatus,
    Refusal,
    Trigger,
)
from domain.fleets.fleets import Fleet
from domain.fleets.policies import ChargingContext, ChargingPolicy, EnergyCap, TimeWindow, Verdict, parse_policy
from domain.fleets.vehicles import Vehicle, VehicleAssignment

__all__ = [
    "AuthorizationRecord",
    "AuthorizationResult",
    "AuthorizationStatus",
    "ChargingContext",
    "ChargingPolicy",
    "EnergyCap",
    "Fleet",
    "Refusal",
    "TimeWindow",
    "Trigger",
    "Vehicle",
    "VehicleAssignment",
    "Verdict",
    "parse_policy",
]
