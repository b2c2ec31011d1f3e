"""JSON shapes declared once as attrs classes: validated at the edge and turned into JSON Schema.

Request bodies and response views are plain attrs classes whose fields carry ``metadata``
(``max_length``, ``minimum``/``maximum``, ``min_items``/``max_items``, ``description``,
``example``). ``parse`` checks a decoded JSON value against a declaration strictly (no int→str
coercion, no bool-as-int, no unknown fields) and names every field at fault with a dotted path
(``evses[0].connectors[1].connector_id``); ``parse_query`` does the same for query parameters.
``SchemaBuilder`` emits the JSON Schema (2020-12, as used by OpenAPI 3.1) of the same
declarations, so validation and documentation cannot drift apart.

Where JSON Schema and the edge could disagree, the edge follows JSON Schema: an integral number
(``2.0``) is an integer, and string patterns are matched as ``jsonschema`` matches them.
"""

from __future__ import annotations

import enum
import math
import re
import types
import typing
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any, Literal, TypeVar, Union

import attrs

from domain.errors import FieldErrors

T = TypeVar("T")
_INVALID = object()

# RFC 3339 date-time with a mandatory offset (ISO 8601 as clients send it); the calendar is checked on parsing.
TIMESTAMP_PATTERN = (r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?"
                     r"(Z|[+-][0-9]{2}:[0-9]{2})$")
TIMESTAMP_HINT = "must be an ISO 8601 timestamp with an offset, e.g. 2026-01-15T09:00:00Z"
MAX_TIMESTAMP = 35
DECIMAL_PATTERN = r"^[+-]?[0-9]+(\.[0-9]+)?$"
UNSIGNED_DECIMAL_PATTERN = r"^[0-9]+(\.[0-9]+)?$"
# Bounds for integers without declared ones: what every database column and charge point can hold.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1


class FreeForm:
    """A body the edge only checks to be a JSON object: its fields are the domain's to validate (and name).

    Subclasses set ``example`` (published in the schema); the object itself is in ``document``.
    """

    example: typing.ClassVar[dict[str, Any]] = {}

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document


def _free_form(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, FreeForm)


def text(max_length: int, description: str, *, example: str | None = None,
         default: Any = attrs.NOTHING) -> Any:
    """A string field; ``max_length`` is enforced at the edge and published in the schema."""
    return attrs.field(default=default, metadata={"max_length": max_length, "description": description,
                                                  "example": example})


def described(description: str, *, example: Any = None, default: Any = attrs.NOTHING,
              factory: Any = None) -> Any:
    metadata = {"description": description, "example": example}
    if factory is not None:
        return attrs.field(factory=factory, metadata=metadata)
    return attrs.field(default=default, metadata=metadata)


def integer(description: str, minimum: int, maximum: int, *, example: int | None = None,
            default: Any = attrs.NOTHING) -> Any:
    """An integer field within ``minimum``..``maximum`` (checked at the edge, published in the schema)."""
    return attrs.field(default=default, metadata={"description": description, "example": example,
                                                  "minimum": minimum, "maximum": maximum})


def decimal(description: str, max_length: int, *, numbers: bool = False, signed: bool = True,
            example: str | None = None, default: Any = attrs.NOTHING) -> Any:
    """A ``Decimal`` sent as a decimal string; with ``numbers``, a JSON number is accepted too.

    Quantities that are not money (coordinates) take numbers; money and limits take strings only,
    so that no client sends them through a float.
    """
    return attrs.field(default=default, metadata={
        "description": description, "example": example, "max_length": max_length, "numbers": numbers,
        "pattern": DECIMAL_PATTERN if signed else UNSIGNED_DECIMAL_PATTERN})


def items(description: str, *, max_items: int, min_items: int = 0, max_length: int | None = None,
          example: Any = None, default: Any = attrs.NOTHING, factory: Any = None) -> Any:
    """A list field; ``max_length`` bounds each item when the items are strings."""
    metadata = {"description": description, "example": example, "min_items": min_items, "max_items": max_items,
                "max_length": max_length}
    if factory is not None:
        return attrs.field(factory=factory, metadata=metadata)
    return attrs.field(default=default, metadata=metadata)


def parameter(description: str, *, name: str | None = None, max_length: int | None = None,
              example: Any = None) -> Any:
    """A query parameter (always optional); ``name`` when the wire name is not a Python name (``from``)."""
    return attrs.field(default=None, metadata={"description": description, "example": example,
                                               "max_length": max_length, "name": name})


def wire_name(f: attrs.Attribute) -> str:
    return str(f.metadata.get("name") or f.name)


@cache
def _fields(cls: type) -> tuple[attrs.Attribute, ...]:
    attrs.resolve_types(cls)
    return attrs.fields(cls)


def fields_of(cls: type) -> tuple[attrs.Attribute, ...]:
    """The declaration's fields, their types resolved."""
    return _fields(cls)


def _optional_inner(kind: Any) -> Any | None:
    """``X`` for ``X | None``, else None."""
    if typing.get_origin(kind) in (Union, types.UnionType):
        args = [a for a in typing.get_args(kind) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(kind)) == 2:
            return args[0]
    return None


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


# ---------------------------------------------------------------- validation


def parse(cls: type[T], value: object) -> T:
    """The declaration ``cls`` built from a decoded JSON value, or ``InvalidInput`` naming each bad field."""
    errors = FieldErrors()
    if not isinstance(value, dict):
        errors.add("", "the request body must be a JSON object")
        errors.raise_if_any()
    if _free_form(cls):
        _check_free_text(value, "", errors)
        errors.raise_if_any()
        return typing.cast(T, cls(typing.cast(dict, value)))
    result = _check(cls, value, "", {}, errors)
    errors.raise_if_any()
    return typing.cast(T, result)


def _check(kind: Any, value: object, path: str, meta: dict[str, Any], errors: FieldErrors) -> Any:
    inner = _optional_inner(kind)
    if inner is not None:
        return None if value is None else _check(inner, value, path, meta, errors)
    if value is None:
        errors.add(path, "must not be null")
        return _INVALID
    if kind is str:
        return _check_str(value, path, meta, errors)
    if kind is bool:
        if isinstance(value, bool):
            return value
        errors.add(path, "must be a boolean")
        return _INVALID
    if kind is int:
        return _check_int(value, path, meta, errors)
    if kind is Decimal:
        return _check_decimal(value, path, meta, errors)
    if kind is datetime:
        if isinstance(value, str):
            parsed = parse_timestamp(value)
            if parsed is not None:
                return parsed
        errors.add(path, TIMESTAMP_HINT)
        return _INVALID
    if typing.get_origin(kind) is list:
        return _check_list(typing.get_args(kind)[0], value, path, meta, errors)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        allowed = [m.value for m in kind]
        if isinstance(value, str) and value in allowed:
            return kind(value)
        errors.add(path, f"must be one of {', '.join(allowed)}")
        return _INVALID
    if attrs.has(kind):
        return _check_object(kind, value, path, errors)
    raise TypeError(f"no JSON declaration for {kind!r}")


def _check_str(value: object, path: str, meta: dict[str, Any], errors: FieldErrors) -> Any:
    if not isinstance(value, str):
        errors.add(path, "must be a string")
        return _INVALID
    max_length = meta.get("max_length")
    if max_length is not None and len(value) > max_length:
        errors.add(path, f"at most {max_length} characters")
        return _INVALID
    # PostgreSQL text cannot hold NUL, and lone surrogates cannot be encoded: refuse both here.
    if "\x00" in value:
        errors.add(path, "must not contain NUL characters")
        return _INVALID
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        errors.add(path, "must be valid Unicode text")
        return _INVALID
    return value


def _check_free_text(value: object, path: str, errors: FieldErrors) -> None:
    """In a free-form body, every string (keys too) is refused with NUL or a lone surrogate, as declared ones are."""
    if isinstance(value, str):
        _check_str(value, path, {}, errors)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_free_text(item, f"{path}[{i}]", errors)
    elif isinstance(value, dict):
        for key, item in value.items():
            key_path = _join(path, key)
            if _check_str(key, key_path, {}, errors) is not _INVALID:
                _check_free_text(item, key_path, errors)


def _check_int(value: object, path: str, meta: dict[str, Any], errors: FieldErrors) -> Any:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # JSON has one number type: 2.0 is the integer 2, as JSON Schema says
    if not isinstance(value, int) or isinstance(value, bool):
        errors.add(path, "must be an integer")
        return _INVALID
    low, high = meta.get("minimum", INT_MIN), meta.get("maximum", INT_MAX)
    if not low <= value <= high:
        errors.add(path, f"must be between {low} and {high}")
        return _INVALID
    return value


def _check_decimal(value: object, path: str, meta: dict[str, Any], errors: FieldErrors) -> Any:
    numbers = bool(meta.get("numbers"))
    if numbers and isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and not math.isfinite(value):  # 1e999 decodes to infinity
            errors.add(path, "must be a finite number")
            return _INVALID
        return Decimal(str(value))
    hint = "must be a number or a decimal string" if numbers else 'must be a decimal string (e.g. "12.5")'
    max_length = meta.get("max_length")
    if not isinstance(value, str) or (max_length is not None and len(value) > max_length) \
            or not re.search(meta["pattern"], value):
        errors.add(path, hint + (f" of at most {max_length} characters" if max_length else ""))
        return _INVALID
    try:
        return Decimal(value)
    except InvalidOperation:  # the pattern admits only what Decimal reads; kept for safety
        errors.add(path, hint)
        return _INVALID


def _check_list(item: Any, value: object, path: str, meta: dict[str, Any], errors: FieldErrors) -> Any:
    if not isinstance(value, list):
        errors.add(path, "must be an array")
        return _INVALID
    low, high = meta.get("min_items", 0), meta.get("max_items")
    if len(value) < low or (high is not None and len(value) > high):
        errors.add(path, f"must have {low} to {high} items" if high is not None else f"at least {low} items")
        return _INVALID
    item_meta = {"max_length": meta.get("max_length")}
    checked = [_check(item, v, f"{path}[{i}]", item_meta, errors) for i, v in enumerate(value)]
    return _INVALID if any(c is _INVALID for c in checked) else checked


def parse_timestamp(value: str) -> datetime | None:
    """An aware UTC datetime from an RFC 3339 timestamp with offset, or None."""
    if len(value) > MAX_TIMESTAMP or not re.search(TIMESTAMP_PATTERN, value):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:  # the shape is right but the calendar is not (month 13, 24:00)
        return None
    return parsed.astimezone(UTC)


def _check_object(cls: type, value: object, path: str, errors: FieldErrors) -> Any:
    if not isinstance(value, dict):
        errors.add(path, "must be an object")
        return _INVALID
    known = _fields(cls)
    names = {f.name for f in known}
    values: dict[str, Any] = {}
    ok = True
    for f in known:
        field_path = _join(path, f.name)
        if f.name in value:
            checked = _check(f.type, value[f.name], field_path, dict(f.metadata), errors)
            if checked is _INVALID:
                ok = False
            else:
                values[f.name] = checked
        elif f.default is attrs.NOTHING:
            errors.add(field_path, "is required")
            ok = False
    for key in value:
        if key not in names:
            errors.add(_join(path, str(key)), "unknown field")
            ok = False
    return cls(**values) if ok else _INVALID


def parse_query(cls: type[T] | None, params: Sequence[tuple[str, str]], also: frozenset[str] = frozenset()) -> T | None:
    """The query declaration ``cls`` from the request's parameters; unknown or repeated ones are refused.

    ``also`` names parameters read elsewhere (``limit``, ``cursor``). Every declared parameter is
    optional; an empty value is refused rather than read as absent.
    """
    errors = FieldErrors()
    known = {wire_name(f): f for f in _fields(cls)} if cls is not None else {}
    given: dict[str, str] = {}
    repeated: set[str] = set()
    for name, value in params:
        if name not in known and name not in also:
            errors.add(name[:64], "unknown query parameter")
        elif name in given and name not in repeated:
            errors.add(name, "given more than once")
            repeated.add(name)
        given[name] = value
    values: dict[str, Any] = {}
    for name, f in known.items():
        if name not in given or name in repeated:
            continue
        checked = _check_query(f, given[name], name, errors)
        if checked is not _INVALID:
            values[f.name] = checked
    errors.raise_if_any()
    return None if cls is None else cls(**values)


def _check_query(f: attrs.Attribute, raw: str, name: str, errors: FieldErrors) -> Any:
    kind = _optional_inner(f.type) or f.type
    if kind is datetime:
        parsed = parse_timestamp(raw)
        if parsed is None:
            errors.add(name, TIMESTAMP_HINT + " (send + as %2B)")
            return _INVALID
        return parsed
    if raw == "":
        errors.add(name, "must not be empty")
        return _INVALID
    return _check(kind, raw, name, dict(f.metadata), errors)


# ---------------------------------------------------------------- JSON Schema


class SchemaBuilder:
    """Collects the component schemas that declarations refer to while building their schemas."""

    def __init__(self, ref_prefix: str = "#/components/schemas/") -> None:
        self.ref_prefix = ref_prefix
        self.components: dict[str, dict[str, Any]] = {}
        self._owners: dict[str, tuple[type, bool]] = {}

    def schema(self, kind: Any, *, request: bool = False, meta: dict[str, Any] | None = None) -> dict[str, Any]:
        meta = meta or {}
        inner = _optional_inner(kind)
        if inner is not None:
            base = self.schema(inner, request=request, meta=meta)
            if isinstance(base.get("type"), str):
                nullable = dict(base, type=[base["type"], "null"])
                if "enum" in nullable:
                    nullable["enum"] = [*nullable["enum"], None]
                return nullable
            return {"anyOf": [base, {"type": "null"}]}
        if typing.get_origin(kind) is Literal:
            (value,) = typing.get_args(kind)
            return {"type": "string", "const": value}
        if typing.get_origin(kind) in (Union, types.UnionType):
            return {"oneOf": [self.schema(a, request=request) for a in typing.get_args(kind)]}
        if typing.get_origin(kind) is list:
            (item,) = typing.get_args(kind)
            array: dict[str, Any] = {"type": "array",
                                     "items": self.schema(item, request=request,
                                                          meta={"max_length": meta.get("max_length")})}
            if request and meta.get("min_items"):
                array["minItems"] = meta["min_items"]
            if request and meta.get("max_items") is not None:
                array["maxItems"] = meta["max_items"]
            return array
        if typing.get_origin(kind) is dict:
            return {"type": "object"}
        if kind is str:
            out: dict[str, Any] = {"type": "string"}
            if meta.get("max_length") is not None:
                out["maxLength"] = meta["max_length"]
            return out
        if kind is bool:
            return {"type": "boolean"}
        if kind is int:
            if not request:
                return {"type": "integer"}
            return {"type": "integer", "minimum": meta.get("minimum", INT_MIN), "maximum": meta.get("maximum", INT_MAX)}
        if kind is float:
            return {"type": "number"}
        if kind is Decimal:
            if not request:
                return {"type": "string", "pattern": DECIMAL_PATTERN}
            number: dict[str, Any] = {"type": ["number", "string"] if meta.get("numbers") else "string",
                                      "pattern": meta["pattern"]}
            if meta.get("max_length") is not None:
                number["maxLength"] = meta["max_length"]
            return number
        if kind is datetime:
            if not request:
                return {"type": "string", "format": "date-time"}
            return {"type": "string", "format": "date-time", "pattern": TIMESTAMP_PATTERN, "maxLength": MAX_TIMESTAMP}
        if isinstance(kind, type) and issubclass(kind, enum.Enum):
            return {"type": "string", "enum": [m.value for m in kind]}
        if _free_form(kind):
            if kind.__name__ not in self.components:
                self.components[kind.__name__] = {"type": "object", "description": " ".join((kind.__doc__ or "").split()),
                                                  "examples": [kind.example]}
            return {"$ref": self.ref_prefix + kind.__name__}
        if attrs.has(kind):
            return {"$ref": self.ref_prefix + self._component(kind, request)}
        raise TypeError(f"no JSON declaration for {kind!r}")

    def parameter_schema(self, f: attrs.Attribute) -> dict[str, Any]:
        """A query parameter's schema: its field's, never null (an absent parameter is the null)."""
        kind = _optional_inner(f.type) or f.type
        return self.schema(kind, request=True, meta=dict(f.metadata))

    def _component(self, cls: type, request: bool) -> str:
        # A class used in both directions differs in ``required``: the request side gets its own name.
        if request:
            name = cls.__name__ if cls.__name__.endswith("Body") else cls.__name__ + "Input"
        else:
            name = cls.__name__.removesuffix("Out")
        if name in self._owners:
            if self._owners[name] != (cls, request):
                raise TypeError(f"two declarations named {name}")
            return name
        self._owners[name] = (cls, request)
        self.components[name] = {}  # reserve first, so a recursive declaration terminates
        properties: dict[str, Any] = {}
        required: list[str] = []
        for f in _fields(cls):
            prop = self.schema(f.type, request=request, meta=dict(f.metadata))
            if f.metadata.get("description"):
                prop = {**prop, "description": f.metadata["description"]}  # 3.1 allows siblings of $ref
            if f.metadata.get("example") is not None:
                prop["examples"] = [f.metadata["example"]]
            if request and f.default is not attrs.NOTHING:
                default = f.default.factory() if isinstance(f.default, attrs.Factory) else f.default
                if default is None or isinstance(default, (str, bool, int)):
                    prop["default"] = default.value if isinstance(default, enum.Enum) else default
                elif isinstance(default, (list, tuple)):
                    prop["default"] = list(default)
                elif attrs.has(type(default)):
                    prop["default"] = attrs.asdict(default)
            properties[f.name] = prop
            if not request or f.default is attrs.NOTHING:
                required.append(f.name)
        component: dict[str, Any] = {"type": "object"}
        if cls.__doc__:
            component["description"] = " ".join(cls.__doc__.split())
        component.update(properties=properties, required=required, additionalProperties=False)
        self.components[name] = component
        return name
