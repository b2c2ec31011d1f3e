"""The import direction is part of the design: domain imports nothing of the project or a framework."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STDLIB = set(sys.stdlib_module_names)
LAYERS = ["domain", "application", "adapters", "entrypoints"]
ALLOWED = {
    "domain": {"domain", "attrs"} | STDLIB,
    "application": {"domain", "application", "attrs"} | STDLIB,
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_domain_and_application_import_only_inward_and_no_framework():
    offenders = []
    for layer, allowed in ALLOWED.items():
        for path in (ROOT / layer).rglob("*.py"):
            bad = _imports(path) - allowed
            if bad:
                offenders.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert offenders == []


def test_no_layer_imports_outward():
    offenders = []
    for i, layer in enumerate(LAYERS):
        outer = set(LAYERS[i + 1:])
        for path in (ROOT / layer).rglob("*.py"):
            bad = _imports(path) & outer
            if bad:
                offenders.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert offenders == []
