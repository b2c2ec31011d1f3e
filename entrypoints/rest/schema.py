"""JSON shapes declared once as attrs classes: validated at the edge and turned into JSON Schema.

Request bodies and response views are plain attrs classes whose fields carry ``metadata``
(``max_length``, ``description``, ``example``). ``parse`` checks a decoded JSON value against a
declaration strictly (no int→str coercion, no bool-as-int, no unknown fields) and names every
field at fault with a dotted path; ``SchemaBuilder`` emits the JSON Schema (2020-12, as used by
OpenAPI 3.1) of the same declaration, so validation and documentation cannot drift apart.
"""

from __future__ import annotations

import enum
import types
import typing
from datetime import datetime
from functools import cache
from typing import Any, Literal, TypeVar, Union

import attrs

from domain.errors import FieldErrors

T = TypeVar("T")
_INVALID = object()


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


@cache
def _fields(cls: type) -> tuple[attrs.Attribute, ...]:
    attrs.resolve_types(cls)
    return attrs.fields(cls)


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
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        errors.add(path, "must be an integer")
        return _INVALID
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
            return {"type": "array", "items": self.schema(item, request=request)}
        if kind is str:
            out: dict[str, Any] = {"type": "string"}
            if meta.get("max_length") is not None:
                out["maxLength"] = meta["max_length"]
            return out
        if kind is bool:
            return {"type": "boolean"}
        if kind is int:
            return {"type": "integer"}
        if kind is datetime:
            return {"type": "string", "format": "date-time"}
        if isinstance(kind, type) and issubclass(kind, enum.Enum):
            return {"type": "string", "enum": [m.value for m in kind]}
        if attrs.has(kind):
            return {"$ref": self.ref_prefix + self._component(kind, request)}
        raise TypeError(f"no JSON declaration for {kind!r}")

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
                    prop["default"] = default
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
