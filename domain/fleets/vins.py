"""Vehicle identification numbers (ISO 3779): structure everywhere, the check digit where the region uses one.

A VIN is 17 characters of digits and capital letters without I, O and Q (they read as 1 and 0). Its
first character names the region the maker registered in. North America (1–5) has required a check
digit in position 9 since 1981 (49 CFR 565), and China (L) since 1999 (GB 16735); makers elsewhere,
Europe among them, may put anything there, so a European VIN is checked for structure only.
"""

from __future__ import annotations

import re

VIN_LENGTH = 17
VIN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}\Z")
CHECK_POSITION = 8                    # the ninth character
# Letters are worth 1–9 by their place in the alphabet, skipping I, O and Q (and S starting at 2).
_VALUES = {**{str(d): d for d in range(10)},
           **dict(zip("ABCDEFGH", range(1, 9), strict=True)), **dict(zip("JKLMN", range(1, 6), strict=True)),
           "P": 7, "R": 9, **dict(zip("STUVWXYZ", range(2, 10), strict=True))}
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
# First characters of regions whose VINs carry a check digit.
CHECKED_REGIONS = frozenset("12345L")


def normalize_vin(value: str) -> str:
    """As people type it: surrounding spaces dropped, letters upper-cased."""
    return value.strip().upper()


def transliterated(char: str) -> int:
    return _VALUES[char]


def check_digit(vin: str) -> str:
    """The check digit a VIN's other characters call for: ``0``–``9``, or ``X`` for ten."""
    total = sum(_VALUES[char] * weight for char, weight in zip(vin, _WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def uses_check_digit(vin: str) -> bool:
    return vin[:1] in CHECKED_REGIONS


def vin_problem(value: object) -> str | None:
    """Why ``value`` (normalized) is not a VIN, or None."""
    if not isinstance(value, str):
        return "must be a string"
    if len(value) != VIN_LENGTH:
        return f"must be {VIN_LENGTH} characters (ISO 3779)"
    if not VIN.match(value):
        return "must be digits and capital letters other than I, O and Q (ISO 3779)"
    if uses_check_digit(value) and value[CHECK_POSITION] != check_digit(value):
        return (f"check digit {value[CHECK_POSITION]!r} (position 9) does not match: the other characters call "
                f"for {check_digit(value)!r}")
    return None
