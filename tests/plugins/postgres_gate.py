"""Fails the run when CHARGE_REQUIRE_POSTGRES is set and any PostgreSQL-backed test was skipped.

CI sets it: a green build must mean the PostgreSQL tests ran, not that they quietly stepped aside.
"""

from __future__ import annotations

import os

import pytest

_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and "postgres" in report.keywords:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("CHARGE_REQUIRE_POSTGRES") and _skipped:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if os.environ.get("CHARGE_REQUIRE_POSTGRES") and _skipped:
        terminalreporter.write_line(
            f"FAILED: {len(_skipped)} PostgreSQL-backed tests were skipped; CI requires them to run:", red=True)
        for nodeid in _skipped[:20]:
            terminalreporter.write_line(f"  {nodeid}")
