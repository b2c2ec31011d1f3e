"""What a document's number and payment reference look like: gap-free series, ISO 11649 references."""

from __future__ import annotations

import re

from domain.errors import InvalidInput

MAX_PREFIX = 20
PREFIX = "^[A-Za-z0-9/._-]{0,20}$"      # letters, digits and / . _ - (a number is prefix + 6 digits)
_PREFIX = re.compile(PREFIX)
SEQUENCE_DIGITS = 6
DEFAULT_INVOICE_PREFIX = "INV-"
DEFAULT_CREDIT_NOTE_PREFIX = "CN-"


def check_prefix(prefix: object, field: str) -> str:
    if not isinstance(prefix, str) or not _PREFIX.fullmatch(prefix):
        raise InvalidInput.field(field, "0 to 20 of A-Z a-z 0-9 / . _ -")
    return prefix


def document_number(prefix: str, sequence: int) -> str:
    """The ``sequence``-th number of a series: ``INV-000042`` (numbers are gap-free per series)."""
    return f"{prefix}{sequence:0{SEQUENCE_DIGITS}d}"


def creditor_reference(text: str) -> str:
    """An ISO 11649 structured creditor reference (``RF..``) for ``text`` (its letters and digits).

    Banks carry it unchanged, so a payment that quotes it is matched to its invoice: the check digits
    make a mistyped reference fail rather than match another invoice.
    """
    body = re.sub(r"[^A-Za-z0-9]", "", text).upper()[:21]
    if not body:
        raise ValueError("a creditor reference needs letters or digits")
    check = 98 - _mod97(body + "RF00")
    return f"RF{check:02d}{body}"


def is_creditor_reference(text: str) -> bool:
    compact = re.sub(r"\s", "", text).upper()
    if not re.fullmatch(r"RF[0-9]{2}[A-Z0-9]{1,21}", compact):
        return False
    return _mod97(compact[4:] + compact[:4]) == 1


def _mod97(text: str) -> int:
    digits = "".join(str(int(c, 36)) for c in text)
    return int(digits) % 97
