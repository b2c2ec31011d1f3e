"""Reading a CII document back: the few paths the tests compare with the domain's own figures."""

from __future__ import annotations

from decimal import Decimal

from attrs import frozen
from lxml import etree

NS = {"rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
      "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
      "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"}
SETTLEMENT = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
TOTALS = f"{SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"


def parse(xml: bytes) -> etree._Element:
    return etree.fromstring(xml)


def texts(root: etree._Element, path: str) -> list[str]:
    return [node.text or "" for node in root.iterfind(path, NS)]


def one(root: etree._Element, path: str) -> str:
    found = texts(root, path)
    assert len(found) == 1, f"{path}: {found}"
    return found[0]


@frozen
class VatGroup:
    category: str
    rate: Decimal | None
    taxable: Decimal
    vat: Decimal
    reason: str | None


@frozen
class Totals:
    lines: Decimal            # BT-106
    tax_basis: Decimal        # BT-109
    vat: Decimal              # BT-110
    grand: Decimal            # BT-112
    paid: Decimal             # BT-113
    due: Decimal              # BT-115
    line_amounts: tuple[Decimal, ...]
    groups: tuple[VatGroup, ...]


def totals(xml: bytes) -> Totals:
    root = parse(xml)
    paid = texts(root, f"{TOTALS}/ram:TotalPrepaidAmount")
    groups = []
    for tax in root.iterfind(f"{SETTLEMENT}/ram:ApplicableTradeTax", NS):
        rate = tax.findtext("ram:RateApplicablePercent", namespaces=NS)
        groups.append(VatGroup(tax.findtext("ram:CategoryCode", namespaces=NS) or "",
                               Decimal(rate) if rate is not None else None,
                               Decimal(tax.findtext("ram:BasisAmount", namespaces=NS) or "NaN"),
                               Decimal(tax.findtext("ram:CalculatedAmount", namespaces=NS) or "NaN"),
                               tax.findtext("ram:ExemptionReason", namespaces=NS)))
    return Totals(
        lines=Decimal(one(root, f"{TOTALS}/ram:LineTotalAmount")),
        tax_basis=Decimal(one(root, f"{TOTALS}/ram:TaxBasisTotalAmount")),
        vat=Decimal(one(root, f"{TOTALS}/ram:TaxTotalAmount")),
        grand=Decimal(one(root, f"{TOTALS}/ram:GrandTotalAmount")),
        paid=Decimal(paid[0]) if paid else Decimal(0),
        due=Decimal(one(root, f"{TOTALS}/ram:DuePayableAmount")),
        line_amounts=tuple(Decimal(t) for t in texts(
            root, "rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem/"
                  "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/"
                  "ram:LineTotalAmount")),
        groups=tuple(groups))
