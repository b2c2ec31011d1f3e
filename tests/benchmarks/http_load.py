"""HTTP load: wrk (Debian's ``wrk`` package) when installed, else an asyncio keep-alive client in its own process.

Either way the generator runs on the core the server does not have, keeps C connections each with
one request outstanding, and reports requests/s, p50 and p99 latency and failed requests (a
non-2xx answer or a socket error). ``python -m tests.benchmarks.http_load URL C SECONDS [METHOD BODY]``
runs the asyncio client and prints its result as JSON (headers come in ``BENCH_HEADERS``, JSON).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from urllib.parse import urlsplit

from attrs import frozen

from tests.benchmarks.processes import ROOT


@frozen
class Load:
    requests: int
    per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    tool: str


def run_load(url: str, connections: int, seconds: float, headers: Mapping[str, str], *, method: str = "GET",
             body: str | None = None, core: int | None = None) -> Load:
    if shutil.which("wrk"):
        return _wrk(url, connections, seconds, headers, method, body, core)
    return _python(url, connections, seconds, headers, method, body, core)


def _taskset(core: int | None) -> list[str]:
    return ["taskset", "-c", str(core)] if core is not None and shutil.which("taskset") else []


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * _UNITS[unit]


def _wrk(url: str, connections: int, seconds: float, headers: Mapping[str, str], method: str, body: str | None,
         core: int | None) -> Load:
    script = None
    argv = [*_taskset(core), "wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency",
            "--timeout", "10s"]
    for name, value in headers.items():
        argv += ["-H", f"{name}: {value}"]
    if method != "GET" or body is not None:
        script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)  # noqa: SIM115
        script.write(f"wrk.method = {json.dumps(method)}\nwrk.body = {json.dumps(body or '')}\n")
        script.close()
        argv += ["-s", script.name]
    try:
        out = subprocess.run([*argv, url], capture_output=True, text=True, check=True).stdout
    finally:
        if script is not None:
            os.unlink(script.name)
    return parse_wrk(out)


def parse_wrk(out: str) -> Load:
    """wrk's report (run with ``--latency``) as a Load."""
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    # Anchored to the distribution's own lines: "68.99%" ends the Thread Stats line above them.
    p50 = _ms(re.search(r"^\s*50%\s+(\S+)", out, re.MULTILINE).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s*99%\s+(\S+)", out, re.MULTILINE).group(1))  # type: ignore[union-attr]
    errors = 0
    if found := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors += int(found.group(1))
    if found := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        errors += sum(int(n) for n in found.groups())
    return Load(total, rate, p50, p99, errors, "wrk")


def _python(url: str, connections: int, seconds: float, headers: Mapping[str, str], method: str,
            body: str | None, core: int | None) -> Load:
    argv = [*_taskset(core), sys.executable, "-m", "tests.benchmarks.http_load", url, str(connections),
            str(seconds), method, body or ""]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BENCH_HEADERS": json.dumps(dict(headers))}
    out = subprocess.run(argv, capture_output=True, text=True, check=True, env=env, cwd=ROOT).stdout
    return Load(**json.loads(out.strip().splitlines()[-1]))


async def _client(url: str, connections: int, seconds: float, headers: dict[str, str], method: str,
                  body: str) -> Load:
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    payload = body.encode()
    head = [f"{method} {path} HTTP/1.1", f"Host: {parts.netloc}", *(f"{k}: {v}" for k, v in headers.items())]
    if payload:
        head.append(f"Content-Length: {len(payload)}")
    request = ("\r\n".join(head) + "\r\n\r\n").encode() + payload
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def one() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        try:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                writer.write(request)
                status_line = await reader.readline()
                length = 0
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                await reader.readexactly(length)
                latencies.append(time.perf_counter() - started)
                if status_line[9:10] != b"2":
                    errors += 1
        except (OSError, asyncio.IncompleteReadError):
            errors += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(connections)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    n = len(latencies)
    return Load(n, n / elapsed, 1000 * latencies[n // 2] if n else 0.0,
                1000 * latencies[min(n - 1, int(n * 0.99))] if n else 0.0, errors, "python")


if __name__ == "__main__":
    target, count, duration, verb, data = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]
    result = asyncio.run(_client(target, count, duration, json.loads(os.environ.get("BENCH_HEADERS", "{}")), verb,
                                 data))
    print(json.dumps({"requests": result.requests, "per_second": result.per_second, "p50_ms": result.p50_ms,
                      "p99_ms": result.p99_ms, "errors": result.errors, "tool": result.tool}))
