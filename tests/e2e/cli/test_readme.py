"""README.md's walkthrough, pasted as a newcomer would: its shell blocks run with bash against `charge serve`.

The server listens on free ports; the walkthrough's commands find it through the same variables `charge serve`
and `charge simulate` read (``CHARGE_HTTP_PORT``, ``CHARGE_OCPP_PORT``), so the README is run exactly as written.
Its ``.venv/bin/charge`` is the virtual environment running these tests.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from tests.e2e.cli.processes import start_serving

README = Path(__file__).resolve().parents[3] / "README.md"
SECTION = "## A first session with the API"
BLOCK = re.compile(r"^```sh\n(.*?)^```", re.MULTILINE | re.DOTALL)


def walkthrough() -> list[str]:
    """The ```sh blocks of the walkthrough section, in order."""
    text = README.read_text()
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    return BLOCK.findall(text[start:end if end != -1 else None])


def test_the_walkthrough_has_the_steps_a_newcomer_needs():
    script = "\n".join(walkthrough())
    assert "…" not in script, "every value is made by a command, none left for the reader to fill in"
    for step in ("/api-keys", "/locations", "/charge-points", "/drivers", "/tariffs", "/tariff", "simulate",
                 "/sessions"):
        assert step in script, step


def test_the_readme_walkthrough_runs_as_pasted_and_ends_with_a_priced_session(tmp_path):
    assert shutil.which("curl"), "the walkthrough needs curl"
    server_dir, reader_dir = tmp_path / "server", tmp_path / "reader"
    server_dir.mkdir()
    reader_dir.mkdir()
    (reader_dir / ".venv").symlink_to(Path(sys.prefix))   # the walkthrough calls .venv/bin/charge
    proc, (http_port, ocpp_port, _) = start_serving("sqlite:///./charge.db", server_dir)
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CHARGE_")}
        env |= {"CHARGE_HTTP_PORT": str(http_port), "CHARGE_OCPP_PORT": str(ocpp_port), "CHARGE_LOG_LEVEL": "WARNING"}
        script = "set -euo pipefail\n" + "\n".join(walkthrough())
        done = subprocess.run(["bash", "-c", script], env=env, cwd=reader_dir, capture_output=True, text=True,
                              timeout=180)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, server_err = proc.communicate(timeout=30)
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr and "Traceback" not in server_err
    out = done.stdout
    assert re.search(r"^organization org_\w+, API key \S+$", out, re.MULTILINE), out
    assert "charge simulate: charge points connected 1, failed 0; sessions 1" in out, out
    # The last command pretty-prints the session list: a JSON document starting at a line of its own.
    sessions = json.loads(out[out.rindex("\n{\n") + 1:])["data"]
    assert sessions and all(s["charge_point_id"] == "SIM-1" and s["status"] == "completed" for s in sessions)
    cost = sessions[0]["cost"]
    assert cost is not None and cost["currency"] == "GBP", sessions[0]
    assert Decimal(cost["total"]) > 0 and sessions[0]["tariff_id"].startswith("trf_")
