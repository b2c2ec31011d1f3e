"""`charge demo` against `charge serve`, both real processes: a live, priced network, built once and then reused."""

from __future__ import annotations

import os
import re
import signal
import subprocess
from decimal import Decimal

import httpx

from tests.e2e.cli.processes import CHARGE, start_serving

DEMO = ["demo", "--session-seconds", "2", "--meter-interval", "0.5"]


def _demo(http_port: int, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHARGE_")}
    env |= {"CHARGE_HTTP_PORT": str(http_port), "CHARGE_LOG_LEVEL": "WARNING"}  # found as `make run` serves it
    return subprocess.run(CHARGE + DEMO + list(args), env=env, capture_output=True, text=True, timeout=timeout)


def _key(out: str) -> str:
    match = re.search(r"^  API key \(admin\): (\S+)$", out, re.MULTILINE)
    assert match, out
    return match.group(1)


def test_demo_builds_a_live_priced_network_and_reuses_it(tmp_path):
    proc, (http_port, _, _) = start_serving("sqlite:///./charge.db", tmp_path)
    try:
        first = _demo(http_port, "--duration", "6")
        second = _demo(http_port, "--duration", "1")
        with httpx.Client(base_url=f"http://127.0.0.1:{http_port}/api/v1",
                          headers={"authorization": f"Bearer {_key(second.stdout)}"}) as api:
            def every(path: str) -> list[dict]:
                answer = api.get(path, params={"limit": 100})
                assert answer.status_code == 200, answer.text
                return answer.json()["data"]

            locations, charge_points = every("/locations"), every("/charge-points")
            drivers, tariffs, sessions = every("/drivers"), every("/tariffs"), every("/sessions")
    finally:
        proc.send_signal(signal.SIGTERM)
        _, server_err = proc.communicate(timeout=30)
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert "Traceback" not in first.stderr + second.stderr + server_err
    assert "curl -s http://127.0.0.1:" in first.stdout and "/api/v1/sessions" in first.stdout
    assert "charge points connected 4, failed 0" in first.stdout
    assert "everything was there already: reused" in second.stdout
    # Built once: a second run added nothing but an API key.
    assert sorted(loc["timezone"] for loc in locations) == ["Europe/Amsterdam", "Europe/London"]
    assert sorted(cp["id"] for cp in charge_points) == ["DEMO-AMS-1", "DEMO-AMS-2", "DEMO-LON-1", "DEMO-LON-2"]
    assert len(drivers) == 4 and all(len(d["id_tags"]) == 1 for d in drivers)
    assert [t["name"] for t in tariffs] == ["Demo standard"]
    assert {c["type"] for c in tariffs[0]["elements"][0]["price_components"]} == {"ENERGY", "TIME"}
    # Every charge point charged, each session by a known driver, and every session is priced.
    completed = [s for s in sessions if s["status"] == "completed"]
    assert completed and len(completed) == len(sessions)
    assert {s["charge_point_id"] for s in completed} == {cp["id"] for cp in charge_points}
    assert {s["driver_id"] for s in completed} == {d["id"] for d in drivers}
    assert all(s["cost"] is not None and s["cost"]["currency"] == "EUR" for s in completed)
    charged = [s for s in completed if Decimal(s["energy_kwh"]) > 0]   # Ctrl-C or the end may cut one short
    assert {s["charge_point_id"] for s in charged} == {cp["id"] for cp in charge_points}
    assert all(Decimal(s["cost"]["total"]) > 0 for s in charged)
    assert all(s["tariff_id"] == tariffs[0]["id"] for s in completed)


def test_demo_without_a_server_says_how_to_start_one(tmp_path):
    done = _demo(1, "--duration", "1", timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip().startswith("charge demo: no Charge server answers at http://127.0.0.1:1")
    assert "make run" in done.stderr and "Traceback" not in done.stderr


def test_demo_refuses_other_machines():
    done = subprocess.run(CHARGE + ["demo", "--url", "http://192.0.2.1:8000"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2 and "charge demo only connects to this machine" in done.stderr
