"""The bench's own plumbing: reading wrk's report, and writing docs/performance.md whole or a section at a time."""

from __future__ import annotations

from tests.benchmarks.__main__ import BY_HAND, report
from tests.benchmarks.http_load import parse_wrk

WRK = """Running 5s test @ http://127.0.0.1:8000/api/v1/charge-points/cp_1
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    48.12ms   12.50ms 412.00ms   68.99%
    Req/Sec   664.10     80.33   800.00     71.50%
  Latency Distribution
     50%   46.10ms
     75%   52.00ms
     90%   60.00ms
     99%    1.25s
  3310 requests in 5.00s, 1.20MB read
  Non-2xx or 3xx responses: 2
  Socket errors: connect 0, read 1, write 0, timeout 3
Requests/sec:    661.95
Transfer/sec:    245.10KB
"""


def test_wrk_percentiles_are_read_from_the_distribution_not_from_a_stdev_column():
    load = parse_wrk(WRK)
    assert (load.requests, load.per_second, load.p50_ms, load.p99_ms, load.errors) == (3310, 661.95, 46.1, 1250.0, 6)


INFO = [("date", "2026-12-07 16:00 UTC"), ("cpu", "EPYC"), ("python", "3.11"), ("load", "1.0"), ("affinity", "1")]
OLD = f"""# Performance

Written by …

- date: 2026-12-07 02:17 UTC
- cpu: EPYC

## OCPP

ocpp intro

| a |
|---|

## REST

old rest table

{BY_HAND}
by hand, kept
"""


def test_a_partial_run_replaces_only_its_sections_and_keeps_the_rest_and_the_hand_measured_part():
    text = report(OLD, INFO, [("REST", ["new rest table", ""]), ("Reports", ["reports table", ""])], whole=False)
    assert "ocpp intro" in text and "| a |" in text
    assert "old rest table" not in text and "new rest table" in text
    assert text.index("## OCPP") < text.index("## REST") < text.index("## Reports") < text.index(BY_HAND)
    assert "- date: 2026-12-07 02:17 UTC" in text and "- sections measured again alone: REST, Reports" in text
    assert text.endswith("by hand, kept\n")
    again = report(text, INFO, [("OCPP", ["new ocpp", ""])], whole=False)
    assert "ocpp intro" not in again
    assert [line for line in again.splitlines() if line.startswith("- sections measured again alone")] == [
        "- sections measured again alone: REST, Reports, OCPP"]


def test_a_whole_run_replaces_every_section():
    text = report(OLD, INFO, [("REST", ["new rest table", ""])], whole=True)
    assert "## OCPP" not in text and "- date: 2026-12-07 16:00 UTC" in text and "sections measured" not in text
    assert text.endswith("by hand, kept\n")


def test_rewriting_a_section_again_and_again_leaves_the_others_as_they_were():
    once = report(OLD, INFO, [("REST", ["new rest table", ""])], whole=False)
    twice = report(once, INFO, [("REST", ["new rest table", ""])], whole=False)
    assert twice == once
    assert "| a |\n|---|\n\n## REST" in once   # one blank line between sections
