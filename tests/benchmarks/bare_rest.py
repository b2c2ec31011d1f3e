"""The REST floor: a bare Starlette JSON route on Charge's own server stack and settings, nothing else.

``python -m tests.benchmarks.bare_rest`` serves it on an ephemeral port and prints the address.
The answer is about the size of a charge point's (a few hundred bytes of JSON).
"""

from __future__ import annotations

import asyncio
import sys

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from entrypoints import http_stack
from entrypoints.server import _bind

BODY = (b'{"id":"CP-0001","location_id":"loc_01J0000000000000000000000","status":"available",'
        b'"connected":false,"ocpp_version":null,"vendor":null,"model":null,"serial_number":null,'
        b'"firmware_version":null,"last_heartbeat_at":null,"ocpp_url":"ws://localhost:9000/ocpp/CP-0001",'
        b'"created_at":"2026-05-09T12:00:00Z"}')


async def answer(request: Request) -> Response:
    return Response(BODY, media_type="application/json")


async def main() -> None:
    app = Starlette(routes=[Route("/{path:path}", answer, methods=["GET", "POST"])])
    sock = _bind("127.0.0.1", 0)
    server = uvicorn.Server(http_stack.uvicorn_config(app))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    print(f"bare http://127.0.0.1:{sock.getsockname()[1]} on {http_stack.describe()}", flush=True)
    await task


if __name__ == "__main__":
    sys.exit(http_stack.run(main()))
