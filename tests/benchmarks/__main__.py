"""Runs every ``bench_*`` module of this package and writes docs/performance.md, a section per module.

A module takes part by defining ``run() -> list[dict[str, object]]`` (one dict per table row, the
same keys in each). It may also define ``TITLE`` (else its name is used) and
``notes(rows) -> str`` (markdown placed under its table, e.g. goals met or missed). The module's
docstring introduces its section. ``python -m tests.benchmarks rating`` runs only the modules whose
name contains one of the given words, and then leaves docs/performance.md alone unless ``--write``,
which replaces only their sections (each section says when it was measured).
``BENCH_QUICK=1`` runs a shorter pass for iterating (fewer connection counts, shorter loops, no
3,000 charge point storm); the figures in docs/performance.md come from a full run.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

PACKAGE = Path(__file__).resolve().parent
REPORT = PACKAGE.parents[1] / "docs" / "performance.md"
# What follows this line in docs/performance.md was measured by hand (its method is written there) and is kept.
BY_HAND = "<!-- measured by hand, kept by make bench -->"


def _modules(words: list[str]) -> list[ModuleType]:
    names = sorted(m.name for m in pkgutil.iter_modules([str(PACKAGE)]) if m.name.startswith("bench_"))
    if words:
        names = [n for n in names if any(w in n for w in words)]
    return [importlib.import_module(f"{__package__}.{name}") for name in names]


def _pin_to_one_core() -> str:
    """Benchmarks report one core's throughput; pinning keeps the scheduler from moving us around."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity)"
    cpu = max(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> list[tuple[str, str]]:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    return [
        ("date", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
        ("cpu", f"{_cpu_model()} ({os.cpu_count()} logical CPUs)"),
        ("python", f"{platform.python_implementation()} {platform.python_version()} "
                   f"on {platform.system()} {platform.release()}"),
        ("load average (1, 5, 15 min) at start", load),
    ]


def table(rows: list[dict[str, object]]) -> list[str]:
    if not rows:
        return ["(no rows)"]
    keys = list(rows[0])
    cells = [[str(row.get(k, "")) for k in keys] for row in rows]
    widths = [max(len(k), *(len(c[i]) for c in cells)) for i, k in enumerate(keys)]
    line = lambda values: "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)) + " |"  # noqa: E731
    return [line(keys), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *(line(c) for c in cells)]


def main(argv: list[str]) -> int:
    write = "--write" in argv
    words = [a for a in argv if not a.startswith("--")]
    write = write or not words
    pinned = _pin_to_one_core()
    info = machine() + [("affinity", pinned)]
    measured = f"_Measured {info[0][1]}, load average at start {info[3][1]}._"
    sections: list[tuple[str, list[str]]] = []
    for module in _modules(words):
        title = getattr(module, "TITLE", module.__name__.rsplit(".", 1)[-1])
        print(f"\n== {title}", flush=True)
        rows = module.run()
        lines = table(rows)
        print("\n".join(lines))
        notes = module.notes(rows) if hasattr(module, "notes") else ""
        if notes:
            print(notes)
        sections.append((title, [(module.__doc__ or "").strip(), "", measured, "", *lines, "", notes, ""]))
    if write:
        previous = REPORT.read_text() if REPORT.exists() else ""
        REPORT.write_text(report(previous, info, sections, whole=not words))
        print(f"\nwrote {REPORT}")
    return 0


def report(previous: str, info: list[tuple[str, str]], sections: list[tuple[str, list[str]]], *,
           whole: bool) -> str:
    """docs/performance.md: a whole run replaces every section; a run of some modules (``--write``) replaces
    only theirs and keeps the others as they were measured (each section says when). What follows ``BY_HAND``
    is kept either way."""
    kept = previous[previous.index(BY_HAND):] if BY_HAND in previous else ""
    measured = previous[:previous.index(BY_HAND)] if BY_HAND in previous else previous
    old = [] if whole else _sections(measured)
    new = dict(sections)
    merged = [(title, new.pop(title, body)) for title, body in old] + list(new.items())
    header = info if whole or not old else _header(measured)
    if not whole:
        again = dict.fromkeys([*_again(measured), *(t for t, _ in sections)])
        header = [*header, ("sections measured again alone", ", ".join(again))]
    out = ["# Performance", "",
           "Written by `python -m tests.benchmarks` (`make bench`); figures are measured, never asserted in tests.",
           "", *(f"- {k}: {v}" for k, v in header), ""]
    for title, body in merged:
        out += [f"## {title}", "", *body]
    return "\n".join(out).rstrip() + "\n" + ("\n" + kept if kept else "")


def _sections(text: str) -> list[tuple[str, list[str]]]:
    found: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.startswith("## "):
            found.append((line[3:], []))
        elif found:
            found[-1][1].append(line)
    for _, body in found:
        while body and not body[0].strip():
            body.pop(0)
        while body and not body[-1].strip():
            body.pop()
        body.append("")   # one blank line between sections, however many runs have rewritten the file
    return found


def _again(text: str) -> list[str]:
    for line in text.split("\n## ", 1)[0].splitlines():
        if line.startswith("- sections measured again alone: "):
            return line.split(": ", 1)[1].split(", ")
    return []


def _header(text: str) -> list[tuple[str, str]]:
    """The first whole run's machine lines (a partial run adds its own line, not a second machine)."""
    lines = text.split("\n## ", 1)[0].splitlines()
    pairs = [line[2:].split(": ", 1) for line in lines if line.startswith("- ") and ": " in line]
    return [(k, v) for k, v in pairs if k != "sections measured again alone"]


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
