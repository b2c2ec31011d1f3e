"""The official EN 16931 CII rules (the European Commission's schematron, as XSLT), run in this process.

The rules live outside the repository, in the shared validators folder beside it
(``<repo>/../shared/validators/en16931-cii/``; a worktree one level deeper finds ``<repo>/../../shared``),
or wherever ``CHARGE_EN16931_VALIDATOR`` names. They are the one outside dependency the suite is allowed:
a missing folder fails the tests that need it, with this message, rather than skipping them.
``validate.py`` there runs the same stylesheet on files; compiling it once per process here (saxonche)
makes a check take milliseconds instead of a JVM start per file.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from attrs import frozen
from lxml import etree

REPO = Path(__file__).resolve().parents[3]
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
def _compiled():  # type: ignore[no-untyped-def]
    from saxonche import PySaxonProcessor

    processor = PySaxonProcessor(license=False)
    stylesheet = processor.new_xslt30_processor().compile_stylesheet(
        stylesheet_file=str(validator_dir() / STYLESHEET))
    return processor, stylesheet


def failures(xml: bytes) -> list[Failure]:
    """Every rule the document breaks, fatal or warning (an empty list: it is a valid EN 16931 invoice)."""
    processor, stylesheet = _compiled()
    node = processor.parse_xml(xml_text=xml.decode("utf-8"))
    report = etree.fromstring(stylesheet.transform_to_string(xdm_node=node).encode())
    return [Failure(f.get("flag") or "", f.get("id") or "", " ".join((f.findtext(f"{SVRL}text") or "").split()))
            for f in report.iter(f"{SVRL}failed-assert")]


def fatal(xml: bytes) -> list[Failure]:
    return [f for f in failures(xml) if f.flag == "fatal"]
