"""Field types shared by the REST door's bodies, queries and views: msgspec annotations that check and document.

Each alias is a type plus ``msgspec.Meta``: what msgspec enforces while decoding (a type, a length, a
range) is what the OpenAPI document publishes. Rules the domain judges (an email, an identity, a price)
are only *described* here (``extra_json_schema``), so that the domain stays their one place and still
names every field at fault.
"""

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Annotated, Any

import msgspec
from msgspec import Meta

from domain.geography import COUNTRIES, CURRENCY_EXPONENTS
from domain.ids import id_pattern
from domain.network.charge_points import IDENTITY
from domain.network.drivers import ID_TAG
from domain.validation import EMAIL, MAX_EMAIL, MAX_NAME

MAX_TOKEN = 200
MAX_TIMEZONE = 64
MAX_ID = 64
MAX_IDENTITY = 48          # an OCPP 2.0.1 identity
MAX_ID_TAG = 36            # an OCPP 2.0.1 IdToken (1.6 idTag: 20)
MAX_CONNECTOR = 100        # connector and EVSE numbers a charge point may have
MAX_DECIMAL_TEXT = 32      # a decimal sent as text: 12 integer digits, a point, decimals to spare

# PostgreSQL text cannot hold NUL: every string the door accepts is refused with one (the message says so).
NO_NUL = "^[^\\x00]*$"
# A list whose items the domain refuses twice (the same connector, tag or weekday).
UNIQUE = {"uniqueItems": True}
# JSON Schema patterns are ECMA-262: Python's \Z (end of text) is written $ there.
PLAIN_DECIMAL = "^[0-9]+(\\.[0-9]+)?$"
PRICE = "^[0-9]{1,12}(\\.[0-9]{1,6})?$"


class Body(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of request bodies: unknown fields are refused, fields are named on construction."""

    def _in_utc(self, *names: str) -> None:
        """Instants are UTC inside: a client's offset is read, then dropped (called by ``__post_init__``)."""
        for name in names:
            value = getattr(self, name)
            if value is not None:
                setattr(self, name, value.astimezone(UTC))


# What Python's \s matches in text; ECMA-262's \s (which JSON Schema tools use) leaves out \x1c-\x1f and \x85.
WHITESPACE = "\\t\\n\\x0b\\x0c\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"


def ecma(pattern: str) -> str:
    """A Python pattern of the domain's as a JSON Schema pattern: ``\\Z`` is ``$``, and ``\\s`` inside a
    character class is spelled out, so that both dialects read the same text as whitespace."""
    return pattern.replace("\\Z", "$").replace("\\s]", WHITESPACE + "]")


def doc(description: str, *examples: Any) -> Meta:
    """A field's description (and examples) for the OpenAPI document."""
    return Meta(description=description, examples=list(examples) if examples else None)


def text(max_length: int, *, min_length: int | None = None, pattern: str | None = None,
         choices: Iterable[str] | None = None) -> Meta:
    """For ``Annotated[str, text(…)]``: at most ``max_length`` characters, no NUL; ``pattern`` and ``choices``
    document the domain's rule (it is checked there, where every field at fault is named)."""
    extra: dict[str, Any] = {}
    if pattern is not None:  # beside the NUL pattern msgspec enforces (JSON Schema: both must match)
        extra["allOf"] = [{"pattern": pattern}]
    if choices is not None:
        extra["enum"] = sorted(choices)
    return Meta(max_length=max_length, min_length=min_length, pattern=NO_NUL, extra_json_schema=extra or None)


def between(low: int, high: int) -> Meta:
    """For ``Annotated[int, between(…)]``: a whole number from ``low`` to ``high`` (``2.0`` counts: JSON has one
    number type)."""
    return Meta(ge=low, le=high)


# Printable text with something in it (the domain refuses blank names and control characters).
PRINTABLE = f"^[^\\x00-\\x1f]*[^\\x00-\\x1f{WHITESPACE}][^\\x00-\\x1f]*$"
Name = Annotated[str, text(MAX_NAME, min_length=1, pattern=PRINTABLE)]
Email = Annotated[str, text(MAX_EMAIL, min_length=3, pattern=ecma(EMAIL.pattern))]
Country = Annotated[str, text(2, choices=COUNTRIES)]
Currency = Annotated[str, text(3, choices=CURRENCY_EXPONENTS)]
Timezone = Annotated[str, text(MAX_TIMEZONE, min_length=1, pattern="^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$")]
Identity = Annotated[str, text(MAX_IDENTITY, pattern=ecma(IDENTITY.pattern))]
IdTag = Annotated[str, text(MAX_ID_TAG, pattern=ecma(ID_TAG.pattern))]


def prefixed_id(prefix: str) -> Meta:
    """For ``Annotated[str, prefixed_id(…)]``: an id such as ``loc_01J…``. Only its length is enforced here:
    an id that names nothing is the use case's to refuse, naming the field."""
    return text(MAX_ID, pattern=id_pattern(prefix))


# An instant: RFC 3339 with an offset (msgspec reads it; a naive time is refused).
Timestamp = Annotated[datetime, Meta(tz=True)]

# Money and prices: a decimal string, never a JSON number (a float would have lost digits already).
Money = Annotated[str, Meta(max_length=MAX_DECIMAL_TEXT, pattern=NO_NUL,
                            extra_json_schema={"allOf": [{"pattern": PRICE}]})]


def quantity_field(pattern: str = PLAIN_DECIMAL, max_length: int = MAX_DECIMAL_TEXT, *,
             nullable: bool = False, minimum: float | None = 0, maximum: float | None = None,
             exclusive_minimum: bool = False, whole_numbers: bool = True) -> Meta:
    """For ``Annotated[Any, quantity_field(…)]``: a quantity or percentage as OCPI and Stripe send it, a JSON number
    or a decimal string (``Any``, so that msgspec leaves it to the domain's decimal reader).

    msgspec hands it over undecoded-to-float: the JSON number's own digits as a ``Decimal`` (the
    door's decoder reads untyped floats with ``float_hook=Decimal``), an ``int``, or the string;
    ``domain.money.parse_decimal`` reads it exactly and names the field at fault. With
    ``whole_numbers`` the schema's number form is an integer (see below), though any JSON number is read.
    """
    # A quantity with a decimal limit publishes its number form as whole numbers: a binary double's
    # shortest form (0.30000000000000004) has more decimals than any limit. Decimals travel exactly as
    # text, or as a JSON number the API reads digit for digit.
    number: dict[str, Any] = {"type": "integer" if whole_numbers else "number"}
    if minimum is not None:
        number["exclusiveMinimum" if exclusive_minimum else "minimum"] = minimum
    if maximum is not None:
        number["maximum"] = maximum
    kinds: list[dict[str, Any]] = [number, {"type": "string", "pattern": pattern, "maxLength": max_length}]
    if nullable:
        kinds.append({"type": "null"})
    return Meta(extra_json_schema={"anyOf": kinds})


