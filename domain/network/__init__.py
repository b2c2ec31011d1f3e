"""The charging network: locations, charge points with their connectors, drivers and their id tags, reservations."""

from domain.network.charge_points import ChargePoint, Connector, RegistrationStatus, ValidationMode
from domain.network.drivers import Driver
from domain.network.locations import Location
from domain.network.reservations import Reservation, ReservationStatus

__all__ = [
    "ChargePoint",
    "Connector",
    "Driver",
    "Location",
    "RegistrationStatus",
    "Reservation",
    "ReservationStatus",
    "ValidationMode",
]
