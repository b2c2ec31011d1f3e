"""Bad bodies and query strings generated from the msgspec Structs: wrong types, absence, excess, junk.

The same Structs that the REST door decodes with (read through ``msgspec.inspect``) drive the cases,
so a new field or query parameter is attacked as soon as it is declared. ``attack`` sends the body cases to one
endpoint, ``attack_query`` the query cases, through any ``Api`` (in-memory in unit tests, a real server end
to end), and each lists what came back wrong.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import attrs
import httpx
from attrs import frozen
from msgspec import inspect

from entrypoints.rest.routes import ENDPOINTS
from entrypoints.rest.shapes import PRICE
from tests.e2e.rest.billing import SELLER, open_invoice
from tests.e2e.rest.client import PASSWORD, Api
from tests.e2e.rest.network import Sessions

OVERSIZE_BYTES = 1_100_000  # past the default 1 MiB body limit
LONG = "x" * 10_000
UNIQUE = b"{unique}"  # replaced in each case's body by a value no other case has
_unique = itertools.count(1)


@frozen
class Case:
    label: str
    content: bytes
    content_type: str = "application/json"
    status: int | None = None  # exact status expected; None means any 4xx
    field: str | None = None   # the field ``errors`` must name (for 422s)
    reaches_core: bool = False  # passes the edge's checks, so the use case sees it
    may_succeed: bool = False   # may well be valid (a boundary, Unicode): any answer but a 5xx


# Values the domain rejects for fields of these names (with the field named in ``errors``). A value may
# be a (value, field) pair when the error names a part of the field (an item of a list).
SEMANTIC: dict[str, list[Any]] = {
    "country": ["XX", "gb", "1"],
    "currency": ["XYZ", "eur"],
    "timezone": ["Mars/Olympus", "europe/london", "UTC+2"],
    "email": ["not-an-email", "a@b", "@example.com", "a b@example.com"],
    "contact_email": ["not-an-email", "a@b"],
    "billing_email": ["not-an-email"],
    "role": ["owner", "ADMIN", ""],
    "name": ["", "   ", "bell\u0007"],
    "address": ["", "   ", "tab\there"],
    "city": ["", "\n"],
    "password": ["short"],
    "token": ["nope", ""],
    "default_tariff_id": ["not-a-tariff", "trf_"],
    "latitude": ["90.5", -91, 1e300],
    "longitude": ["180.0001", 181.5],
    "site_owner_id": ["nope", "prj_01JD0000000000000000000000"],
    "project_id": ["nope", "so_01JD0000000000000000000000"],
    "id": ["CP 1", "a/b", "CP1\n", "é"],
    "location_id": ["nope", "loc_01JD0000000000000000000000"],
    "ocpp_password": ["short", "x" * 15, "sixteen\tcharacters"],
    "fleet_id": ["nope", "drv_01JD0000000000000000000000"],
    "id_tags": [(["dup", "dup"], "id_tags"), (["with space"], "id_tags[0]"), ([""], "id_tags[0]")],
    "id_tag": ["with space", "é", ""],
    "expires_at": ["2000-01-01T00:00:00Z", "2099-01-01T00:00:00Z"],
    "charge_point_id": ["not-registered", "CP 1"],
    "session_id": ["nope", "ses_01JD0000000000000000000000"],
}


# Billing settings the domain refuses: checksums (python-stdnum, schwifty), prefixes, VAT categories.
SETTINGS_SEMANTIC: dict[str, list[Any]] = {
    "vat_id": ["GB980780685", "XX123", "12345"], "iban": ["GB34BUKB20201555555555", "NOTANIBAN"],
    "bic": ["BUKB", "12345678"], "invoice_number_prefix": ["has space", "a#b"],
    "credit_note_number_prefix": ["a#b", "INV-"], "vat_exemption_category": ["S", "XX", ""],
    "line1": ["", "   "], "postal_code": ["", "\t"]}


# An address of exactly 254 characters (64-character local part, 63-character labels): the longest valid one.
LONGEST_EMAIL = "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 61


# Text beyond ASCII and the Basic Multilingual Plane, which every layer down to the database must keep.
UNICODE = "Ünïcødé 🚗 名前 عربى"
UNICODE_EMAIL = "üñí.😀@example.com"


@frozen
class Kind:
    """A field's type as msgspec sees it, unwrapped: the inspect type, nullability, and its published schema."""

    type: Any
    nullable: bool
    schema: dict[str, Any]

    @property
    def money(self) -> bool:
        return isinstance(self.type, inspect.StrType) and {"pattern": PRICE} in self.schema.get("allOf", [])

    @property
    def quantity(self) -> bool:
        return isinstance(self.type, inspect.AnyType)


def kind_of(kind: Any) -> Kind:
    nullable = False
    schema: dict[str, Any] = {}
    while True:
        if isinstance(kind, inspect.Metadata):
            schema.update(kind.extra_json_schema or {})
            kind = kind.type
        elif isinstance(kind, inspect.UnionType):
            options = [t for t in kind.types if not isinstance(t, inspect.NoneType)]
            nullable = nullable or len(options) < len(kind.types)
            kind = options[0]
        else:
            return Kind(kind, nullable, schema)


def fields_of(cls: type) -> tuple[inspect.Field, ...]:
    info = inspect.type_info(cls)
    assert isinstance(info, inspect.StructType)
    return info.fields


def _wrong_values(kind: Kind) -> list[Any]:
    t = kind.type
    if kind.quantity:
        wrong: list[Any] = [True, [], {}, "abc", "1,5", "1e3", "0x10", " 1", "NaN", "Infinity", "1." + "0" * 40,
                            "-" + "9" * 20]
    elif isinstance(t, inspect.StrType):
        wrong = [12345, True, 1.5, [], {}]
        wrong += [12.5, 3, "abc", "1e3", " 1", "1.5.0"] if kind.money else []
    elif isinstance(t, inspect.BoolType):
        wrong = ["true", 1, 0, [], {}]
    elif isinstance(t, inspect.IntType):
        wrong = ["1", True, 1.5, [], {}, 2**64, t.ge - 1, t.le + 1]
    elif isinstance(t, inspect.DateTimeType):
        wrong = [12345, True, "tomorrow", "2026-01-15", "2026-01-15T09:00:00", "2026-13-01T09:00:00Z",
                 "2026-01-15T24:00:00Z", "2026-02-30T09:00:00Z"]
    elif isinstance(t, inspect.DateType):
        wrong = [12345, True, "tomorrow", "2026-13-01", "2026-02-30", "2026-01-15T09:00:00Z", "15/01/2026"]
    elif isinstance(t, inspect.ListType):
        wrong = ["x", {}, 5, True]
    elif isinstance(t, inspect.EnumType):
        wrong = [5, "superuser", [next(iter(t.cls)).value], True]
    elif isinstance(t, inspect.StructType):
        wrong = ["on", [], 5, True]
    else:
        raise TypeError(t)
    return wrong if kind.nullable or kind.quantity else [*wrong, None]


def _encode(value: Any) -> bytes:
    return json.dumps(value).encode()


def _set(body: dict, path: list[str | int], value: Any) -> dict:
    out = json.loads(json.dumps(body))
    target = out
    for part in path[:-1]:
        target = target[part] if isinstance(part, int) else target.setdefault(part, {})
    target[path[-1]] = value
    return out


def _drop(body: dict, path: list[str | int]) -> dict:
    out = json.loads(json.dumps(body))
    target = out
    for part in path[:-1]:
        target = target[part]
    del target[path[-1]]
    return out


def _dotted(path: list[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _get(body: Any, path: list[str | int]) -> Any:
    for part in path:
        body = body[part]
    return body


def _string_cases(name: str, valid: dict, path: list[str | int], max_length: int) -> list[Case]:
    dotted = _dotted(path)
    longest = LONGEST_EMAIL if "email" in name else "a" * max_length
    assert len(longest) == max_length, f"{dotted}: boundary value does not match the declared maximum"
    unicode = UNICODE_EMAIL if "email" in name else UNICODE[:max_length]
    return [
        Case(f"{dotted} 10,000 characters", _encode(_set(valid, path, LONG)), status=422, field=dotted),
        Case(f"{dotted} at its maximum length", _encode(_set(valid, path, longest)), reaches_core=True,
             may_succeed=True),
        Case(f"{dotted} in Unicode", _encode(_set(valid, path, unicode)), reaches_core=True, may_succeed=True),
        Case(f"{dotted} with NUL", _encode(_set(valid, path, "a\u0000b")), status=422, field=dotted),
    ]


def _field_cases(cls: type, valid: dict, prefix: list[str | int], semantic_status: int | None,
                 semantic: dict[str, list[Any]]) -> list[Case]:
    cases: list[Case] = []
    for f in fields_of(cls):
        name = f.encode_name
        path = [*prefix, name]
        dotted = _dotted(path)
        kind = kind_of(f.type)
        t = kind.type
        for wrong in _wrong_values(kind):
            cases.append(Case(f"{dotted} = {json.dumps(wrong)[:40]}", _encode(_set(valid, path, wrong)), status=422,
                              field=dotted))
        if f.required:
            cases.append(Case(f"{dotted} missing", _encode(_drop(valid, path)), status=422, field=dotted))
        if isinstance(t, inspect.StrType):
            cases += _string_cases(name, valid, path, t.max_length)
        if isinstance(t, inspect.IntType):
            for bound in (t.ge, t.le):
                cases.append(Case(f"{dotted} = {bound} (a bound)", _encode(_set(valid, path, bound)),
                                  reaches_core=True, may_succeed=True))
            cases.append(Case(f"{dotted} as 1.0", _encode(_set(valid, path, float(max(t.ge, 1)))),
                              reaches_core=True, may_succeed=True))
        if kind.quantity:
            # Read exactly: a JSON number with more digits than a double holds, the same as text, and 1e999.
            exact = b"0.1000000000000000000001"
            cases.append(Case(f"{dotted} as a long JSON number", _encode(_set(valid, path, "@@")).replace(
                b'"@@"', exact), reaches_core=True, may_succeed=True))
            cases.append(Case(f"{dotted} as a long decimal string", _encode(_set(valid, path, exact.decode())),
                              reaches_core=True, may_succeed=True))
            cases.append(Case(f"{dotted} = 1e999", _encode(_set(valid, path, "@@")).replace(b'"@@"', b"1e999"),
                              status=422, field=dotted))
            cases.append(Case(f"{dotted} = 20 (a JSON integer)", _encode(_set(valid, path, 20)),
                              reaches_core=True, may_succeed=True))
        if isinstance(t, inspect.ListType):
            cases += _list_cases(name, t, valid, path, semantic_status, semantic)
        for junk in semantic.get(name, []):
            value, field = junk if isinstance(junk, tuple) else (junk, dotted)
            expect_field = semantic_status in (None, 422)
            cases.append(Case(f"{dotted} = {json.dumps(value)[:40]}", _encode(_set(valid, path, value)),
                              status=semantic_status or 422, field=field if expect_field else None,
                              reaches_core=True))
        if isinstance(t, inspect.StructType):
            nested = _get(valid, path) if isinstance(_get_or_none(valid, path), dict) else {}
            cases += _field_cases(t.cls, _set(valid, path, nested), path, semantic_status, semantic)
            cases.append(Case(f"{dotted}.surprise unknown", _encode(_set(valid, path, {**nested, "surprise": 1})),
                              status=422, field=f"{dotted}.surprise"))
    return cases


def _get_or_none(body: Any, path: list[str | int]) -> Any:
    try:
        return _get(body, path)
    except (KeyError, IndexError, TypeError):
        return None


def _list_cases(name: str, kind: inspect.ListType, valid: dict, path: list[str | int],
                semantic_status: int | None, semantic: dict[str, list[Any]]) -> list[Case]:
    dotted = _dotted(path)
    item = kind_of(kind.item_type)
    current = _get_or_none(valid, path) or []
    sample = current[0] if current else ("t" if isinstance(item.type, inspect.StrType) else None)
    cases = []
    if sample is not None and kind.max_length is not None:
        too_many = [sample] * (kind.max_length + 1)
        cases.append(Case(f"{dotted} with {len(too_many)} items", _encode(_set(valid, path, too_many)), status=422,
                          field=dotted))
    if kind.min_length:
        cases.append(Case(f"{dotted} empty", _encode(_set(valid, path, [])), status=422, field=dotted))
    item_path = [*path, 0]
    with_item = _set(valid, path, current or [sample])
    if isinstance(item.type, inspect.StrType):
        for wrong in [5, None, True, [], {}]:
            cases.append(Case(f"{dotted}[0] = {json.dumps(wrong)}", _encode(_set(with_item, item_path, wrong)),
                              status=422, field=_dotted(item_path)))
        cases += _string_cases(name, with_item, item_path, item.type.max_length)
    elif isinstance(item.type, inspect.EnumType) and current:
        for wrong in [5, None, "SOMEDAY", []]:
            cases.append(Case(f"{dotted}[0] = {json.dumps(wrong)}", _encode(_set(valid, item_path, wrong)),
                              status=422, field=_dotted(item_path)))
    elif isinstance(item.type, inspect.StructType) and current:
        for wrong in ["x", 5, [], None, True]:
            cases.append(Case(f"{dotted}[0] = {json.dumps(wrong)}", _encode(_set(valid, item_path, wrong)),
                              status=422, field=_dotted(item_path)))
        cases += _field_cases(item.type.cls, valid, item_path, semantic_status, semantic)
        cases.append(Case(f"{dotted}[0].surprise unknown",
                          _encode(_set(valid, item_path, {**current[0], "surprise": 1})), status=422,
                          field=f"{_dotted(item_path)}.surprise"))
    return cases


# A valid tariff (OCPI 2.2.1 model), and what the domain's parser must refuse in it, naming the field.
VALID_TARIFF: dict[str, Any] = {
    "name": "Standard AC", "currency": "EUR", "type": "REGULAR",
    "tariff_alt_text": [{"language": "en", "text": "30 ct/kWh"}],
    "elements": [
        {"price_components": [{"type": "ENERGY", "price": "0.30", "vat": "20", "step_size": 1},
                              {"type": "TIME", "price": "1.20", "step_size": 60}],
         "restrictions": {"start_time": "08:00", "end_time": "20:00", "day_of_week": ["MONDAY", "FRIDAY"],
                          "min_kwh": "0.5"}},
        {"price_components": [{"type": "FLAT", "price": "0.50", "step_size": 1}]},
    ],
    "min_price": {"excl_vat": "1.00"}, "max_price": {"excl_vat": "50.00", "incl_vat": "60.00"},
}
_PC = ["elements", 0, "price_components"]
TARIFF_JUNK: list[tuple[str, list[str | int], Any, str]] = [
    ("negative price", [*_PC, 1, "price"], "-1.20", "elements[0].price_components[1].price"),
    ("a float price", [*_PC, 1, "price"], 1.2, "elements[0].price_components[1].price"),
    ("an integer price", [*_PC, 0, "price"], 3, "elements[0].price_components[0].price"),
    ("a price in words", [*_PC, 0, "price"], "cheap", "elements[0].price_components[0].price"),
    ("a huge price", [*_PC, 0, "price"], "9" * 5000, "elements[0].price_components[0].price"),
    ("an unknown type", [*_PC, 0, "type"], "PARKING", "elements[0].price_components[0].type"),
    ("a type in lower case", [*_PC, 0, "type"], "energy", "elements[0].price_components[0].type"),
    ("a null type", [*_PC, 0, "type"], None, "elements[0].price_components[0].type"),
    ("a negative vat", [*_PC, 0, "vat"], "-5", "elements[0].price_components[0].vat"),
    ("a step_size of 0", [*_PC, 0, "step_size"], 0, "elements[0].price_components[0].step_size"),
    ("a step_size as text", [*_PC, 0, "step_size"], "1", "elements[0].price_components[0].step_size"),
    ("a step_size of true", [*_PC, 0, "step_size"], True, "elements[0].price_components[0].step_size"),
    ("a huge step_size", [*_PC, 0, "step_size"], 2**70, "elements[0].price_components[0].step_size"),
    ("a price component that is a string", [*_PC, 0], "ENERGY", "elements[0].price_components[0]"),
    ("an unknown component field", [*_PC, 0, "surprise"], 1, "elements[0].price_components[0].surprise"),
    ("start_time 25:00", ["elements", 0, "restrictions", "start_time"], "25:00",
     "elements[0].restrictions.start_time"),
    ("start_time 8am", ["elements", 0, "restrictions", "start_time"], "8am", "elements[0].restrictions.start_time"),
    ("an unknown day", ["elements", 0, "restrictions", "day_of_week"], ["MONDAY", "FUNDAY"],
     "elements[0].restrictions.day_of_week[1]"),
    ("a negative min_kwh", ["elements", 0, "restrictions", "min_kwh"], -0.5, "elements[0].restrictions.min_kwh"),
    ("a vat over 100", [*_PC, 0, "vat"], 100.5, "elements[0].price_components[0].vat"),
    ("a min_kwh in exponent notation", ["elements", 0, "restrictions", "min_kwh"], "5e-1",
     "elements[0].restrictions.min_kwh"),
    ("an unknown restriction", ["elements", 0, "restrictions", "surprise"], 1,
     "elements[0].restrictions.surprise"),
    ("restrictions as a list", ["elements", 0, "restrictions"], [], "elements[0].restrictions"),
    ("a bad currency", ["currency"], "XYZ", "currency"),
    ("a currency in lower case", ["currency"], "eur", "currency"),
    ("a currency as a number", ["currency"], 978, "currency"),
    ("a null currency", ["currency"], None, "currency"),
    ("no elements", ["elements"], [], "elements"),
    ("elements as an object", ["elements"], {}, "elements"),
    ("an element that is a number", ["elements", 1], 5, "elements[1]"),
    ("a float min_price", ["min_price", "excl_vat"], 1.0, "min_price.excl_vat"),
    ("a name of 10,000 characters", ["name"], LONG, "name"),
    ("a name with NUL", ["name"], "a\u0000b", "name"),

    ("alt text with NUL", ["tariff_alt_text", 0, "text"], "a\u0000b", "tariff_alt_text[0].text"),
    ("a bad start_date_time", ["start_date_time"], "tomorrow", "start_date_time"),
]


# A tariff's own OCPI id is free text (a charge point's identity rules do not apply to it).
TARIFF_SEMANTIC: dict[str, list[Any]] = {"id": [" ", "bell\u0007"], "language": ["e1", "eng"],
                                         "tariff_alt_url": ["ftp://x", "not a url"]}


def tariff_cases() -> list[Case]:
    """What only the domain's tariff parser refuses (and names), beyond what the Structs generate."""
    cases = [Case(f"tariff with {label}", _encode(_set(VALID_TARIFF, path, value)), status=422, field=field,
                  reaches_core=True) for label, path, value, field in TARIFF_JUNK]
    no_currency = _drop(VALID_TARIFF, ["currency"])
    cases += [
        Case("tariff without currency", _encode(no_currency), status=422, field="currency", reaches_core=True),
        Case("tariff without elements", _encode(_drop(VALID_TARIFF, ["elements"])), status=422, field="elements",
             reaches_core=True),
        Case("tariff without price components", _encode(_drop(VALID_TARIFF, ["elements", 1, "price_components"])),
             status=422, reaches_core=True),
        Case("tariff in Unicode", _encode(_set(VALID_TARIFF, ["name"], UNICODE)), reaches_core=True,
             may_succeed=True),
        # JSON can spell text that no database can store; it is refused as malformed before any field is read.
        Case("tariff name with a lone surrogate", _encode(_set(VALID_TARIFF, ["name"], "a\ud800b")), status=400),
        # As a partner sends it (OCPI): VAT and restrictions as JSON numbers.
        Case("tariff with vat and min_power as numbers",
             _encode(_set(_set(VALID_TARIFF, [*_PC, 0, "vat"], 20), ["elements", 0, "restrictions", "min_power"],
                          50)), reaches_core=True, may_succeed=True),
        Case("the tariff nested 10,000 deep", b'{"name": ' + b"[" * 10_000 + b"]" * 10_000 + b"}", status=None),
    ]
    return cases


def cases_for(body_cls: type, valid: dict, *, semantic_status: int | None = None,
              semantic: dict[str, list[Any]] | None = None) -> list[Case]:
    """Every bad variant of ``valid``; ``semantic_status`` overrides 422 where the use case answers otherwise."""
    cases = [
        Case("the valid body", _encode(valid), reaches_core=True, may_succeed=True),
        Case("truncated JSON", _encode(valid)[:-1], status=400),
        Case("not JSON at all", b"name=value", status=400),
        Case("empty body", b"", status=400),
        Case("NaN", b'{"a": NaN}', status=400),
        Case("a JSON array", _encode([valid]), status=422, field=""),
        Case("a JSON string", _encode("body"), status=422, field=""),
        Case("JSON null", b"null", status=422, field=""),
        Case("a JSON number", b"42", status=422, field=""),
        Case("an unknown field", _encode(valid | {"surprise": True}), status=422, field="surprise"),
        Case("form encoded", b"a=b", content_type="application/x-www-form-urlencoded", status=415),
        Case("no content type", _encode(valid), content_type="", status=415),
        Case("oversize body", _encode(valid | {"padding": "x" * OVERSIZE_BYTES}), status=413),
    ]
    cases += _field_cases(body_cls, valid, [], semantic_status, {**SEMANTIC, **(semantic or {})})
    return cases + (tariff_cases() if valid is VALID_TARIFF else [])


BODY_ENDPOINTS = {e.operation_id: e for e in ENDPOINTS if e.body is not None}
QUERY_ENDPOINTS = {e.operation_id: e for e in ENDPOINTS if e.method == "GET" and e.tenant}
NOTIFICATIONS = {"session_completed": True, "invoice_issued": True, "payment_failed": True, "dispute_opened": True,
                 "charge_point_offline": False, "weekly_report": False}


@frozen
class Target:
    """Where and as whom to send an endpoint's cases, and the body they vary."""

    path: str
    valid: dict
    token: str | None
    headers: dict[str, str] = attrs.field(factory=dict)
    semantic_status: int | None = None  # the status semantic junk gets (None: 422)
    semantic: dict[str, list[Any]] = attrs.field(factory=dict)  # junk for this endpoint only


@frozen
class World:
    """What the network endpoints need to exist: an organization with a location and a charge point."""

    org_id: str
    token: str
    email: str
    user_id: str
    location_id: str
    charge_point_id: str

    @property
    def headers(self) -> dict[str, str]:
        return {"X-Organization-Id": self.org_id}


async def network(api: Api, token: str, org_id: str) -> tuple[str, str]:
    """A location and a charge point (one EVSE, connector 1) in the organization: their ids."""
    headers = {"X-Organization-Id": org_id}
    location = await api.post("/locations", token, headers=headers, json={
        "name": "Depot", "address": "1 Road", "city": "London", "country": "GB", "timezone": "Europe/London"})
    assert location.status_code == 201, location.text
    charge_point_id = f"CP-{org_id[-8:]}-{next(_unique)}"
    registered = await api.post("/charge-points", token, headers=headers, json={
        "id": charge_point_id, "location_id": location.json()["id"],
        "evses": [{"evse_id": 1, "connectors": [{"connector_id": 1}]}]})
    assert registered.status_code == 201, registered.text
    return location.json()["id"], charge_point_id


async def build_world(api: Api) -> World:
    user_id, email, token = await api.user("Target")
    org_id = await api.organization(token, "Bad Input")
    location_id, charge_point_id = await network(api, token, org_id)
    return World(org_id, token, email, user_id, location_id, charge_point_id)


def _soon() -> str:
    return (datetime.now(UTC) + timedelta(hours=2)).replace(microsecond=0).isoformat().replace("+00:00", "Z")


async def _target(api: Api, operation_id: str, world: World, sessions: Sessions | None = None) -> Target:
    w = world
    org = f"/organizations/{w.org_id}"
    commands = f"/charge-points/{quote(w.charge_point_id)}/commands"
    tenant = w.headers
    if operation_id in ("updateTariff", "quoteTariff", "createMembershipPlan", "updateMembershipPlan",
                        "createSubscription"):
        return await _pricing_target(api, operation_id, world)
    if operation_id in _BILLING:
        return await _billing_target(api, operation_id, world, sessions)
    if operation_id in _FLEETS:
        return await _fleet_target(api, operation_id, world)
    if operation_id in _PORTAL:
        return await _portal_target(api, operation_id, world)
    if operation_id in _WEBHOOKS:
        return await _webhook_target(api, operation_id, world)
    if operation_id in _SITE_OWNERS:
        return await _site_owner_target(api, operation_id, world)
    if operation_id == "updateMemberRole":
        spare_id, _ = await api.member(w.token, w.org_id, "member", "Spare")
        return Target(f"{org}/members/{spare_id}/role", {"role": "member"}, w.token)
    static: dict[str, Target] = {
        "signup": Target("/auth/signup", {"email": "fresh.person@example.com", "password": PASSWORD, "name": "Fresh"},
                         None),
        # A wrong email or password is just a failed sign-in.
        "issueToken": Target("/auth/token", {"email": w.email, "password": PASSWORD}, None, semantic_status=401),
        "createOrganization": Target("/organizations", {"name": "N", "country": "GB", "contact_email": "n@example.com"},
                                     w.token),
        "updateOrganization": Target(org, {"name": "N", "country": "GB", "contact_email": "n@example.com"}, w.token),
        "createInvitation": Target(f"{org}/invitations", {"email": "someone.new@example.com", "role": "viewer"},
                                   w.token),
        "acceptInvitation": Target("/organizations/invitations/accept", {"token": "civ_" + "a" * 43}, w.token),
        "updateSettings": Target(f"{org}/settings", {"currency": "EUR", "timezone": "Europe/Paris",
                                                     "billing_email": "billing@example.com",
                                                     "notifications": NOTIFICATIONS, "default_tariff_id": None,
                                                     **SELLER, "billing_address": SELLER["billing_address"] | {
                                                         "line2": None}, "invoice_number_prefix": "INV-",
                                                     "credit_note_number_prefix": "CN-",
                                                     "auto_finalize_invoices": False, "invoice_day": 1,
                                                     "payment_terms_days": 14, "vat_exemption_category": "E",
                                                     "vat_exemption_reason": "Exempt from VAT"},
                                 w.token, semantic=SETTINGS_SEMANTIC),
        "createApiKey": Target(f"{org}/api-keys", {"name": "k", "role": "viewer"}, w.token),
        "createLocation": Target("/locations", {
            "name": "Riverside", "address": "1 Riverside Way", "city": "London", "country": "GB",
            "timezone": "Europe/London", "latitude": 51.5072, "longitude": "-0.1276",
            "site_owner_id": None, "project_id": None}, w.token, tenant),
        "registerChargePoint": Target("/charge-points", {
            "id": "CP-{unique}", "location_id": w.location_id, "ocpp_password": "sixteen-chars-ok",
            "evses": [{"evse_id": 1, "connectors": [{"connector_id": 1}, {"connector_id": 2}]}],
            "validation_mode": "lenient"}, w.token, tenant),
        "createDriver": Target("/drivers", {"name": "Grace", "email": "grace@example.com", "fleet_id": None,
                                            "id_tags": ["TAG-{unique}-A", "TAG-{unique}-B"],
                                            "policy": _policy(w)}, w.token, tenant, semantic=_POLICY_SEMANTIC),
        "createReservation": Target("/reservations", {"charge_point_id": w.charge_point_id, "connector_id": 1,
                                                      "expires_at": _soon(), "id_tag": "TAG-1"}, w.token, tenant,
                                    semantic={"connector_id": [7]}),
        "commandRemoteStart": Target(f"{commands}/remote-start", {"id_tag": "TAG-1", "connector_id": 1,
                                                                  "evse_id": None}, w.token, tenant),
        "commandRemoteStop": Target(f"{commands}/remote-stop", {"session_id": "ses_01JD0000000000000000000000"},
                                    w.token, tenant),
        "commandReset": Target(f"{commands}/reset", {"type": "soft"}, w.token, tenant),
        "commandUnlock": Target(f"{commands}/unlock", {"connector_id": 1, "evse_id": 1}, w.token, tenant),
        "commandAvailability": Target(f"{commands}/availability", {"connector_id": 0, "available": False,
                                                                   "evse_id": None}, w.token, tenant),
        "commandTrigger": Target(f"{commands}/trigger", {"message": "StatusNotification", "connector_id": 1,
                                                         "evse_id": None}, w.token, tenant),
        "commandGetConfiguration": Target(f"{commands}/get-configuration", {"keys": ["HeartbeatInterval"]},
                                          w.token, tenant),
        "commandChangeConfiguration": Target(f"{commands}/change-configuration",
                                             {"key": "HeartbeatInterval", "value": "300"}, w.token, tenant),
        "commandGetVariables": Target(f"{commands}/get-variables",
                                      {"variables": [{"component": "OCPPCommCtrlr", "variable": "HeartbeatInterval"}]},
                                      w.token, tenant),
        "commandSetVariables": Target(f"{commands}/set-variables", {"variables": [
            {"component": "OCPPCommCtrlr", "variable": "HeartbeatInterval", "value": "300"}]}, w.token, tenant),
        "commandSetChargingProfile": Target(f"{commands}/set-charging-profile",
                                            {"connector_id": 1, "limit": "16.5", "unit": "A", "evse_id": None},
                                            w.token, tenant),
        "commandClearCache": Target(f"{commands}/clear-cache", {}, w.token, tenant),
        "createTariff": Target("/tariffs", VALID_TARIFF, w.token, tenant, semantic=TARIFF_SEMANTIC),
        "assignChargePointTariff": Target(f"/charge-points/{quote(w.charge_point_id)}/tariff", {"tariff_id": None},
                                          w.token, tenant,
                                          semantic={"tariff_id": ["nope", "trf_01JD0000000000000000000000"]}),
        "assignLocationTariff": Target(f"/locations/{w.location_id}/tariff", {"tariff_id": None}, w.token, tenant,
                                       semantic={"tariff_id": ["nope", "trf_01JD0000000000000000000000"]}),
    }
    return static[operation_id]


_WEBHOOKS = ("createWebhookEndpoint", "updateWebhookEndpoint", "rotateWebhookSecret")
# A public address literal: no name to resolve, nothing the SSRF guard refuses.
_WEBHOOK = {"url": "https://93.184.215.14/charge-hooks", "events": ["session.completed"], "description": None,
            "enabled": True}
_WEBHOOK_SEMANTIC: dict[str, list[Any]] = {"url": ["http://127.0.0.1/x", "http://10.0.0.1/x", "ftp://x.example/",
                                                   "http://169.254.169.254/latest"],
                                           "events": [["session.nope"]]}


async def _webhook_target(api: Api, operation_id: str, world: World) -> Target:
    w, tenant = world, world.headers
    if operation_id == "createWebhookEndpoint":
        return Target("/webhook-endpoints", _WEBHOOK, w.token, tenant, semantic=_WEBHOOK_SEMANTIC)
    created = await api.post("/webhook-endpoints", w.token, headers=tenant, json=_WEBHOOK)
    assert created.status_code == 201, created.text
    path = f"/webhook-endpoints/{created.json()['id']}"
    if operation_id == "updateWebhookEndpoint":
        return Target(path, _WEBHOOK, w.token, tenant, semantic=_WEBHOOK_SEMANTIC)
    return Target(f"{path}/rotate-secret", {"overlap_seconds": 3600}, w.token, tenant)


_BILLING = ("createCustomer", "updateCustomer", "startInvoiceRun", "recordInvoicePayment", "issueCreditNote",
            "createPaymentMethod", "refundInvoice")
_CUSTOMER = {"name": "Fleet Co", "email": "ap@fleet.example", "tax_id": None, "currency": None,
             "payment_terms_days": None, "invoice_delivery": "email",
             "billing_address": {"line1": "1 Quay St", "postal_code": "BS1", "city": "Bristol", "country": "GB"}}
_CUSTOMER_SEMANTIC: dict[str, list[Any]] = {"tax_id": ["DE136695977", "XX", "GB12"]}
_NO_INVOICE = "/invoices/invc_01JD0000000000000000000000"


async def _billing_target(api: Api, operation_id: str, world: World, sessions: Sessions | None) -> Target:
    w, tenant = world, world.headers
    if operation_id == "updateCustomer":
        created = await api.post("/customers", w.token, headers=tenant, json=_CUSTOMER)
        assert created.status_code == 201, created.text
        return Target(f"/customers/{created.json()['id']}", _CUSTOMER, w.token, tenant, semantic=_CUSTOMER_SEMANTIC)
    if operation_id == "createPaymentMethod":
        created = await api.post("/customers", w.token, headers=tenant, json=_CUSTOMER)
        assert created.status_code == 201, created.text
        return Target("/payment-methods", {"customer_id": created.json()["id"], "iban": "DE89370400440532013000",
                                           "holder": None}, w.token, tenant,
                      semantic={"customer_id": ["nope", "cus_01JD0000000000000000000000"],
                                "iban": ["DE00370400440532013000", "x", "GB33BUKB2020155555555"]})
    if operation_id in ("recordInvoicePayment", "issueCreditNote", "refundInvoice"):
        payment = {"amount": {"amount": "1.00", "currency": "GBP"}, "date": "2026-02-01", "reference": None}
        credit = {"reason": "Goodwill", "amount": "1.00", "lines": None}
        if sessions is None:   # no way to make a session here: a well-formed body reaches the use case, a 404
            path, semantic_status, real = _NO_INVOICE, 404, False
        else:                  # an open invoice of 3.60 GBP: the domain's own refusals are 422s naming the field
            invoice = await open_invoice(api, w.token, w.org_id, w.charge_point_id, sessions)
            path, semantic_status, real = f"/invoices/{invoice['id']}", None, True
        if operation_id == "refundInvoice":
            # Nothing was paid on it: junk is a 422 naming its field (a well-formed refund would be a 409).
            return Target(f"{path}/refunds", {"amount": {"amount": "1.00", "currency": "GBP"}, "reason": "Goodwill",
                                              "payment_id": None}, w.token, tenant,
                          semantic_status=semantic_status, semantic={"reason": ["", "   "]})
        if operation_id == "recordInvoicePayment":
            # (Junk amounts are a test of their own: "amount" names both the money and its amount here.)
            return Target(f"{path}/payments", payment, w.token, tenant, semantic_status=semantic_status,
                          semantic={"currency": ["XYZ", "eur", "EUR"]})
        return Target(f"{path}/credit-notes", credit, w.token, tenant, semantic_status=semantic_status,
                      semantic={"amount": ["0", "3.61", "0.001"] if real else [], "reason": ["", "   "]})
    static = {
        "createCustomer": Target("/customers", _CUSTOMER, w.token, tenant, semantic=_CUSTOMER_SEMANTIC),
        "startInvoiceRun": Target("/invoice-runs", {"period_start": "2026-01-01", "period_end": "2026-02-01",
                                                    "finalize": False}, w.token, tenant,
                                  semantic={"period_end": ["2025-12-01", "2026-01-01", "2030-01-01"]}),
    }
    return static[operation_id]


_FLEETS = ("createFleet", "updateFleet", "createVehicle", "updateVehicle", "assignVehicle", "updateDriver",
           "recordOdometerReading")
_WINDOW = {"days": ["MONDAY", "TUESDAY"], "start": "07:00", "end": "19:00"}
# What only the domain (and the use cases, which know the organization) refuse in a policy, naming the field.
_POLICY_SEMANTIC: dict[str, list[Any]] = {
    "allowed_location_ids": [(["loc_01JD0000000000000000000000"], "policy.allowed_location_ids[0]"),
                             (["nope"], "policy.allowed_location_ids[0]")],
    "time_windows": [([{"days": ["MONDAY"], "start": "08:00", "end": "08:00"}], "policy.time_windows[0].end"),
                     ([_WINDOW, {"days": ["TUESDAY"], "start": "18:00", "end": "02:00"}], "policy.time_windows[1]")],
    "start": ["25:00", "7:00"], "end": ["8pm"],
    "max_kwh_per_session": ["0", "-1", "0.0001"], "max_kwh_per_day": [0, "100001"],
    "amount": ["0", "1.001"], "currency": ["XYZ", "EUR"],
    "allowed_connector_types": [(["T2"], "policy.allowed_connector_types[0]"),
                                (["CHADEMO", "CHADEMO"], "policy.allowed_connector_types[1]")],
    "customer_id": ["nope", "cus_01JD0000000000000000000000"],
}
_VEHICLE_SEMANTIC: dict[str, list[Any]] = {
    "vin": ["1HGCM82634A004352", "WVWZZZ1JZXW00000I", "SHORT", "1HGCM82633A0043520"],
    "battery_kwh": ["0", "10001", "1.0001"], "licence_plate": ["   "], "make": ["  "], "model": ["	"],
    "connector_types": [(["T2"], "connector_types[0]"), (["CHADEMO", "CHADEMO"], "connector_types[1]")],
    "fleet_id": ["nope", "flt_01JD0000000000000000000000"],
}


def _policy(world: World) -> dict[str, Any]:
    """A charging policy with every field (the organization is British: it bills in GBP)."""
    return {"allowed_location_ids": [world.location_id], "time_windows": [_WINDOW], "max_kwh_per_session": "30",
            "max_kwh_per_day": 60, "max_spend_per_month": {"amount": "200.00", "currency": "GBP"},
            "allowed_connector_types": ["IEC_62196_T2"]}


async def _fleet_target(api: Api, operation_id: str, world: World) -> Target:
    """Fleets, vehicles and drivers' assignments: each needs what it names to exist first."""
    w, tenant = world, world.headers
    fleet_body = {"name": "Acme", "customer_id": None, "policy": _policy(w)}
    if operation_id == "createFleet":
        return Target("/fleets", fleet_body, w.token, tenant, semantic=_POLICY_SEMANTIC)
    fleet = await api.post("/fleets", w.token, headers=tenant, json=fleet_body)
    assert fleet.status_code == 201, fleet.text
    fleet_id = fleet.json()["id"]
    if operation_id == "updateFleet":
        return Target(f"/fleets/{fleet_id}", fleet_body, w.token, tenant, semantic=_POLICY_SEMANTIC)
    vehicle_body = {"fleet_id": fleet_id, "vin": "WVWZZZ1JZXW000001", "make": "Volkswagen", "model": "ID.3",
                    "battery_kwh": "58", "connector_types": ["IEC_62196_T2_COMBO"], "licence_plate": "AB12 CDE"}
    if operation_id == "createVehicle":
        return Target("/vehicles", vehicle_body, w.token, tenant, semantic=_VEHICLE_SEMANTIC)
    vehicle = await api.post("/vehicles", w.token, headers=tenant, json=vehicle_body | {"vin": "1HGCM82633A004352"})
    assert vehicle.status_code == 201, vehicle.text
    if operation_id == "updateVehicle":
        return Target(f"/vehicles/{vehicle.json()['id']}", vehicle_body, w.token, tenant, semantic=_VEHICLE_SEMANTIC)
    if operation_id == "recordOdometerReading":
        readings = f"/vehicles/{vehicle.json()['id']}/odometer-readings"
        earlier = await api.post(readings, w.token, headers=tenant,
                                 json={"odometer_km": "50000", "read_at": "2026-01-01T00:00:00Z"})
        assert earlier.status_code == 201, earlier.text
        return Target(readings, {"odometer_km": "60000.5", "read_at": "2026-02-01T00:00:00+01:00"}, w.token, tenant,
                      semantic={"odometer_km": ["49999.999", "10000000", "1.0001", "-1"],
                                "read_at": ["2999-01-01T00:00:00Z"]})
    driver_body = {"name": "Grace", "email": "grace@example.com", "fleet_id": fleet_id, "id_tags": ["TAG-{unique}"],
                   "customer_id": None, "policy": _policy(w)}
    driver = await api.post("/drivers", w.token, headers=tenant,
                            json=driver_body | {"id_tags": [f"TAG-{w.org_id[-6:]}-{next(_unique)}"], "policy": None})
    assert driver.status_code == 201, driver.text
    if operation_id == "assignVehicle":
        return Target(f"/drivers/{driver.json()['id']}/vehicles", {"vehicle_id": vehicle.json()["id"]}, w.token,
                      tenant, semantic={"vehicle_id": ["nope", "veh_01JD0000000000000000000000"]})
    return Target(f"/drivers/{driver.json()['id']}", driver_body | {"active": True}, w.token, tenant,
                  semantic=_POLICY_SEMANTIC)
_PORTAL = ("requestPortalSignInLink", "exchangePortalSignInLink", "createDriverDispute", "assignDispute",
           "commentOnDispute", "resolveDispute", "createDriverPaymentMethod")
_NO_DISPUTE = "/disputes/dsp_01JD0000000000000000000000"


async def _portal_target(api: Api, operation_id: str, world: World) -> Target:
    """The portal's and the disputes' bodies: well-formed ones reach a use case that finds nothing (404), or, for
    sign-in, answer as they always do."""
    w, tenant = world, world.headers
    if operation_id in ("createDriverDispute", "createDriverPaymentMethod"):
        driver = await api.post("/drivers", w.token, headers=tenant, json={"name": "Disputer", "id_tags": []})
        assert driver.status_code == 201, driver.text
        issued = await api.post(f"/drivers/{driver.json()['id']}/portal-tokens", w.token, headers=tenant)
        assert issued.status_code == 201, issued.text
        if operation_id == "createDriverPaymentMethod":     # the organization collects by bank transfer
            return Target("/portal/payment-methods", {"iban": "DE89370400440532013000", "holder": None},
                          issued.json()["token"], semantic={"iban": ["DE00370400440532013000", "x",
                                                                     "GB33BUKB2020155555555"]})
        return Target("/portal/sessions/ses_01JD0000000000000000000000/dispute",
                      {"description": "Too much", "expected_cost": {"amount": "1.00", "currency": "GBP"}},
                      issued.json()["token"], semantic_status=404, semantic={"currency": []})
    static = {
        "requestPortalSignInLink": Target("/portal/sign-in", {"email": "someone@example.com"}, None),
        # A wrong secret is a 401 (tested with the sign-in flow), whatever its shape.
        "exchangePortalSignInLink": Target("/portal/sign-in/exchange", {"token": "cml_nothing"}, None,
                                           semantic_status=401, semantic={"token": []}),
        "assignDispute": Target(f"{_NO_DISPUTE}/assign", {"assignee_id": None}, w.token, tenant,
                                semantic_status=404),
        "commentOnDispute": Target(f"{_NO_DISPUTE}/comments", {"body": "Checking", "visibility": "internal"},
                                   w.token, tenant, semantic_status=404),
        # With a refund, so that the nested money is attacked too (a currency the session was not billed in is
        # refused once the dispute is found: here, the 404 comes first).
        "resolveDispute": Target(f"{_NO_DISPUTE}/resolve", {"outcome": "partially_accepted", "note": "Half",
                                                             "refund_amount": {"amount": "1.00", "currency": "GBP"}},
                                 w.token, tenant, semantic_status=404, semantic={"currency": []}),
    }
    return static[operation_id]


_SITE_OWNERS = ("inviteSiteOwner", "createProject", "updateProject", "issueProjectStatement",
                "updateSiteOwnerProfile", "setSiteOwnerPayoutDetails", "acceptSiteOwnerAgreement")


async def _site_owner_target(api: Api, operation_id: str, world: World) -> Target:
    """Site owners' and projects' bodies: the operator's with a site owner and a project that exist, the site
    owner's with the token their invitation yields."""
    w, tenant = world, world.headers
    email = f"owner-{next(_unique)}-{w.org_id[-6:].lower()}@example.com"
    if operation_id == "inviteSiteOwner":
        return Target("/site-owners/invitations", {"email": email, "name": "Parkhaus"}, w.token, tenant)
    invited = await api.post("/site-owners/invitations", w.token, headers=tenant,
                             json={"email": email, "name": "Parkhaus"})
    assert invited.status_code == 201, invited.text
    project = {"site_owner_id": invited.json()["id"], "name": "Harbour", "location_ids": [],
               "revenue_share_percent": "12.5", "share_basis": "net_revenue", "energy_cost_per_kwh": None}
    semantic: dict[str, list[Any]] = {"revenue_share_percent": ["100.01", "-1"],
                                      "site_owner_id": ["nope", "so_01JD0000000000000000000000"]}
    if operation_id == "createProject":
        return Target("/projects", project, w.token, tenant, semantic=semantic)
    created = await api.post("/projects", w.token, headers=tenant, json=project)
    assert created.status_code == 201, created.text
    if operation_id == "updateProject":
        return Target(f"/projects/{created.json()['id']}", project, w.token, tenant, semantic=semantic)
    if operation_id == "issueProjectStatement":
        return Target(f"/projects/{created.json()['id']}/statements", {"period": "2026-01"}, w.token, tenant,
                      semantic={"period": ["2026-13", "January"]})
    token = await api.invitation_token(email)
    accepted = await api.post(f"/site-owner/accept-invitation/{token}", None)
    assert accepted.status_code == 200, accepted.text
    owner = accepted.json()["token"]
    if operation_id == "updateSiteOwnerProfile":
        return Target("/site-owner/profile", {"legal_name": "Parkhaus GmbH", "country": "DE"}, owner,
                      semantic={"country": ["XX"]})
    if operation_id == "setSiteOwnerPayoutDetails":
        return Target("/site-owner/payout-details", {"account_holder": "Parkhaus GmbH",
                                                     "iban": "DE89 3704 0044 0532 0130 00", "bic": None}, owner,
                      semantic={"iban": ["DE00 3704 0044 0532 0130 00"]})
    return Target("/site-owner/agreement", {"version": "2025-01"}, owner, semantic={"version": ["1999-01"]})


_QUOTE = {"start": "2026-01-15T09:00:00Z", "end": "2026-01-15T11:00:00Z", "energy_kwh": "20", "max_power_kw": "11",
          "location_timezone": "Europe/Berlin",
          "meter_values": [{"timestamp": "2026-01-15T09:00:00Z", "value_wh": "1000"},
                           {"timestamp": "2026-01-15T10:00:00Z", "value_wh": "12000"}]}


async def _pricing_target(api: Api, operation_id: str, world: World) -> Target:
    """Targets that need a tariff, a plan or a driver to exist first."""
    w, tenant = world, world.headers
    tariff = await api.post("/tariffs", w.token, headers=tenant, json=VALID_TARIFF)
    assert tariff.status_code == 201, tariff.text
    tariff_id = tariff.json()["id"]
    plan_body = {"name": "Commuter", "monthly_fee": {"amount": "9.99", "currency": "EUR"}, "tariff_id": tariff_id,
                 "discount_percent": None}
    plan_semantic: dict[str, list[Any]] = {"tariff_id": ["nope", "trf_01JD0000000000000000000000"],
                                           "discount_percent": ["15"], "amount": [("-1", "monthly_fee")]}
    if operation_id == "updateTariff":
        return Target(f"/tariffs/{tariff_id}", VALID_TARIFF, w.token, tenant, semantic=TARIFF_SEMANTIC)
    if operation_id == "quoteTariff":
        return Target(f"/tariffs/{tariff_id}/quote", _QUOTE, w.token, tenant,
                      semantic={"location_timezone": ["Mars/Olympus", "europe/berlin"]})
    if operation_id == "createMembershipPlan":
        return Target("/membership-plans", plan_body, w.token, tenant, semantic=plan_semantic)
    plan = await api.post("/membership-plans", w.token, headers=tenant, json=plan_body)
    assert plan.status_code == 201, plan.text
    if operation_id == "updateMembershipPlan":
        return Target(f"/membership-plans/{plan.json()['id']}", plan_body, w.token, tenant, semantic=plan_semantic)
    driver = await api.post("/drivers", w.token, headers=tenant, json={"name": "Member", "id_tags": []})
    assert driver.status_code == 201, driver.text
    return Target("/subscriptions", {"plan_id": plan.json()["id"], "driver_id": driver.json()["id"],
                                     "starts_at": None, "ends_at": None}, w.token, tenant,
                  semantic={"plan_id": ["nope", "pln_01JD0000000000000000000000"],
                            "driver_id": ["nope", "drv_01JD0000000000000000000000"],
                            "ends_at": ["2000-01-01T00:00:00Z"]})


def _check(case: Case, response: httpx.Response) -> str | None:
    """Why the response is wrong for the case, or None."""
    status = response.status_code
    if case.may_succeed and status < 400:
        return None
    if not 400 <= status < 500:
        return f"status {status}"
    if case.status is not None and status != case.status:
        return f"status {status}, expected {case.status}"
    if response.headers.get("content-type") != "application/problem+json":
        return f"content type {response.headers.get('content-type')}"
    problem = response.json()
    if problem.get("status") != status or not problem.get("title") or not problem.get("code"):
        return f"not a problem: {problem}"
    if case.field is not None:
        fields = [e["field"] for e in problem.get("errors", [])]
        if case.field not in fields:
            return f"errors name {fields}, not {case.field!r}"
    return None


async def attack(api: Api, operation_id: str, select: Callable[[Case], bool] = lambda case: True,
                 world: World | None = None, sessions: Sessions | None = None) -> list[str]:
    """Send the selected bad bodies to the endpoint; returns one line per wrong answer. With ``sessions``
    (sessions opened as the OCPP door would), endpoints on an invoice are attacked on a real one."""
    endpoint = BODY_ENDPOINTS[operation_id]
    world = world or await build_world(api)
    target = await _target(api, operation_id, world, sessions)
    failures = []
    for case in filter(select, cases_for(endpoint.body, target.valid, semantic_status=target.semantic_status,
                                         semantic=target.semantic)):
        headers = dict(target.headers) | ({"Content-Type": case.content_type} if case.content_type else {})
        # Values that must be unique (an identity, id tags) are fresh for each case, so that what may be
        # stored is stored rather than refused as a duplicate.
        content = case.content.replace(UNIQUE, f"{world.org_id[-6:]}{next(_unique)}".encode())
        response = await api.request(endpoint.method, target.path, target.token, content=content, headers=headers)
        why = _check(case, response)
        if why:
            failures.append(f"{endpoint.method} {target.path} {case.label}: {why} — {response.text[:300]}")
    return failures


# ---------------------------------------------------------------- query strings

@frozen
class QueryCase:
    label: str
    query: str                  # already encoded
    status: int | None = 422    # None: any answer but a 5xx or 404 (a valid filter)
    field: str | None = None


_ENUM_JUNK = ["bogus", "ACTIVE", "active ", "%00"]
_TIMESTAMP_JUNK = ["2026-01-15", "2026-01-15T09:00:00", "2026-01-15T09:00:00+01:00", "2026-13-01T00:00:00Z",
                   "yesterday", "1700000000", "2026-01-15T24:00:00Z", "2026-02-30T00:00:00Z"]
_TIMESTAMP_OK = ["2026-01-15T09:00:00Z", "2026-01-15T09:00:00%2B01:00", "2026-01-15T09:00:00.123-05:30"]
_DATE_JUNK = ["2026-13-01", "2026-02-30", "yesterday", "20260115", "2026-01-15T09:00:00Z", "15.01.2026"]


def query_cases(endpoint: Any) -> list[QueryCase]:
    """Bad query strings for a list or read endpoint: unknown, repeated, empty, junk per declared parameter."""
    cases = [QueryCase("an unknown parameter", "surprise=1", field="surprise"),
             QueryCase("an unknown parameter with NUL", "sur%00prise=1")]
    if endpoint.paginated:
        cases += [QueryCase("limit twice", "limit=1&limit=2", field="limit"),
                  QueryCase("limit too high", "limit=101", field="limit"),
                  QueryCase("a foreign cursor", "cursor=" + quote("a" * 300), field="cursor")]
    for f in fields_of(endpoint.query) if endpoint.query is not None else ():
        name = f.encode_name
        declared = kind_of(f.type)
        kind = declared.type
        cases += [QueryCase(f"{name} twice", f"{name}=a&{name}=b", field=name),
                  QueryCase(f"{name} empty", f"{name}=", field=name)]
        if isinstance(kind, inspect.StrType):
            cases += [QueryCase(f"{name} too long", f"{name}={'x' * (kind.max_length + 1)}", field=name),
                      QueryCase(f"{name} with NUL", f"{name}=a%00b", field=name)]
            # A free-text filter matches nothing; a value of a declared format (a month) must have it.
            formatted = any("pattern" in part for part in declared.schema.get("allOf", []))
            cases += [QueryCase(f"{name} in Unicode", f"{name}={quote(UNICODE)}", status=422 if formatted else None,
                                field=name if formatted else None),
                      QueryCase(f"{name} unknown", f"{name}=nobody", status=422 if formatted else None,
                                field=name if formatted else None)]
        elif isinstance(kind, inspect.EnumType):
            cases += [QueryCase(f"{name} = {junk!r}", f"{name}={junk}", field=name) for junk in _ENUM_JUNK]
            cases += [QueryCase(f"{name} = {m.value}", f"{name}={m.value}", status=None) for m in kind.cls]
        elif isinstance(kind, inspect.DateType):
            cases += [QueryCase(f"{name} = {junk!r}", f"{name}={junk}", field=name)
                      for junk in ("2026-13-01", "yesterday", "2026-01-15T00:00:00Z", "20260115")]
        elif isinstance(kind, inspect.DateTimeType):
            cases += [QueryCase(f"{name} = {junk!r}", f"{name}={junk}", field=name) for junk in _TIMESTAMP_JUNK]
            cases += [QueryCase(f"{name} = {ok!r}", f"{name}={ok}", status=None) for ok in _TIMESTAMP_OK]
        elif isinstance(kind, inspect.DateType):
            cases += [QueryCase(f"{name} = {junk!r}", f"{name}={junk}", field=name) for junk in _DATE_JUNK]
            cases.append(QueryCase(f"{name} = a date", f"{name}=2026-01-15", status=None))
        else:
            raise TypeError(kind)
    return cases


def _query_path(endpoint: Any, world: World) -> str:
    ids = {"location_id": world.location_id, "charge_point_id": quote(world.charge_point_id),
           "driver_id": "drv_01JD0000000000000000000000", "session_id": "ses_01JD0000000000000000000000",
           "reservation_id": "rsv_01JD0000000000000000000000", "tariff_id": "trf_01JD0000000000000000000000",
           "plan_id": "pln_01JD0000000000000000000000", "subscription_id": "sub_01JD0000000000000000000000",
           "customer_id": "cus_01JD0000000000000000000000", "invoice_id": "invc_01JD0000000000000000000000",
           "run_id": "run_01JD0000000000000000000000", "fleet_id": "flt_01JD0000000000000000000000",
           "vehicle_id": "veh_01JD0000000000000000000000", "dispute_id": "dsp_01JD0000000000000000000000",
           "endpoint_id": "we_01JD0000000000000000000000", "event_id": "evt_01JD0000000000000000000000",
           "project_id": "prj_01JD0000000000000000000000", "site_owner_id": "so_01JD0000000000000000000000",
           "token": "csi_nothing"}
    return endpoint.path.removeprefix("/api/v1").format(**ids)


async def attack_query(api: Api, operation_id: str, world: World | None = None) -> list[str]:
    """Send the query cases to the endpoint; returns one line per wrong answer."""
    endpoint = QUERY_ENDPOINTS[operation_id]
    world = world or await build_world(api)
    path = _query_path(endpoint, world)
    failures = []
    for case in query_cases(endpoint):
        response = await api.get(f"{path}?{case.query}", world.token, headers=world.headers)
        status = response.status_code
        if case.status is None:
            why = None if status < 500 and status != 422 else f"status {status}"
        elif status != case.status:
            why = f"status {status}, expected {case.status}"
        elif response.headers.get("content-type") != "application/problem+json":
            why = f"content type {response.headers.get('content-type')}"
        elif case.field is not None and case.field not in [e["field"] for e in response.json().get("errors", [])]:
            why = f"errors name {[e['field'] for e in response.json().get('errors', [])]}, not {case.field!r}"
        else:
            why = None
        if why:
            failures.append(f"GET {path}?{case.query[:60]} {case.label}: {why} — {response.text[:300]}")
    return failures
