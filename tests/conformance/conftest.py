"""The Node.js peer for the conformance tests: installed from the lockfile when missing or stale.

Node and npm are required, not optional: without them these tests fail (a conformance check that
quietly skips would make a green build mean nothing).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

NODE_DIR = Path(__file__).parent / "node"


def _installed() -> bool:
    """npm ci writes node_modules/.package-lock.json; it matches the lockfile when nothing changed."""
    marker = NODE_DIR / "node_modules" / ".package-lock.json"
    return marker.is_file() and marker.stat().st_mtime >= (NODE_DIR / "package-lock.json").stat().st_mtime


@pytest.fixture(scope="session")
def node() -> str:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.fail("the OCPP conformance tests need node and npm on PATH (Node.js 18 or newer)")
    if not _installed():
        done = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=NODE_DIR,
                              capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            pytest.fail(f"npm ci failed in {NODE_DIR}:\n{done.stdout}\n{done.stderr}")
    return node
