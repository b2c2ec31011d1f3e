"""Servers and load generators as child processes, each pinned to its own core, with their CPU time and memory.

The machine has two cores: the server under test gets one, the load generator the other, so that
neither measures the other's work. Every figure is read beside a floor measured in the same run.
"""

from __future__ import annotations

import contextlib
import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Self

ROOT = Path(__file__).resolve().parents[2]
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cores() -> tuple[int, int]:
    """(server core, load core): two different ones when the machine has two."""
    available = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else [0]
    every = sorted(range(os.cpu_count() or 1))
    if len(every) >= 2:
        return every[0], every[-1]
    return available[0], available[0]


def raise_open_files(wanted: int = 16_384) -> int:
    """Thousands of websockets need thousands of descriptors; children inherit the limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(wanted, hard) if hard != resource.RLIM_INFINITY else wanted
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (its threads included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Child:
    """A child process whose stdout is read line by line (so it never blocks on a full pipe)."""

    def __init__(self, argv: list[str], *, core: int | None = None, env: Mapping[str, str] | None = None,
                 ready: str | None = None, timeout: float = 60.0,
                 on_line: Callable[[str], None] | None = None) -> None:
        self.log = tempfile.NamedTemporaryFile("w+", prefix="bench-", suffix=".log", delete=False)  # noqa: SIM115
        full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
        self.process = subprocess.Popen(argv, cwd=ROOT, env=full_env, stdout=subprocess.PIPE,
                                        stderr=self.log, text=True, bufsize=1)
        if core is not None and hasattr(os, "sched_setaffinity"):
            os.sched_setaffinity(self.process.pid, {core})
        self.lines: list[str] = []
        self.on_line = on_line
        self._eof = False
        self._seen = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()
        self.match: re.Match[str] | None = None
        if ready is not None:
            self.match = self.wait_for(ready, timeout)

    @property
    def pid(self) -> int:
        return self.process.pid

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if self.on_line is not None:
                self.on_line(line.rstrip("\n"))
            with self._seen:
                self.lines.append(line.rstrip("\n"))
                self._seen.notify_all()
        with self._seen:
            self._eof = True
            self._seen.notify_all()

    def wait_for(self, pattern: str, timeout: float = 60.0) -> re.Match[str]:
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        checked = 0
        with self._seen:
            while True:
                for line in self.lines[checked:]:
                    found = regex.search(line)
                    if found:
                        return found
                checked = len(self.lines)
                if self._eof and self.process.poll() is not None:
                    raise RuntimeError(f"{self.process.args[:4]} exited ({self.process.returncode}); "
                                       f"see {self.log.name}: {self.tail()}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no line matching {pattern!r} within {timeout} s; see {self.log.name}")
                self._seen.wait(min(left, 0.5))

    def tail(self, lines: int = 5) -> str:
        self.log.flush()
        return " | ".join(Path(self.log.name).read_text().splitlines()[-lines:])

    def cpu(self) -> float:
        return cpu_seconds(self.pid)

    def rss(self) -> float:
        return rss_mb(self.pid)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self, timeout: float = 30.0) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        with contextlib.suppress(OSError):
            os.unlink(self.log.name)


def charge_server(database_url: str, *, core: int | None, ocpp: bool = False,
                  extra_env: Mapping[str, str] | None = None) -> Child:
    """``charge serve`` as operators run it (its own process, default settings), on ephemeral ports."""
    argv = [sys.executable, "-m", "entrypoints.cli", "serve", "--no-grpc", "--http-port", "0",
            "--database-url", database_url]
    argv += ["--ocpp-port", "0"] if ocpp else ["--no-ocpp"]
    env = {"CHARGE_ARGON2_TIME_COST": "1", "CHARGE_ARGON2_MEMORY_KIB": "8", "CHARGE_ARGON2_PARALLELISM": "1",
           "CHARGE_LOGIN_MAX_FAILURES_PER_ADDRESS": "100000", **(extra_env or {})}
    pattern = r"REST http://[^:]+:(\d+)" + (r"\s+OCPP ws://[^:]+:(\d+)" if ocpp else "")
    return Child(argv, core=core, env=env, ready=pattern, timeout=120)
