"""FleetService: fleets, their charging policies and their vehicles, read as over REST."""

from __future__ import annotations

import grpc

from entrypoints.grpc import messages as m
from entrypoints.grpc.calls import caller
from entrypoints.grpc.generated.charge.v1 import fleets_pb2, fleets_pb2_grpc
from entrypoints.grpc.services.base import Door


class FleetService(fleets_pb2_grpc.FleetServiceServicer):
    def __init__(self, door: Door) -> None:
        self.door = door

    async def ListFleets(self, request: fleets_pb2.ListFleetsRequest,
                         context: grpc.aio.ServicerContext) -> fleets_pb2.ListFleetsResponse:
        c = caller()
        found = await self.door.use_cases.list_fleets(c.actor, c.organization_id,
                                                      m.page(request.page_size, request.page_token))
        return fleets_pb2.ListFleetsResponse(fleets=[m.fleet(f) for f in found.items],
                                             next_page_token=m.next_token(found))

    async def GetFleet(self, request: fleets_pb2.GetFleetRequest,
                       context: grpc.aio.ServicerContext) -> fleets_pb2.GetFleetResponse:
        c = caller()
        fleet_id = m.object_id(request.fleet_id, "fleet_id", "flt", "fleet")
        return fleets_pb2.GetFleetResponse(fleet=m.fleet(await self.door.use_cases.get_fleet(
            fleet_id, c.actor, c.organization_id)))

    async def ListVehicles(self, request: fleets_pb2.ListVehiclesRequest,
                           context: grpc.aio.ServicerContext) -> fleets_pb2.ListVehiclesResponse:
        c = caller()
        found = await self.door.use_cases.list_vehicles(c.actor, c.organization_id,
                                                        m.page(request.page_size, request.page_token),
                                                        m.optional(request.fleet_id, "fleet_id"))
        return fleets_pb2.ListVehiclesResponse(vehicles=[m.vehicle(v) for v in found.items],
                                               next_page_token=m.next_token(found))

    async def GetVehicle(self, request: fleets_pb2.GetVehicleRequest,
                         context: grpc.aio.ServicerContext) -> fleets_pb2.GetVehicleResponse:
        c = caller()
        vehicle_id = m.object_id(request.vehicle_id, "vehicle_id", "veh", "vehicle")
        return fleets_pb2.GetVehicleResponse(vehicle=m.vehicle(await self.door.use_cases.get_vehicle(
            vehicle_id, c.actor, c.organization_id)))
