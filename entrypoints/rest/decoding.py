"""Request bodies and query strings read into their msgspec Structs in one pass; a fault becomes a field error.

msgspec decodes, validates and builds the Struct in C and stops at the first fault, which it
reports as ``... - at `$.evses[0].connectors[1].connector_id```: that path becomes the dotted
``field`` of the problem (``evses[0].connectors[1].connector_id``). Untyped numbers (quantities,
see ``shapes.quantity_field``) are read as ``Decimal`` from their own digits, never through a float.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from functools import cache
from typing import Any, TypeVar

import msgspec
from msgspec import inspect

from domain.errors import FieldError, InvalidInput
from domain.money import parse_decimal
from entrypoints.rest.problems import malformed_json

T = TypeVar("T")
# A body whose only faults are integral floats (2.0) where an integer belongs is read again this many times.
MAX_INTEGRAL_FIXES = 100
TIMESTAMP_HINT = "must be an ISO 8601 timestamp with an offset, e.g. 2026-01-15T09:00:00Z"

_AT = re.compile(r"^(?P<message>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.DOTALL)
_PART = re.compile(r"\.([^.\[]+)|\[(\d+)\]")
_KINDS = {"str": "a string", "int": "an integer", "bool": "a boolean", "object": "an object", "array": "an array",
          "float": "a number", "null": "null", "datetime": "an ISO 8601 timestamp with an offset"}
_LONE_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


_UNTYPED = msgspec.json.Decoder(float_hook=Decimal)


@cache
def _decoder(cls: type) -> msgspec.json.Decoder[Any]:
    return msgspec.json.Decoder(cls, float_hook=Decimal)


def decode_body(cls: type[T], raw: bytes) -> T:
    """The Struct ``cls`` read from a JSON body: 400 when it is not JSON, 422 naming the field at fault."""
    if not raw.strip():
        raise malformed_json("the request body is empty; send a JSON object")
    try:
        # A class is hashable; mypy checks it against Hashable by its instances' __hash__ (hence the ignore).
        return _decoder(cls).decode(raw)  # type: ignore[arg-type]
    except msgspec.ValidationError as exc:
        error = exc
    except (msgspec.DecodeError, RecursionError) as exc:
        raise malformed_json(_malformed(raw, exc)) from None
    # msgspec stops at the first fault; a body that is not JSON at all is a 400 wherever its first fault is.
    try:
        document = _UNTYPED.decode(raw)
    except (msgspec.DecodeError, RecursionError) as exc:
        raise malformed_json(_malformed(raw, exc)) from None
    return _with_integral_floats(cls, document, error)


def _malformed(raw: bytes, exc: Exception) -> str:
    if _LONE_SURROGATE.search(raw):  # msgspec calls it truncation; the cause is text no database can store
        return ("the request body is not valid JSON text: a \\ud800-\\udfff escape must be half of a surrogate "
                "pair")
    if isinstance(exc, RecursionError):
        return "the request body is not valid JSON here: it is nested too deeply"
    return f"the request body is not valid JSON: {str(exc)[:200]}"


def _with_integral_floats(cls: type[T], document: Any, error: msgspec.ValidationError) -> T:
    """JSON has one number type: ``2.0`` is the integer 2, as JSON Schema says. msgspec reads integers
    strictly, so a body whose faults are only such numbers is read again with them made integers (a
    slow path, taken only by such bodies)."""
    for _ in range(MAX_INTEGRAL_FIXES):
        message, parts = _split(error)
        if not message.startswith("Expected `int") or not message.endswith(("got `float`", "got `decimal`")):
            break
        parent, key = _locate(document, parts)
        value = parent[key] if parent is not None else None
        if not isinstance(value, Decimal) or value != value.to_integral_value():
            break
        parent[key] = int(value)
        try:
            return msgspec.convert(document, cls)
        except msgspec.ValidationError as exc:
            error = exc
    raise field_error(cls, error) from None


def _locate(document: Any, parts: list[str | int]) -> tuple[Any, str | int]:
    parent = None
    key: str | int = ""
    node = document
    for part in parts:
        parent, key = node, part
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None, key
    return parent, key


def _split(error: msgspec.ValidationError) -> tuple[str, list[str | int]]:
    match = _AT.match(str(error))
    assert match is not None  # the pattern matches any text
    parts: list[str | int] = [name or int(index)
                              for name, index in _PART.findall(match["path"] or "")]
    return match["message"], parts


def _dotted(parts: Sequence[str | int]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def field_error(cls: type, error: msgspec.ValidationError, *, query: bool = False) -> InvalidInput:
    """msgspec's first fault as the problem's field error: a dotted path and a message for people."""
    message, parts = _split(error)
    field_name = re.match(r"Object (missing required|contains unknown) field `(.*)`$", message, re.DOTALL)
    if field_name:
        parts = [*parts, field_name[2]]
        message = "is required" if field_name[1] == "missing required" else "unknown field"
    elif not parts and message.startswith("Expected `object`") and not query:
        message = "the request body must be a JSON object"
    else:
        message = _readable(message, _type_at(cls, parts))
    return InvalidInput(FieldError(_dotted(parts), message))


def _readable(message: str, kind: Any) -> str:
    if "matching regex" in message and "x00]*" in message:
        return "must not contain NUL characters"
    if "datetime" in message:
        return TIMESTAMP_HINT
    if message.startswith("Invalid enum value") or (isinstance(kind, inspect.EnumType)
                                                    and message.startswith("Expected")):
        if isinstance(kind, inspect.EnumType):
            return "must be one of " + ", ".join(str(m.value) for m in kind.cls)
        return message
    bound = re.match(r"Expected `(\w+)` (of length )?(>=|<=) (\d+)$", message)
    if bound:
        what, length, op, n = bound.groups()
        if length:
            unit = "characters" if what == "str" else "items"
            return f"{'at least' if op == '>=' else 'at most'} {n} {unit}"
        return f"must be {'at least' if op == '>=' else 'at most'} {n}"
    expected = re.match(r"Expected `([^`]*)`, got `(\w+)`$", message)
    if expected:
        kinds = [k.strip() for k in expected[1].split("|")]
        if kinds == ["null"]:
            return "must be null"
        words = [_KINDS.get(k, k) for k in kinds if k != "null"]
        return "must be " + " or ".join(words) + (" (or null)" if "null" in kinds else "")
    return message.replace("`", "")


def _type_at(cls: type, parts: Sequence[str | int]) -> Any:
    """The msgspec type found at ``parts`` inside ``cls`` (to name an enumeration's values)."""
    kind: Any = inspect.type_info(cls)
    for part in parts:
        kind = _unwrap(kind)
        if isinstance(kind, inspect.StructType) and isinstance(part, str):
            kind = next((f.type for f in kind.fields if f.encode_name == part), None)
        elif isinstance(kind, (inspect.ListType, inspect.SetType, inspect.FrozenSetType)) and isinstance(part, int):
            kind = kind.item_type
        else:
            return None
    return _unwrap(kind)


def _unwrap(kind: Any) -> Any:
    while True:
        if isinstance(kind, inspect.Metadata):
            kind = kind.type
        elif isinstance(kind, inspect.UnionType):
            options = [t for t in kind.types if not isinstance(t, inspect.NoneType)]
            if len(options) != 1:
                return kind
            kind = options[0]
        else:
            return kind


def decode_query(cls: type[T] | None, params: Sequence[tuple[str, str]],
                 also: frozenset[str] = frozenset()) -> T | None:
    """The query Struct ``cls`` from the request's parameters; unknown or repeated ones are refused.

    ``also`` names parameters read elsewhere (``limit``, ``cursor``). Every declared parameter is
    optional; an empty value is refused rather than read as absent.
    """
    errors: list[FieldError] = []
    # A class is hashable; mypy checks it against Hashable by its instances' __hash__ (hence the ignore).
    known = {f.encode_name for f in _query_fields(cls)} if cls is not None else set()  # type: ignore[arg-type]
    given: dict[str, str] = {}
    repeated: set[str] = set()
    for name, value in params:
        if name not in known and name not in also:
            errors.append(FieldError(name[:64], "unknown query parameter"))
        elif name in given and name not in repeated:
            errors.append(FieldError(name, "given more than once"))
            repeated.add(name)
        given[name] = value
    values: dict[str, str] = {}
    for name in known:
        if name in given and name not in repeated:
            if given[name] == "":
                errors.append(FieldError(name, "must not be empty"))
            else:
                values[name] = given[name]
    if errors:
        raise InvalidInput(errors)
    if cls is None:
        return None
    try:
        return msgspec.convert(values, cls)
    except msgspec.ValidationError as exc:
        error = field_error(cls, exc, query=True)
        if error.errors[0].message == TIMESTAMP_HINT:
            error = InvalidInput.field(error.errors[0].field, TIMESTAMP_HINT + " (send + as %2B)")
        raise error from None


@cache
def _query_fields(cls: type) -> tuple[inspect.Field, ...]:
    info = inspect.type_info(cls)
    assert isinstance(info, inspect.StructType)
    return info.fields


# More decimals than any meter, coordinate or percentage carries: past them a quantity is a mistake.
MAX_QUANTITY_DECIMALS = 12


def quantity(value: Any, field_name: str, *, allow_negative: bool = False,
             max_decimals: int | None = MAX_QUANTITY_DECIMALS) -> Decimal | None:
    """A ``shapes.quantity_field`` value as the ``Decimal`` it is (None stays None), read by the domain's one
    decimal parser."""
    if value is None:
        return None
    return parse_decimal(value, field_name, numbers=True, allow_negative=allow_negative, max_decimals=max_decimals)
