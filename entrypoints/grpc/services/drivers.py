"""DriverService: drivers, their id tags, own policies and vehicles (now and before), read as over REST."""

from __future__ import annotations

import grpc

from entrypoints.grpc import messages as m
from entrypoints.grpc.calls import caller
from entrypoints.grpc.generated.charge.v1 import drivers_pb2, drivers_pb2_grpc
from entrypoints.grpc.services.base import Door


class DriverService(drivers_pb2_grpc.DriverServiceServicer):
    def __init__(self, door: Door) -> None:
        self.door = door

    async def ListDrivers(self, request: drivers_pb2.ListDriversRequest,
                          context: grpc.aio.ServicerContext) -> drivers_pb2.ListDriversResponse:
        c = caller()
        found = await self.door.use_cases.list_drivers(c.actor, c.organization_id,
                                                       m.page(request.page_size, request.page_token),
                                                       m.optional(request.fleet_id, "fleet_id"))
        return drivers_pb2.ListDriversResponse(drivers=[m.driver(d) for d in found.items],
                                               next_page_token=m.next_token(found))

    async def GetDriver(self, request: drivers_pb2.GetDriverRequest,
                        context: grpc.aio.ServicerContext) -> drivers_pb2.GetDriverResponse:
        c = caller()
        driver_id = m.object_id(request.driver_id, "driver_id", "drv", "driver")
        return drivers_pb2.GetDriverResponse(driver=m.driver(await self.door.use_cases.get_driver(
            driver_id, c.actor, c.organization_id)))

    async def ListDriverVehicles(self, request: drivers_pb2.ListDriverVehiclesRequest,
                                 context: grpc.aio.ServicerContext) -> drivers_pb2.ListDriverVehiclesResponse:
        c = caller()
        driver_id = m.object_id(request.driver_id, "driver_id", "drv", "driver")
        found = await self.door.use_cases.list_vehicle_assignments(driver_id, c.actor, c.organization_id,
                                                                   m.page(request.page_size, request.page_token))
        return drivers_pb2.ListDriverVehiclesResponse(assignments=[m.assignment(a) for a in found.items],
                                                      next_page_token=m.next_token(found))
