"""gRPC load: C calls outstanding at once (each issues its next as soon as the last is answered) for a fixed
time, over a few HTTP/2 channels, from a process of its own pinned to the load core.

``python -m tests.benchmarks.grpc_load TARGET METHOD C SECONDS`` (METHOD: GetSession or ListSessions; the
request's fields come as JSON in ``BENCH_REQUEST``, the metadata in ``BENCH_METADATA``) prints the result
as JSON: calls, calls/s, p50 and p99 latency, failed calls.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Mapping
from typing import Any

import grpc
from google.protobuf import json_format

from entrypoints.grpc.generated.charge.v1 import sessions_pb2, sessions_pb2_grpc
from tests.benchmarks.http_load import Load, _taskset
from tests.benchmarks.processes import ROOT

CHANNELS = 4
REQUESTS = {"GetSession": sessions_pb2.GetSessionRequest, "ListSessions": sessions_pb2.ListSessionsRequest}


def run_grpc_load(target: str, method: str, calls: int, seconds: float, request: Mapping[str, Any],
                  metadata: Mapping[str, str], *, core: int | None = None) -> Load:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BENCH_REQUEST": json.dumps(dict(request)),
           "BENCH_METADATA": json.dumps(dict(metadata))}
    done = subprocess.run([*_taskset(core), sys.executable, "-m", "tests.benchmarks.grpc_load", target, method,
                           str(calls), str(seconds)], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=seconds + 120, check=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return Load(figures["calls"], figures["per_second"], figures["p50_ms"], figures["p99_ms"], figures["errors"],
                "grpc.aio client")


async def _load(target: str, method: str, calls: int, seconds: float) -> dict[str, Any]:
    request = json_format.ParseDict(json.loads(os.environ.get("BENCH_REQUEST", "{}")), REQUESTS[method]())
    metadata = tuple(json.loads(os.environ.get("BENCH_METADATA", "{}")).items())
    channels = [grpc.aio.insecure_channel(target, options=[("grpc.use_local_subchannel_pool", 1)])
                for _ in range(min(CHANNELS, calls))]
    stubs = [getattr(sessions_pb2_grpc.SessionServiceStub(c), method) for c in channels]
    for stub in stubs:   # connected and warm before the clock starts
        await stub(request, metadata=metadata)
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def caller(n: int) -> None:
        nonlocal errors
        stub = stubs[n % len(stubs)]
        while (start := time.perf_counter()) < deadline:
            try:
                await stub(request, metadata=metadata)
            except grpc.aio.AioRpcError:
                errors += 1
            latencies.append(time.perf_counter() - start)

    began = time.perf_counter()
    await asyncio.gather(*(caller(n) for n in range(calls)))
    elapsed = time.perf_counter() - began
    for channel in channels:
        await channel.close()
    latencies.sort()

    def quantile(q: float) -> float:
        return 1000 * latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else 0.0

    return {"calls": len(latencies), "per_second": len(latencies) / elapsed, "p50_ms": quantile(0.5),
            "p99_ms": quantile(0.99), "errors": errors}


if __name__ == "__main__":
    target, method, calls, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    print(json.dumps(asyncio.run(_load(target, method, calls, seconds))), flush=True)
