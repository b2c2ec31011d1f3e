"""The `charge` command as a child process: its environment, and `charge serve` started on free ports."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

CHARGE = [sys.executable, "-m", "entrypoints.cli"]
BANNER = re.compile(r"REST http://[^:]+:(\d+)\s+OCPP ws://[^:]+:(\d+)/ocpp/\{id\}\s+gRPC [^:]+:(\d+)")


def charge_env(database_url: str, tmp_path: Path) -> dict[str, str]:
    """This environment without any CHARGE_ setting, then the database, a mail folder and quiet logs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHARGE_")}
    env.update(CHARGE_DATABASE_URL=database_url, CHARGE_MAIL_DIR=str(tmp_path / "mail"), CHARGE_LOG_LEVEL="WARNING")
    return env


def start_serving(database_url: str, tmp_path: Path,
                  settings: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], tuple[int, int, int]]:
    """`charge serve` on free ports in ``tmp_path`` (``settings``: more CHARGE_ variables); its REST, OCPP and gRPC
    ports read from its banner."""
    proc = subprocess.Popen(CHARGE + ["serve", "--http-port", "0", "--ocpp-port", "0", "--grpc-port", "0"],
                            env=charge_env(database_url, tmp_path) | (settings or {}), cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    match = BANNER.search(line)
    if not match:
        proc.kill()
        raise AssertionError(f"no banner: {line!r} {proc.stderr.read() if proc.stderr else ''}")
    http_port, ocpp_port, grpc_port = (int(p) for p in match.groups())
    return proc, (http_port, ocpp_port, grpc_port)
