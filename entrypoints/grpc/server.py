"""The gRPC server (grpc.aio): the charge.v1 partner API, the standard health checking service, and reflection.

Health checking and reflection answer without credentials; every charge.v1 call goes through the
interceptor in ``calls`` (authentication, the organization, errors as statuses).
"""

from __future__ import annotations

import socket
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from entrypoints.grpc.calls import Calls
from entrypoints.grpc.services import Door, add_services


async def start_grpc_server(host: str, port: int, container: Any = None) -> tuple[grpc.aio.Server, int]:
    """Serve on ``host:port`` (0: a free port); returns the server and the port bound. Without a
    ``container`` only health checking and reflection are served."""
    if port:
        _probe(host, port)
    interceptors = [Calls(container.use_cases.authenticate)] if container is not None else []
    # Without SO_REUSEPORT: a second server on the same port must fail, not share the port's connections.
    server = grpc.aio.server(options=[("grpc.so_reuseport", 0)], interceptors=interceptors)
    names = add_services(server, Door(container)) if container is not None else []
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    await health_servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    for name in names:
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    names += [health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME]
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
