"""The gRPC server: health checking and server reflection now; charge.v1 services register here."""

from __future__ import annotations

import socket

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection


async def start_grpc_server(host: str, port: int) -> tuple[grpc.aio.Server, int]:
    if port:
        _probe(host, port)
    # Without SO_REUSEPORT: a second server on the same port must fail, not share the port's connections.
    server = grpc.aio.server(options=[("grpc.so_reuseport", 0)])
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    await health_servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    names = [health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME]
    reflection.enable_server_reflection(names, server)
    bound = server.add_insecure_port(f"{host}:{port}")
    if bound == 0:
        raise OSError(f"cannot bind gRPC to {host}:{port}")
    await server.start()
    return server, bound


def _probe(host: str, port: int) -> None:
    """Raise the OSError (EADDRINUSE…) binding ``host:port`` gives: gRPC reports only "Failed to bind", and
    logs a line of its own on stderr."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
