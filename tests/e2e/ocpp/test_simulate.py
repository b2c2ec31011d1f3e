"""``charge simulate`` against the real server: simulated charge points boot, charge and show up in REST."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from decimal import Decimal

import httpx
import pytest

from entrypoints.simulator import Options, simulate


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_simulated_charge_points_run_sessions_that_rest_shows(server, operator, version):
    prefix = operator.id("SIM") + "-"
    for n in (1, 2, 3):
        await operator.post("/charge-points", {"id": f"{prefix}{n}", "location_id": operator.location_id})
    await operator.post("/drivers", {"name": "Simulated", "id_tags": [operator.id("TAG")]})
    report = await simulate(Options(url=operator.ocpp_url, count=3, version=version, duration=1.5, prefix=prefix,
                                    id_tag=operator.id("TAG"), session_seconds=0.4, meter_interval=0.1,
                                    power_kw=Decimal(36), ramp_seconds=0))
    assert (report.connected, report.failed, report.errors) == (3, 0, 0)
    assert report.sessions >= 3 and report.energy_wh > 0
    sessions = []
    for n in (1, 2, 3):
        sessions += (await operator.get("/sessions", charge_point_id=f"{prefix}{n}", limit=100))["data"]
    assert len(sessions) == report.sessions
    assert all(s["status"] == "completed" and s["driver_id"] for s in sessions)
    assert sum(Decimal(s["energy_kwh"]) for s in sessions) == report.energy_wh / 1000


def test_the_cli_refuses_servers_on_other_machines():
    done = subprocess.run([sys.executable, "-m", "entrypoints.cli", "simulate", "--url", "ws://192.0.2.1:9000/ocpp"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "only connects to this machine" in done.stderr


def test_the_cli_runs_a_bounded_simulation_and_reports(server, organization):
    """Without --url it finds the server where `charge serve` would listen: CHARGE_HOST and CHARGE_OCPP_PORT."""
    prefix = organization.id("CLI") + "-"
    with httpx.Client(base_url=f"http://127.0.0.1:{server.http_port}/api/v1", headers=organization.headers) as http:
        assert http.post("/charge-points", json={"id": f"{prefix}1", "location_id": organization.location_id}
                         ).status_code == 201
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHARGE_")}
    env |= {"CHARGE_HOST": "0.0.0.0", "CHARGE_OCPP_PORT": str(server.ocpp_port)}
    done = subprocess.run([sys.executable, "-m", "entrypoints.cli", "simulate",
                           "--prefix", prefix, "--duration", "1", "--session-seconds", "0.3", "--meter-interval",
                           "0.1", "--ocpp-version", "2.0.1"], capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    assert "charge points connected 1, failed 0" in done.stdout


async def test_a_stop_ends_the_simulation_with_its_sessions_stopped_and_each_charge_point_its_own_tag(
        server, operator):
    prefix = operator.id("STOP") + "-"
    tags = (operator.id("TAG-A"), operator.id("TAG-B"))
    for n, tag in enumerate(tags, start=1):
        await operator.post("/charge-points", {"id": f"{prefix}{n}", "location_id": operator.location_id})
        await operator.post("/drivers", {"name": f"Driver {n}", "id_tags": [tag]})
    stop = asyncio.Event()
    running = asyncio.create_task(simulate(
        Options(url=operator.ocpp_url, count=2, duration=3600, prefix=prefix, id_tags=tags, session_seconds=3600,
                meter_interval=0.1, ramp_seconds=0), stop))
    for n in (1, 2):   # both sessions under way
        while not (await operator.get("/sessions", charge_point_id=f"{prefix}{n}"))["data"]:
            await asyncio.sleep(0.05)
    stop.set()
    report = await asyncio.wait_for(running, 30)   # an hour-long simulation, ended by the stop
    assert (report.connected, report.failed, report.sessions) == (2, 0, 2)
    for n, tag in enumerate(tags, start=1):
        [session] = (await operator.get("/sessions", charge_point_id=f"{prefix}{n}"))["data"]
        assert (session["status"], session["id_tag"]) == ("completed", tag)
