"""Bank statements read into their credits: CSV, and ISO 20022 camt.053 (BkToCstmrStmt, any version).

CSV: a header line naming at least ``date`` (YYYY-MM-DD), ``amount`` (a plain decimal, a credit positive) and
``currency``; optionally ``reference`` (remittance information), ``counterparty`` and ``id`` (the bank's
reference of the entry; without one a line is known by its date, amount, currency, reference and position).
Debits (negative amounts) are left out. Semicolon-separated files are read too.

camt.053: every ``Ntry`` credited (``CdtDbtInd`` CRDT) and booked; its amount and currency (``Amt/@Ccy``), its
booking date, its ``AcctSvcrRef`` (else ``NtryRef``) as key, the structured creditor reference
(``RmtInf/Strd/CdtrRefInf/Ref``) or else the unstructured remittance text (``RmtInf/Ustrd``), and the debtor's
name. The XML parser resolves no entities and fetches nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Sequence
from datetime import date

from lxml import etree

from application.ports.statements import StatementEntry
from domain.errors import FieldError, InvalidInput
from domain.geography import is_currency
from domain.money import parse_decimal

CSV_TYPES = ("text/csv", "application/csv")
XML_TYPES = ("application/xml", "text/xml", "application/vnd.iso20022.camt.053+xml")
_MAX_TEXT = 140


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value[:_MAX_TEXT] or None


def _day(value: str, where: str) -> date:
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise InvalidInput.field(where, f"{value!r} is not a date (YYYY-MM-DD)") from None


def _currency(value: str, where: str) -> str:
    code = value.strip().upper()
    if not is_currency(code):
        raise InvalidInput.field(where, f"{value!r} is not an ISO 4217 currency code")
    return code


class StatementFiles:
    """The ``StatementReader`` port: picks the format from the media type (or the content's first byte)."""

    def read(self, content: bytes, media_type: str) -> Sequence[StatementEntry]:
        kind = media_type.split(";")[0].strip().lower()
        if kind in XML_TYPES or (kind not in CSV_TYPES and content.lstrip()[:1] == b"<"):
            return read_camt053(content)
        return read_csv(content)


def read_csv(content: bytes) -> list[StatementEntry]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput.field("body", "a CSV statement is UTF-8 text") from None
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    names = {name.strip().lower(): name for name in rows.fieldnames or ()}
    missing = [n for n in ("date", "amount", "currency") if n not in names]
    if missing:
        raise InvalidInput.field("body", f"the CSV header must name {', '.join(missing)}")
    out: list[StatementEntry] = []
    problems: list[FieldError] = []
    for number, row in enumerate(rows, start=2):
        def cell(name: str, row: dict[str, str] = row) -> str:
            return (row.get(names[name]) or "") if name in names else ""
        where = f"line {number}"
        try:
            amount = parse_decimal(cell("amount").strip(), f"{where}.amount", max_decimals=4, allow_negative=True)
            entry_date = _day(cell("date"), f"{where}.date")
            currency = _currency(cell("currency"), f"{where}.currency")
        except InvalidInput as error:
            problems.extend(error.errors)
            continue
        if amount <= 0:
            continue
        reference, counterparty = _text(cell("reference")), _text(cell("counterparty"))
        key = _text(cell("id")) or hashlib.sha256(
            f"{entry_date}|{amount}|{currency}|{reference}|{counterparty}|{number}".encode()).hexdigest()[:40]
        out.append(StatementEntry(key, entry_date, amount, currency, reference, counterparty))
    if problems:
        raise InvalidInput(problems)
    return out


def _local(element: etree._Element, path: str) -> list[etree._Element]:
    """Elements by local names (``a/b``) under ``element``, whatever the camt version's namespace."""
    steps = "/".join(f"*[local-name()='{step}']" for step in path.split("/"))
    found: list[etree._Element] = element.xpath(steps)
    return found


def _first_text(element: etree._Element, *paths: str) -> str | None:
    for path in paths:
        for found in _local(element, path):
            if found.text and found.text.strip():
                return str(found.text.strip())
    return None


def read_camt053(content: bytes) -> list[StatementEntry]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as error:
        raise InvalidInput.field("body", f"not XML: {error}") from None
    statements = _local(root, "BkToCstmrStmt/Stmt")
    if not statements:
        raise InvalidInput.field("body", "not a camt.053 statement (Document/BkToCstmrStmt/Stmt)")
    out: list[StatementEntry] = []
    for s, statement in enumerate(statements):
        for n, entry in enumerate(_local(statement, "Ntry")):
            where = f"Stmt[{s}].Ntry[{n}]"
            if _first_text(entry, "CdtDbtInd") != "CRDT" or _first_text(entry, "Sts", "Sts/Cd") not in (
                    None, "BOOK"):
                continue
            amounts = _local(entry, "Amt")
            if not amounts:
                raise InvalidInput.field(f"{where}.Amt", "an entry has an amount")
            amount = parse_decimal((amounts[0].text or "").strip(), f"{where}.Amt", max_decimals=5)
            currency = _currency(amounts[0].get("Ccy", ""), f"{where}.Amt.Ccy")
            booked = _first_text(entry, "BookgDt/Dt", "BookgDt/DtTm", "ValDt/Dt")
            if booked is None:
                raise InvalidInput.field(f"{where}.BookgDt", "an entry has a booking date")
            reference = _first_text(entry, "NtryDtls/TxDtls/RmtInf/Strd/CdtrRefInf/Ref",
                                    "NtryDtls/TxDtls/RmtInf/Ustrd")
            counterparty = _first_text(entry, "NtryDtls/TxDtls/RltdPties/Dbtr/Nm",
                                       "NtryDtls/TxDtls/RltdPties/Dbtr/Pty/Nm")
            key = _first_text(entry, "AcctSvcrRef", "NtryRef") or hashlib.sha256(
                etree.tostring(entry)).hexdigest()[:40]
            out.append(StatementEntry(key[:255], _day(booked, f"{where}.BookgDt"), amount, currency,
                                      _text(reference), _text(counterparty)))
    return out
