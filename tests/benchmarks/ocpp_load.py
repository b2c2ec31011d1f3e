"""OCPP 1.6J load: N charge points on plain websockets with pre-shaped frames, in a process of its own.

``python -m tests.benchmarks.ocpp_load URL N MODE SECONDS [RATE]`` where MODE is
- ``closed``: boot, authorize, start, then MeterValues in a closed loop (one outstanding call each)
  for SECONDS, then stop;
- ``open``: the same, but MeterValues sent at RATE calls/s in total, each charge point on its own
  schedule; latency counts from the scheduled send time, so falling behind shows;
- ``storm``: every charge point connects and boots at once (a reconnect storm), nothing more.
Prints ``LOOP START`` and ``LOOP END`` around the MeterValues phase, then one JSON line of results:
how many connected and booted, the boot time, calls and latencies of the loop, client errors (a
CallError, a timeout, a dropped connection), and the MeterValues each charge point had acknowledged.
Identities are ``CP-00000``…; the id tag is ``BENCH-TAG``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from websockets.asyncio.client import ClientConnection, connect

ID_TAG = "BENCH-TAG"
CALL_TIMEOUT = 60.0
T0 = datetime.now(UTC) - timedelta(days=1)


def identity(n: int) -> str:
    return f"CP-{n:05d}"


def _at(seconds: float) -> str:
    return (T0 + timedelta(seconds=seconds)).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class CallFailed(Exception):
    pass


class Point:
    def __init__(self, n: int) -> None:
        self.id = identity(n)
        self.ws: ClientConnection | None = None
        self.ids = itertools.count(1)
        self.transaction: int | None = None
        self.acked = 0
        self.wh = 1000

    async def call(self, action: str, payload: dict[str, object]) -> dict[str, object]:
        assert self.ws is not None
        unique = str(next(self.ids))
        await self.ws.send(json.dumps([2, unique, action, payload], separators=(",", ":")))
        while True:
            frame = json.loads(await self.ws.recv())
            if frame[0] == 3 and frame[1] == unique:
                return frame[2]  # type: ignore[no-any-return]
            if frame[0] == 4 and frame[1] == unique:
                raise CallFailed(f"{action}: {frame[2]} {frame[3]}")
            if frame[0] == 2:   # a command from the server: a healthy charger accepts
                await self.ws.send(json.dumps([3, frame[1], {"status": "Accepted"}]))

    def meter_values(self, step: int) -> dict[str, object]:
        self.wh += 30
        return {"connectorId": 1, "transactionId": self.transaction, "meterValue": [{
            "timestamp": _at(60 + 10 * step),
            "sampledValue": [
                {"value": str(self.wh), "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
                {"value": "10800", "measurand": "Power.Active.Import", "unit": "W"},
                {"value": str(20 + step % 70), "measurand": "SoC", "unit": "Percent"}]}]}


async def run(url: str, count: int, mode: str, seconds: float, rate: float) -> dict[str, object]:
    points = [Point(n) for n in range(count)]
    errors: Counter[str] = Counter()
    booted: list[Point] = []

    async def boot(point: Point) -> None:
        try:
            point.ws = await connect(f"{url}/{point.id}", subprotocols=["ocpp1.6"], compression=None,  # type: ignore[list-item]
                                     open_timeout=CALL_TIMEOUT, ping_interval=None, max_queue=4)
            answer = await asyncio.wait_for(point.call("BootNotification", {
                "chargePointVendor": "Bench", "chargePointModel": "Load"}), CALL_TIMEOUT)
            if answer.get("status") != "Accepted":
                raise CallFailed(f"boot {answer.get('status')}")
            booted.append(point)
        except Exception as exc:
            errors[f"boot: {type(exc).__name__}"] += 1

    started = time.perf_counter()
    await asyncio.gather(*(boot(p) for p in points))
    boot_seconds = time.perf_counter() - started
    result: dict[str, object] = {"charge_points": count, "booted": len(booted), "boot_s": round(boot_seconds, 3)}
    if mode != "storm":
        await _charge(booted, mode, seconds, rate, errors, result)
    await asyncio.gather(*(p.ws.close() for p in points if p.ws is not None), return_exceptions=True)
    result["errors"] = sum(errors.values())
    result["error_kinds"] = dict(errors)
    return result


async def _charge(points: list[Point], mode: str, seconds: float, rate: float, errors: Counter[str],
                  result: dict[str, object]) -> None:
    started_points: list[Point] = []

    async def start(point: Point) -> None:
        try:
            await asyncio.wait_for(point.call("Authorize", {"idTag": ID_TAG}), CALL_TIMEOUT)
            answer = await asyncio.wait_for(point.call("StartTransaction", {
                "connectorId": 1, "idTag": ID_TAG, "meterStart": point.wh, "timestamp": _at(0)}), CALL_TIMEOUT)
            point.transaction = int(answer["transactionId"])  # type: ignore[call-overload]
            started_points.append(point)
        except Exception as exc:
            errors[f"start: {type(exc).__name__}"] += 1

    await asyncio.gather(*(start(p) for p in points))
    latencies: list[float] = []
    offered = 0
    print("LOOP START", flush=True)
    loop_started = time.perf_counter()
    deadline = loop_started + seconds

    async def closed(point: Point) -> None:
        step = 0
        while time.perf_counter() < deadline:
            step += 1
            sent = time.perf_counter()
            try:
                await asyncio.wait_for(point.call("MeterValues", point.meter_values(step)), CALL_TIMEOUT)
            except Exception as exc:
                errors[f"meter values: {type(exc).__name__}"] += 1
                return
            latencies.append(time.perf_counter() - sent)
            point.acked += 1

    async def opened(point: Point, interval: float) -> None:
        nonlocal offered
        scheduled = loop_started + random.uniform(0, interval)
        step = 0
        while scheduled < deadline:
            offered += 1
            step += 1
            await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
            try:
                await asyncio.wait_for(point.call("MeterValues", point.meter_values(step)), CALL_TIMEOUT)
            except Exception as exc:
                errors[f"meter values: {type(exc).__name__}"] += 1
                return
            latencies.append(time.perf_counter() - scheduled)
            point.acked += 1
            scheduled += interval

    if mode == "closed":
        await asyncio.gather(*(closed(p) for p in started_points))
    else:
        interval = len(started_points) / rate
        await asyncio.gather(*(opened(p, interval) for p in started_points))
    elapsed = time.perf_counter() - loop_started
    print("LOOP END", flush=True)

    async def stop(point: Point) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(point.call("StopTransaction", {
                "transactionId": point.transaction, "meterStop": point.wh, "timestamp": _at(10_000)}), CALL_TIMEOUT)

    await asyncio.gather(*(stop(p) for p in started_points))
    latencies.sort()
    n = len(latencies)
    result.update({"started": len(started_points), "calls": n, "loop_s": round(elapsed, 3),
                   "offered": offered if mode == "open" else n,
                   "p50_ms": round(1000 * latencies[n // 2], 2) if n else None,
                   "p99_ms": round(1000 * latencies[min(n - 1, int(n * 0.99))], 2) if n else None,
                   "acked": {p.id: [p.transaction, p.acked] for p in started_points}})


def main(argv: list[str]) -> None:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 16_384)), hard))
    url, count, mode, seconds = argv[0], int(argv[1]), argv[2], float(argv[3])
    rate = float(argv[4]) if len(argv) > 4 else 0.0
    try:
        import uvloop

        outcome = uvloop.run(run(url, count, mode, seconds, rate))
    except ImportError:
        outcome = asyncio.run(run(url, count, mode, seconds, rate))
    print(json.dumps(outcome), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
