"""Bad bodies generated from the body declarations: every field gets wrong types, absence, excess, junk.

The same declarations that the REST door validates with drive the cases, so a new field is
attacked as soon as it is declared. ``attack`` sends them to one endpoint through any ``Api``
(in-memory in unit tests, a real server end to end) and lists what came back wrong.
"""

from __future__ import annotations

import enum
import json
import types
import typing
from collections.abc import Callable
from typing import Any

import httpx

import attrs
from attrs import frozen

from entrypoints.rest.routes import ENDPOINTS
from tests.e2e.rest.client import PASSWORD, Api

OVERSIZE_BYTES = 1_100_000  # past the default 1 MiB body limit
LONG = "x" * 10_000


@frozen
class Case:
    label: str
    content: bytes
    content_type: str = "application/json"
    status: int | None = None  # exact status expected; None means any 4xx
    field: str | None = None   # the field ``errors`` must name (for 422s)
    reaches_core: bool = False  # passes the edge's checks, so the use case sees it
    may_succeed: bool = False   # may well be valid (a boundary, Unicode): any answer but a 5xx


# Values the domain rejects for fields of these names (with the field named in ``errors``).
SEMANTIC: dict[str, list[str]] = {
    "country": ["XX", "gb", "1"],
    "currency": ["XYZ", "eur"],
    "timezone": ["Mars/Olympus", "europe/london", "UTC+2"],
    "email": ["not-an-email", "a@b", "@example.com", "a b@example.com"],
    "contact_email": ["not-an-email", "a@b"],
    "billing_email": ["not-an-email"],
    "role": ["owner", "ADMIN", ""],
    "name": ["", "   ", "bell\u0007"],
    "password": ["short"],
    "token": ["nope", ""],
    "default_tariff_id": ["not-a-tariff", "trf_"],
}


# An address of exactly 254 characters (64-character local part, 63-character labels): the longest valid one.
LONGEST_EMAIL = "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 61


# Text beyond ASCII and the Basic Multilingual Plane, which every layer down to the database must keep.
UNICODE = "Ünïcødé 🚗 名前 عربى"
UNICODE_EMAIL = "üñí.😀@example.com"


def _hints(cls: type) -> tuple[attrs.Attribute, ...]:
    attrs.resolve_types(cls)
    return attrs.fields(cls)


def _optional(kind: Any) -> tuple[Any, bool]:
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(kind) if a is not type(None)]
        return args[0], True
    return kind, False


def _wrong_values(kind: Any, nullable: bool) -> list[Any]:
    if kind is str:
        wrong: list[Any] = [12345, True, 1.5, [], {}]
    elif kind is bool:
        wrong = ["true", 1, 0, [], {}]
    elif isinstance(kind, type) and issubclass(kind, enum.Enum):
        wrong = [5, "superuser", [kind(next(iter(kind)).value).value], True]
    elif attrs.has(kind):
        wrong = ["on", [], 5, True]
    else:
        raise TypeError(kind)
    return wrong if nullable else [*wrong, None]


def _encode(value: Any) -> bytes:
    return json.dumps(value).encode()


def _set(body: dict, path: list[str], value: Any) -> dict:
    out = json.loads(json.dumps(body))
    target = out
    for part in path[:-1]:
        target = target.setdefault(part, {})
    target[path[-1]] = value
    return out


def _drop(body: dict, name: str) -> dict:
    return {k: v for k, v in body.items() if k != name}


def _field_cases(cls: type, valid: dict, prefix: list[str], semantic_status: int | None) -> list[Case]:
    cases: list[Case] = []
    for f in _hints(cls):
        path = [*prefix, f.name]
        dotted = ".".join(path)
        kind, nullable = _optional(f.type)
        for wrong in _wrong_values(kind, nullable):
            cases.append(Case(f"{dotted} = {json.dumps(wrong)}", _encode(_set(valid, path, wrong)), status=422,
                              field=dotted))
        if f.default is attrs.NOTHING and not prefix:
            cases.append(Case(f"{dotted} missing", _encode(_drop(valid, f.name)), status=422, field=dotted))
        if kind is str:
            cases.append(Case(f"{dotted} 10,000 characters", _encode(_set(valid, path, LONG)), status=422,
                              field=dotted))
            max_length = f.metadata["max_length"]
            longest = LONGEST_EMAIL if "email" in f.name else "a" * max_length
            assert len(longest) == max_length, f"{dotted}: boundary value does not match the declared maximum"
            cases.append(Case(f"{dotted} at its maximum length", _encode(_set(valid, path, longest)),
                              reaches_core=True, may_succeed=True))
            unicode = UNICODE_EMAIL if "email" in f.name else UNICODE[:max_length]
            cases.append(Case(f"{dotted} in Unicode", _encode(_set(valid, path, unicode)), reaches_core=True,
                              may_succeed=True))
            cases.append(Case(f"{dotted} with NUL", _encode(_set(valid, path, "a\u0000b")), status=422,
                              field=dotted))
        for junk in SEMANTIC.get(f.name, []):
            expect_field = semantic_status in (None, 422)
            cases.append(Case(f"{dotted} = {junk!r}", _encode(_set(valid, path, junk)),
                              status=semantic_status or 422, field=dotted if expect_field else None,
                              reaches_core=True))
        if attrs.has(kind):
            nested = valid.get(f.name) or {}
            cases += _field_cases(kind, valid, path, semantic_status)
            cases.append(Case(f"{dotted}.surprise unknown", _encode(_set(valid, path, {**nested, "surprise": 1})),
                              status=422, field=f"{dotted}.surprise"))
    return cases


def cases_for(body_cls: type, valid: dict, *, semantic_status: int | None = None) -> list[Case]:
    """Every bad variant of ``valid``; ``semantic_status`` overrides 422 where the use case answers otherwise."""
    cases = [
        Case("the valid body", _encode(valid), reaches_core=True, may_succeed=True),
        Case("truncated JSON", _encode(valid)[:-3], status=400),
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
    return cases + _field_cases(body_cls, valid, [], semantic_status)


BODY_ENDPOINTS = {e.operation_id: e for e in ENDPOINTS if e.body is not None}
NOTIFICATIONS = {"session_completed": True, "invoice_issued": True, "payment_failed": True, "dispute_opened": True,
                 "charge_point_offline": False, "weekly_report": False}


def _target(operation_id: str, org_id: str, spare_id: str, email: str,
            admin: str) -> tuple[str, dict, str | None, int | None]:
    """Path, a valid body, the caller's token, and the status semantic junk gets (None: 422)."""
    org = f"/organizations/{org_id}"
    return {
        "signup": ("/auth/signup", {"email": "fresh.person@example.com", "password": PASSWORD, "name": "Fresh"},
                   None, None),
        # A wrong email or password is just a failed sign-in.
        "issueToken": ("/auth/token", {"email": email, "password": PASSWORD}, None, 401),
        "createOrganization": ("/organizations", {"name": "N", "country": "GB", "contact_email": "n@example.com"},
                               admin, None),
        "updateOrganization": (org, {"name": "N", "country": "GB", "contact_email": "n@example.com"}, admin, None),
        "updateMemberRole": (f"{org}/members/{spare_id}/role", {"role": "member"}, admin, None),
        "createInvitation": (f"{org}/invitations", {"email": "someone.new@example.com", "role": "viewer"}, admin,
                             None),
        "acceptInvitation": ("/organizations/invitations/accept", {"token": "civ_" + "a" * 43}, admin, None),
        "updateSettings": (f"{org}/settings", {"currency": "EUR", "timezone": "Europe/Paris",
                                               "billing_email": "billing@example.com",
                                               "notifications": NOTIFICATIONS, "default_tariff_id": None},
                           admin, None),
        "createApiKey": (f"{org}/api-keys", {"name": "k", "role": "viewer"}, admin, None),
    }[operation_id]


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


async def attack(api: Api, operation_id: str, select: Callable[[Case], bool] = lambda case: True) -> list[str]:
    """Send the selected bad bodies to the endpoint; returns one line per wrong answer."""
    endpoint = BODY_ENDPOINTS[operation_id]
    user_id, email, token = await api.user("Target")
    org_id = await api.organization(token, "Bad Input")
    spare_id, _ = await api.member(token, org_id, "member", "Spare") if operation_id == "updateMemberRole" else (
        user_id, None)
    path, valid, token, semantic_status = _target(operation_id, org_id, spare_id, email, token)
    failures = []
    for case in filter(select, cases_for(endpoint.body, valid, semantic_status=semantic_status)):
        headers = {"Content-Type": case.content_type} if case.content_type else {}
        response = await api.request(endpoint.method, path, token, content=case.content, headers=headers)
        why = _check(case, response)
        if why:
            failures.append(f"{endpoint.method} {path} {case.label}: {why} — {response.text[:300]}")
    return failures
