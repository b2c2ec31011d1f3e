"""Server reflection lists every service (a partner's tooling finds the API without the protos), and the
standard health service reports each charge.v1 service serving; neither needs credentials."""

from __future__ import annotations

from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

SERVICES = ["charge.v1.ChargePointService", "charge.v1.DriverService", "charge.v1.FleetService",
            "charge.v1.InvoiceService", "charge.v1.ReservationService", "charge.v1.SessionService"]


async def test_reflection_lists_the_services_and_describes_them(channel):
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)

    async def ask(**request):
        call = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(**request)]))
        [answer] = [answer async for answer in call]
        return answer

    listed = await ask(list_services="")
    names = sorted(s.name for s in listed.list_services_response.service)
    assert names == sorted([*SERVICES, "grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection"])
    for service in ("charge.v1.SessionService", "charge.v1.FleetService"):
        described = await ask(file_containing_symbol=service)
        assert described.file_descriptor_response.file_descriptor_proto   # the protos themselves, for tooling


async def test_health_reports_every_service_serving(channel):
    stub = health_pb2_grpc.HealthStub(channel)
    for service in ["", *SERVICES]:
        answer = await stub.Check(health_pb2.HealthCheckRequest(service=service))
        assert answer.status == health_pb2.HealthCheckResponse.SERVING, service
