"""The gRPC floor: SessionService's GetSession and ListSessions on a bare grpc.aio server, answering fixed messages.

``python -m tests.benchmarks.bare_grpc`` serves it on an ephemeral port and prints the address. The
server is built as Charge's is (grpc.aio, the same options, the checked-in generated code); the
answers are those Charge gives for the benchmark's sessions (a session with its meter summary, and a
page of 50), prebuilt: no authentication, no database, no conversion.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import grpc

from entrypoints.grpc.generated.charge.v1 import sessions_pb2, sessions_pb2_grpc
from entrypoints.grpc.messages import timestamp

T0 = datetime(2026, 5, 9, 12, tzinfo=UTC)


def a_session(n: int) -> sessions_pb2.Session:
    return sessions_pb2.Session(
        id=f"ses_01J{n:023d}", charge_point_id="CP-0001", connector_id=1, id_tag="BENCH-TAG",
        status=sessions_pb2.SESSION_STATUS_COMPLETED, started_at=timestamp(T0), stopped_at=timestamp(T0),
        energy_kwh="10.000", meter_start_wh="1000", meter_stop_wh="11000", stop_reason="Local")


ONE = sessions_pb2.GetSessionResponse(session=a_session(0), meter=sessions_pb2.MeterSummary(
    samples=10, first_reading_at=timestamp(T0), last_reading_at=timestamp(T0), max_power_kw="11.040"))
PAGE = sessions_pb2.ListSessionsResponse(sessions=[a_session(n) for n in range(50)], next_page_token="bmV4dA")


class Bare(sessions_pb2_grpc.SessionServiceServicer):
    async def GetSession(self, request: sessions_pb2.GetSessionRequest,
                         context: grpc.aio.ServicerContext) -> sessions_pb2.GetSessionResponse:
        return ONE

    async def ListSessions(self, request: sessions_pb2.ListSessionsRequest,
                           context: grpc.aio.ServicerContext) -> sessions_pb2.ListSessionsResponse:
        return PAGE


async def main() -> None:
    server = grpc.aio.server(options=[("grpc.so_reuseport", 0)])
    sessions_pb2_grpc.add_SessionServiceServicer_to_server(Bare(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    print(f"bare grpc 127.0.0.1:{port}", flush=True)
    await server.wait_for_termination()


if __name__ == "__main__":
    asyncio.run(main())
