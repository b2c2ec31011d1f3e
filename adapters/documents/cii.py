"""An issued invoice as EN 16931 Cross Industry Invoice XML (UN/CEFACT CII D16B, Factur-X profile EN 16931).

The factur-x library writes the XML from a dictionary keyed by EN 16931 business terms ("BT-1" the
number, "BG-23" the VAT breakdown…), so the mapping below reads as the standard does; amounts go in
as text we format, so nothing is recomputed or rounded on the way. Where EN 16931's rules decide
what an invoice may say (a "not subject to VAT" invoice names no VAT ids, a price is never negative,
the buyer needs a country), the rule is named beside the code; docs/invoices.md has the whole mapping.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from attrs import frozen
from facturx import generate_cii_xml

from adapters.documents.figures import (
    SEPA_COUNTRIES,
    EuVatBreakdown,
    amount_text,
    due_terms,
    number_text,
    priced,
    vat_breakdown,
)
from domain.billing.invoices import Address, Invoice, InvoiceKind, InvoiceLine, InvoiceSession, Party
from domain.billing.vat import INTRA_COMMUNITY, NOT_SUBJECT
from domain.errors import InvalidState

EN16931 = "urn:cen.eu:en16931:2017"      # BT-24: the Factur-X EN 16931 (Comfort) profile
SEPA_CREDIT_TRANSFER = "58"              # UNTDID 4461 payment means
CREDIT_TRANSFER = "30"
ELECTRONIC_MAIL = "EM"                   # EAS scheme of an e-mail address as electronic address (BT-34, BT-49)


@frozen
class IssuedParts:
    """What only a finalized invoice has: its number, issue and due dates, seller and buyer."""

    number: str
    issue_date: date
    due_date: date
    seller: Party
    buyer: Party


def issued_parts(invoice: Invoice) -> IssuedParts:
    """Its issued parts, or ``InvalidState``: a draft has no document yet (no number, date or parties)."""
    if (invoice.number is None or invoice.issue_date is None or invoice.due_date is None
            or invoice.seller is None or invoice.buyer is None):
        raise InvalidState(f"invoice {invoice.id} is a {invoice.status.value}: it has documents once finalized")
    return IssuedParts(invoice.number, invoice.issue_date, invoice.due_date, invoice.seller, invoice.buyer)


def cii_xml(invoice: Invoice, *, validate: bool = True) -> bytes:
    """The CII XML of a finalized invoice or credit note; ``validate`` checks it against the Factur-X
    EN 16931 schema (XSD) too, so a mapping mistake fails here rather than at the customer's."""
    fields = business_terms(invoice)
    xml: bytes = generate_cii_xml(fields, level="en16931", check_xsd=validate, check_schematron=False)
    return xml


def business_terms(invoice: Invoice) -> dict[str, Any]:
    """The invoice as EN 16931 business terms and groups, in factur-x's data-dictionary shape."""
    issued = issued_parts(invoice)
    currency = invoice.currency
    groups = vat_breakdown(invoice)
    # BR-O-02: an invoice "not subject to VAT" names no VAT identifier (and BR-O-11: nothing else).
    with_vat_ids = not any(group.category == NOT_SUBJECT for group in groups)
    credit_note = invoice.kind is InvoiceKind.CREDIT_NOTE
    paid = invoice.amount_paid
    seller = _party(issued.seller, with_vat_id=with_vat_ids)
    if not seller.get("vat_identifier") and not seller.get("legal_identifier"):
        seller["identifiers"] = {None: invoice.organization_id}                    # BT-29 (BR-CO-26)
    buyer = _party(issued.buyer, with_vat_id=with_vat_ids,
                   address=issued.buyer.address or _country_of(issued.seller.address))
    buyer["identifiers"] = {None: invoice.customer_id}                             # BT-46
    sessions = {session.session_id: session for session in invoice.sessions}
    terms: dict[str, Any] = {
        "BT-24": EN16931,
        "BT-1": issued.number,
        "BT-2": issued.issue_date,
        "BT-3": invoice.kind.type_code,                                             # 380 invoice, 381 credit note
        "BT-5": currency,
        "BT-9": issued.due_date,
        "BT-20": due_terms(invoice),
        "BT-73": invoice.period_start,
        "BT-74": invoice.period_end - timedelta(days=1),                            # EN 16931's end is inclusive
        "BG-4": seller,
        "BG-7": buyer,
        "BG-23": [_vat_group(group, currency) for group in groups],
        "BG-25": [_line(position, line, sessions.get(line.session_id or ""), currency)
                  for position, line in enumerate(invoice.lines, start=1)],
        "BT-106": amount_text(invoice.total_excl_vat, currency),
        "BT-109": amount_text(invoice.total_excl_vat, currency),
        "BT-110": amount_text(invoice.vat, currency),
        "BT-112": amount_text(invoice.total, currency),
        "BT-115": amount_text(invoice.total - paid, currency),
    }
    if paid:
        terms["BT-113"] = amount_text(paid, currency)
    if invoice.buyer_reference:
        terms["BT-10"] = invoice.buyer_reference
    if credit_note:
        if invoice.reason:
            terms["BG-1"] = [{"BT-22": invoice.reason}]
        if invoice.corrects_number:
            terms["BG-3"] = [{"BT-25": invoice.corrects_number}]
    else:
        terms.update(_payment_instructions(invoice, issued.seller))
    # BG-13: the charging was delivered to the buyer (BT-70). An intra-community supply also names the
    # country delivered to (BT-80, BR-IC-12): the buyer's.
    terms["BG-13"] = {"name": buyer["name"]}
    if any(group.category == INTRA_COMMUNITY for group in groups) and buyer.get("country_code"):
        terms["BG-13"]["country_code"] = buyer["country_code"]
    return terms


def _party(party: Party, *, with_vat_id: bool, address: Address | None = None) -> dict[str, Any]:
    """BG-4 (seller) or BG-7 (buyer): name, legal registration, postal address, e-mail, VAT id."""
    place = address if address is not None else party.address
    out: dict[str, Any] = {"name": party.name}                                     # BT-27 / BT-44
    if party.legal_id:
        out["legal_identifier"] = party.legal_id                                   # BT-30 / BT-47
    if place is not None:                                                          # BG-5 / BG-8
        out.update({"addr_l1": place.line1, "addr_l2": place.line2, "postcode": place.postal_code,
                    "city": place.city, "country_code": place.country})
    if party.email:
        out.update({"einvoicing_addr": party.email,                                # BT-34 / BT-49
                    "einvoicing_addr_schemeid": ELECTRONIC_MAIL})
    if with_vat_id and party.vat_id:
        out["vat_identifier"] = _prefixed(party.vat_id, place)                     # BT-31 / BT-48
    return {key: value for key, value in out.items() if value}


def _prefixed(vat_id: str, place: Address | None) -> str:
    """A VAT id starts with its country's code (BR-CO-09): ``DE123…`` as given; a registration number
    kept without one (Japan's ``T123…``) gets the party's country in front."""
    if (vat_id[:2].isalpha() and vat_id[:2].isupper()) or place is None:
        return vat_id
    return f"{place.country}{vat_id}"


def _country_of(address: Address | None) -> Address | None:
    """A buyer without a billing address (a driver billed as a customer of its own) still needs a
    country (BR-10, BR-11): the seller's, where the charging was supplied."""
    return None if address is None else Address(line1="", postal_code="", city="", country=address.country)


def _payment_instructions(invoice: Invoice, seller: Party) -> dict[str, Any]:
    """BG-16: pay by credit transfer to the seller's account, quoting the structured reference."""
    out: dict[str, Any] = {}
    if invoice.payment_reference:
        out["BT-83"] = invoice.payment_reference                                   # ISO 11649 RF reference
    if seller.iban:
        sepa = invoice.currency == "EUR" and seller.iban[:2].upper() in SEPA_COUNTRIES
        out["BT-81"] = SEPA_CREDIT_TRANSFER if sepa else CREDIT_TRANSFER
        out["BT-84"] = seller.iban
        if seller.bic:
            out["BT-86"] = seller.bic
    return out


def _vat_group(group: EuVatBreakdown, currency: str) -> dict[str, Any]:
    out: dict[str, Any] = {"BT-116": amount_text(group.taxable, currency), "BT-117": amount_text(group.vat, currency),
                           "BT-118": group.category}
    if group.category != NOT_SUBJECT:
        out["BT-119"] = number_text(group.rate)
    if group.exemption_reason:
        out["BT-120"] = group.exemption_reason
    return out


def _line(position: int, line: InvoiceLine, session: InvoiceSession | None, currency: str) -> dict[str, Any]:
    quantity, price = priced(line)
    out: dict[str, Any] = {
        "BT-126": str(position),
        "BT-153": line.description,
        "BT-129": number_text(quantity),
        "BT-130": line.unit_code,                                                  # UN/ECE Rec. 20: KWH, HUR, C62…
        "BT-146": number_text(price),
        "BT-131": amount_text(line.net_amount, currency),
        "BT-151": line.vat.category,
    }
    if line.vat.category != NOT_SUBJECT:
        out["BT-152"] = number_text(line.vat.rate)                                 # BR-O-05: none when O
    if session is not None:
        out["BT-154"] = f"{session.location}, charge point {session.charge_point_id}"
    if line.session_id:
        out["BT-128"] = {None: line.session_id}                                    # the session the line bills
    if line.service_date is not None:
        out["BT-134"] = out["BT-135"] = line.service_date
    return out
