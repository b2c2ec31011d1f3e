"""A real browser for the web pages' tests: Debian's chromium driven by Playwright, and axe-core run inside
the page. Every site's browser tests (driver portal, site owners, operators) use these.

Playwright cannot download its own browsers here, so it drives the distribution's chromium; the suite installs
it when it is missing (``apt-get install chromium``, as root), and axe-core from ``node/package-lock.json``
(``npm ci``), the way ``tests/conformance`` installs its Node peer.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
NODE_DIR = Path(__file__).parent / "node"
AXE = NODE_DIR / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
INSTALL_SECONDS = 900
# axe's rule tags: WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's own best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
BLOCKING = ("serious", "critical")


def ensure_chromium() -> str:
    """Debian's chromium, installed first if it is missing (idempotent: nothing to do once it is there)."""
    if CHROMIUM.exists():
        return str(CHROMIUM)
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        pytest.fail(f"the browser tests need {CHROMIUM}: install Debian's chromium (apt-get install chromium)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in ([apt, "update", "-qq"], [apt, "install", "-y", "-qq", "--no-install-recommends", "chromium"]):
        done = subprocess.run(command, capture_output=True, text=True, timeout=INSTALL_SECONDS, env=env)
        if done.returncode != 0:
            pytest.fail(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    if not CHROMIUM.exists():
        pytest.fail(f"apt-get installed chromium, but {CHROMIUM} is not there")
    return str(CHROMIUM)


def _axe_installed() -> bool:
    """npm ci writes node_modules/.package-lock.json; it matches the lockfile when nothing changed."""
    marker = NODE_DIR / "node_modules" / ".package-lock.json"
    lock = NODE_DIR / "package-lock.json"
    return AXE.is_file() and marker.is_file() and marker.stat().st_mtime >= lock.stat().st_mtime


def ensure_axe() -> str:
    """axe-core's browser build, installed from the lockfile when missing or stale; its source."""
    if not _axe_installed():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("the browser tests need npm on PATH to install axe-core (Node.js 18 or newer)")
        done = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=NODE_DIR,
                              capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            pytest.fail(f"npm ci failed in {NODE_DIR}:\n{done.stdout}\n{done.stderr}")
    return AXE.read_text(encoding="utf-8")


def launch_options(executable: str) -> dict[str, Any]:
    return {"executable_path": executable, "args": ["--headless", "--no-sandbox"]}


def context_options() -> dict[str, Any]:
    """A phone-sized screen. The pages' Content-Security-Policy allows only their own scripts (they have none);
    axe is injected by the test, so the browser is told to let it run."""
    return {"viewport": PHONE, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
            "accept_downloads": True, "bypass_csp": True, "locale": "en-GB"}


async def accessibility_violations(page: Any, axe_source: str) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now (rule, impact, where)."""
    if not await page.evaluate("() => typeof window.axe !== 'undefined'"):
        await page.add_script_tag(content=axe_source)
    result = await page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS)
    return [{"rule": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in BLOCKING]


async def assert_accessible(page: Any, axe_source: str) -> None:
    violations = await accessibility_violations(page, axe_source)
    assert not violations, f"{page.url}:\n{json.dumps(violations, indent=2)}"


async def fits_the_screen(page: Any) -> bool:
    """Nothing wider than the phone's screen: its user never scrolls sideways. (Measured against the screen's
    width, not ``innerWidth``: a mobile browser widens its layout viewport to whatever overflows.)"""
    return bool(await page.evaluate("(width) => document.documentElement.scrollWidth <= width", PHONE["width"]))
