"""VAT as EN 16931 computes it: per category and rate, once, on the summed taxable amount (BR-CO-17).

Line net amounts are in the currency's minor unit; the VAT of a (category, rate) group is its taxable
amount times the rate, rounded half-up to the minor unit once; the invoice's VAT is the sum of the
groups. So an invoice's VAT may differ by a cent from the sum of its sessions' own VAT, which each
session computed on its lines: the invoice is what is owed.

A line that carries no VAT (a tariff without ``vat``) is in the category the organization names and
says why: exempt (``E``) with a reason by default, or not subject to VAT (``O``), zero rated (``Z``),
reverse charge (``AE``) and the like.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from attrs import field, frozen

from domain.errors import InvalidInput
from domain.geography import CURRENCY_EXPONENTS

_HUNDRED = Decimal(100)
STANDARD = "S"
ZERO_RATED = "Z"
EXEMPT = "E"
NOT_SUBJECT = "O"
REVERSE_CHARGE = "AE"
INTRA_COMMUNITY = "K"
EXPORT = "G"
# The categories a line without VAT may be put in (UNTDID 5305), and the reason EN 16931 wants for each (BT-120)
# when the organization gives none of its own (none for zero rated).
NO_VAT_CATEGORIES: dict[str, str | None] = {
    EXEMPT: "Exempt from VAT", NOT_SUBJECT: "Not subject to VAT", ZERO_RATED: None,
    REVERSE_CHARGE: "Reverse charge", INTRA_COMMUNITY: "Intra-community supply", EXPORT: "Export outside the EU"}
DEFAULT_EXEMPTION_REASON = NO_VAT_CATEGORIES[EXEMPT]


@frozen
class VatTreatment:
    """How a line is taxed: its category, its rate (0 outside the standard category), why when exempt."""

    category: str
    rate: Decimal
    exemption_reason: str | None = None
    # The rate normalised: 20 and 20.00 are one rate, one group, one VAT account (computed once: breakdowns
    # of a million lines read it).
    key: tuple[str, Decimal, str | None] = field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "key", (self.category, self.rate.normalize(), self.exemption_reason))

    @classmethod
    def standard(cls, rate: Decimal) -> VatTreatment:
        """A rate above 0 is the standard category (``S``); 0 % is zero rated (``Z``)."""
        return cls(STANDARD, rate) if rate > 0 else cls(ZERO_RATED, Decimal(0))

    @classmethod
    def without_vat(cls, category: str = EXEMPT, reason: str | None = DEFAULT_EXEMPTION_REASON) -> VatTreatment:
        """``reason`` None: the category's own wording (zero-rated lines carry none)."""
        if category not in NO_VAT_CATEGORIES:
            raise InvalidInput.field("vat_exemption_category", f"must be one of {', '.join(NO_VAT_CATEGORIES)}")
        standard = NO_VAT_CATEGORIES[category]
        return cls(category, Decimal(0), (reason or standard) if standard is not None else None)

    @property
    def is_taxed(self) -> bool:
        return self.category == STANDARD and self.rate > 0


@frozen
class VatSubtotal:
    treatment: VatTreatment
    taxable: Decimal
    vat: Decimal


def round_minor(amount: Decimal, currency: str) -> Decimal:
    """Half-up to the currency's minor unit (ISO 4217 exponent)."""
    return amount.quantize(Decimal(1).scaleb(-CURRENCY_EXPONENTS[currency]), rounding=ROUND_HALF_UP)


def vat_of(taxable: Decimal, treatment: VatTreatment, currency: str) -> Decimal:
    return round_minor(taxable * treatment.rate / _HUNDRED, currency)


def breakdown(lines: Iterable[tuple[Decimal, VatTreatment]], currency: str) -> tuple[VatSubtotal, ...]:
    """VAT subtotals of ``(net amount, treatment)`` lines, one per category and rate, in a stable order."""
    taxable: dict[tuple[str, Decimal, str | None], Decimal] = {}
    treatments: dict[tuple[str, Decimal, str | None], VatTreatment] = {}
    for net, treatment in lines:
        taxable[treatment.key] = taxable.get(treatment.key, Decimal(0)) + net
        treatments[treatment.key] = treatment
    return tuple(VatSubtotal(treatments[key], amount, vat_of(amount, treatments[key], currency))
                 for key, amount in sorted(taxable.items(), key=lambda item: (item[0][0], item[0][1])))
