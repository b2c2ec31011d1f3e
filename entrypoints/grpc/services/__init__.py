"""The charge.v1 servicers: each reads its request, calls the use case REST calls, and builds the answer."""

from __future__ import annotations

import grpc

from entrypoints.grpc.generated.charge.v1 import (
    charge_points_pb2,
    charge_points_pb2_grpc,
    drivers_pb2,
    drivers_pb2_grpc,
    fleets_pb2,
    fleets_pb2_grpc,
    invoices_pb2,
    invoices_pb2_grpc,
    reservations_pb2,
    reservations_pb2_grpc,
    sessions_pb2,
    sessions_pb2_grpc,
)
from entrypoints.grpc.services.base import Door
from entrypoints.grpc.services.charge_points import ChargePointService
from entrypoints.grpc.services.drivers import DriverService
from entrypoints.grpc.services.fleets import FleetService
from entrypoints.grpc.services.invoices import InvoiceService
from entrypoints.grpc.services.reservations import ReservationService
from entrypoints.grpc.services.sessions import SessionService

# Full names, for reflection.
SERVICE_NAMES = [
    sessions_pb2.DESCRIPTOR.services_by_name["SessionService"].full_name,
    reservations_pb2.DESCRIPTOR.services_by_name["ReservationService"].full_name,
    invoices_pb2.DESCRIPTOR.services_by_name["InvoiceService"].full_name,
    charge_points_pb2.DESCRIPTOR.services_by_name["ChargePointService"].full_name,
    drivers_pb2.DESCRIPTOR.services_by_name["DriverService"].full_name,
    fleets_pb2.DESCRIPTOR.services_by_name["FleetService"].full_name,
]


def add_services(server: grpc.aio.Server, door: Door) -> list[str]:
    """Register every charge.v1 service on ``server``; returns their full names."""
    sessions_pb2_grpc.add_SessionServiceServicer_to_server(SessionService(door), server)
    reservations_pb2_grpc.add_ReservationServiceServicer_to_server(ReservationService(door), server)
    invoices_pb2_grpc.add_InvoiceServiceServicer_to_server(InvoiceService(door), server)
    charge_points_pb2_grpc.add_ChargePointServiceServicer_to_server(ChargePointService(door), server)
    drivers_pb2_grpc.add_DriverServiceServicer_to_server(DriverService(door), server)
    fleets_pb2_grpc.add_FleetServiceServicer_to_server(FleetService(door), server)
    return list(SERVICE_NAMES)


__all__ = ["SERVICE_NAMES", "Door", "add_services"]
