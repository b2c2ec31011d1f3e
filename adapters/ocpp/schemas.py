"""The official OCPP JSON schemas (shipped with the ``ocpp`` library) as validators built once and cached.

Strict mode answers any violation; lenient mode (per charge point) tolerates what a handler can live
with (extra fields, unknown enum values, overlong strings) and still refuses missing or mistyped data.

Each schema is checked twice over, cheaply: first by a validator compiled to Python code
(fastjsonschema, about ten times faster than walking the schema), which only ever says "valid";
anything it does not pass (a violation, a date-time it finds malformed, a Decimal it cannot divide)
goes to jsonschema's Draft 4 validator, which decides and names the violation. So a message is
judged exactly as before; the common, valid one just costs less.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

import fastjsonschema
from jsonschema import Draft4Validator
from jsonschema.exceptions import ValidationError, best_match

from adapters.ocpp.errors import ErrorKind

_ACTION = re.compile(r"^[A-Za-z0-9]{1,64}$")
_DIRECTORY = {"1.6": "v16", "2.0.1": "v201", "2.1": "v21"}
# What a violation of each JSON-schema keyword means in OCPP-J terms (the rest is a format violation).
_KIND = {
    "type": ErrorKind.TYPE,
    "maxLength": ErrorKind.TYPE,
    "minLength": ErrorKind.TYPE,
    "required": ErrorKind.OCCURRENCE,
    "minItems": ErrorKind.OCCURRENCE,
    "maxItems": ErrorKind.OCCURRENCE,
    "minProperties": ErrorKind.OCCURRENCE,
    "maxProperties": ErrorKind.OCCURRENCE,
    "additionalItems": ErrorKind.OCCURRENCE,
    "enum": ErrorKind.PROPERTY,
    "pattern": ErrorKind.PROPERTY,
    "minimum": ErrorKind.PROPERTY,
    "maximum": ErrorKind.PROPERTY,
    "multipleOf": ErrorKind.PROPERTY,
}
_LENIENT_KEEPS = frozenset({"required", "type"})


class Violation:
    """The first schema violation worth reporting: its OCPP-J kind, the field path and what is wrong."""

    __slots__ = ("kind", "message", "path")

    def __init__(self, error: ValidationError) -> None:
        self.kind = _KIND.get(str(error.validator), ErrorKind.FORMAT)
        self.path = "/".join(str(p) for p in error.absolute_path)
        message = error.message if len(error.message) <= 160 else error.message[:157] + "..."
        self.message = message

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


def _schema_text(ocpp_version: str, action: str, response: bool) -> str | None:
    if ocpp_version not in _DIRECTORY or not _ACTION.match(action):
        return None
    suffix = "Response" if response else ("" if ocpp_version == "1.6" else "Request")
    source = resources.files("ocpp") / _DIRECTORY[ocpp_version] / "schemas" / f"{action}{suffix}.json"
    if not source.is_file():
        return None
    return source.read_text(encoding="utf-8-sig")


@lru_cache(maxsize=512)
def validator(ocpp_version: str, action: str, response: bool) -> Draft4Validator | None:
    """The validator of one message, or None when the version has no such message."""
    text = _schema_text(ocpp_version, action, response)
    if text is None:
        return None
    # Parsed with Decimal, like the frames, so that multipleOf is checked exactly.
    return Draft4Validator(json.loads(text, parse_float=Decimal))


@lru_cache(maxsize=512)
def _compiled(ocpp_version: str, action: str, response: bool) -> Callable[[Any], Any] | None:
    """The schema as generated Python code, or None when it has none (or fastjsonschema cannot compile it)."""
    text = _schema_text(ocpp_version, action, response)
    if text is None:
        return None
    try:
        return fastjsonschema.compile(json.loads(text))
    except fastjsonschema.JsonSchemaDefinitionException:  # judged by jsonschema alone
        return None


def _surely_valid(ocpp_version: str, action: str, payload: Any, response: bool) -> bool:
    fast = _compiled(ocpp_version, action, response)
    if fast is None:
        return False
    try:
        fast(payload)
    except (fastjsonschema.JsonSchemaException, ArithmeticError, TypeError, ValueError):
        return False   # invalid, or not sure (a Decimal it cannot divide): jsonschema decides
    return True


def violation(ocpp_version: str, action: str, payload: Any, *, response: bool,
              lenient: bool = False) -> Violation | None:
    if _surely_valid(ocpp_version, action, payload, response):
        return None
    checker = validator(ocpp_version, action, response)
    if checker is None or checker.is_valid(payload):
        return None
    errors = checker.iter_errors(payload)
    if lenient:
        errors = (e for e in errors if e.validator in _LENIENT_KEEPS)
    found = best_match(errors)
    return Violation(found) if found is not None else None
