"""Prefixed, time-sortable identifiers (``org_01JD…``): a ULID after a type prefix.

A ULID is 48 bits of milliseconds and 80 random bits in Crockford base32, so ids sort by
creation time, which keeps cursor pagination and B-tree inserts cheap.
"""

from __future__ import annotations

import os
import re
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_ULID = "[0-9A-HJKMNP-TV-Z]{26}"
_ID = re.compile(rf"^[a-z]{{2,5}}_{_ULID}\Z")

PREFIXES = {
    "user": "usr",
    "organization": "org",
    "member": "mem",
    "invitation": "inv",
    "api_key": "key",
    "access_token": "tok",
    "email": "eml",
    "location": "loc",
    "driver": "drv",
    "session": "ses",
    "reservation": "rsv",
    "sample": "smp",
    "tariff": "trf",
    "plan": "pln",
    "subscription": "sub",
    "event": "evt",
    "orphan": "orp",
    "customer": "cus",
    "invoice": "invc",          # invoices and credit notes ("inv" names invitations)
    "payment": "pay",
    "ledger_transaction": "txn",
    "invoice_run": "run",
    "fleet": "flt",
    "vehicle": "veh",
    "vehicle_assignment": "vas",
    "odometer_reading": "odo",
    "authorization": "authz",
    # The driver portal and billing disputes (issue 12).
    "portal_token": "ptk",
    "magic_link": "mlk",
    "dispute": "dsp",
    "dispute_comment": "dcm",
    "ocpp_frame": "frm",
    # Collection (issue 11).
    "payment_method": "pmt",
    "refund": "rfd",
    "chargeback": "chb",
    "statement_line": "stl",
    "webhook_endpoint": "we",
    "webhook_delivery": "whd",
    # Site owners (issue 13).
    "site_owner": "so",
    "site_owner_invitation": "soi",
    "site_owner_token": "sot",
    "project": "prj",
    "statement": "stm",
}


def ulid(now_ms: int | None = None) -> str:
    ms = time.time_ns() // 1_000_000 if now_ms is None else now_ms
    value = (ms << 80) | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(26):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def new_id(prefix: str) -> str:
    return f"{prefix}_{ulid()}"


def id_pattern(prefix: str) -> str:
    """The whole of an id with ``prefix`` as a regular expression (``^…$``: the same in Python and JSON Schema)."""
    return f"^{prefix}_{_ULID}$"


def is_id(value: str, prefix: str | None = None) -> bool:
    if not isinstance(value, str) or not _ID.match(value):
        return False
    return prefix is None or value.startswith(prefix + "_")
