"""The charge.v1 protos: `buf lint`-clean, and the checked-in generated code is what they generate now.

buf comes from npm (pinned by tests/contracts/buf/package-lock.json, installed on first use); node and
npm are required, as for the OCPP conformance tests: a lint that quietly skips would mean nothing.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from entrypoints.grpc import codegen

BUF_DIR = Path(__file__).parent / "buf"


def _installed() -> bool:
    marker = BUF_DIR / "node_modules" / ".package-lock.json"
    return marker.is_file() and marker.stat().st_mtime >= (BUF_DIR / "package-lock.json").stat().st_mtime


@pytest.fixture(scope="module")
def buf() -> Path:
    npm = shutil.which("npm")
    if shutil.which("node") is None or npm is None:
        pytest.fail("linting the protos needs node and npm on PATH (buf is installed from npm)")
    if not _installed():
        done = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=BUF_DIR,
                              capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            pytest.fail(f"npm ci failed in {BUF_DIR}:\n{done.stdout}\n{done.stderr}")
    return BUF_DIR / "node_modules" / ".bin" / "buf"


def test_buf_lint_finds_nothing(buf: Path) -> None:
    done = subprocess.run([str(buf), "lint", str(codegen.CONTRACTS)], capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_buf_lint_would_find_a_fault(buf: Path, tmp_path: Path) -> None:
    """The lint runs the rules this contract claims (an enum zero value without _UNSPECIFIED fails it)."""
    shutil.copytree(codegen.CONTRACTS / "charge", tmp_path / "charge")
    shutil.copy(codegen.CONTRACTS / "buf.yaml", tmp_path / "buf.yaml")
    proto = tmp_path / "charge" / "v1" / "sessions.proto"
    proto.write_text(proto.read_text().replace("SESSION_STATUS_UNSPECIFIED = 0", "SESSION_STATUS_NONE = 0"))
    done = subprocess.run([str(buf), "lint", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert '"SESSION_STATUS_NONE" should be suffixed with "_UNSPECIFIED"' in done.stdout


def test_generated_code_is_what_the_protos_generate(tmp_path: Path) -> None:
    fresh = {p.relative_to(tmp_path): p.read_text() for p in codegen.generate(tmp_path)}
    checked_in = {p.relative_to(codegen.TARGET): p.read_text()
                  for p in codegen.TARGET.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert sorted(map(str, checked_in)) == sorted(map(str, fresh)), "run `make protos`"
    stale = [str(path) for path, text in fresh.items() if checked_in[path] != text]
    assert not stale, f"generated code differs from the protos in {stale}: run `make protos`"
