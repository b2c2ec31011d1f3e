"""Identifier checks issued by others: VAT numbers with python-stdnum, IBAN and BIC with schwifty.

Both libraries carry each country's format and check-digit rules (and schwifty the national bank codes),
which no hand-written regular expression keeps up with.
"""

from __future__ import annotations

import importlib

from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError as StdnumError

from domain.errors import InvalidInput

# Countries outside the EU whose VAT numbers stdnum checks (module per country).
_OTHER_VAT = {"GB": "stdnum.gb.vat", "CH": "stdnum.ch.vat", "NO": "stdnum.no.mva"}


class StdnumTaxIds:
    def vat_id(self, value: str, field: str) -> str:
        compact = "".join(c for c in value if c.isalnum()).upper() if isinstance(value, str) else ""
        country = compact[:2]
        try:
            if country in _OTHER_VAT:
                module = importlib.import_module(_OTHER_VAT[country])
                return country + str(module.validate(compact[2:]))
            if not country.isalpha():
                raise InvalidInput.field(field, "must start with its country code (DE136695976)")
            return str(eu_vat.validate(compact))
        except StdnumError as error:
            raise InvalidInput.field(field, f"is not a valid VAT number ({error})") from None


class SchwiftyBankAccounts:
    def iban(self, value: str, field: str) -> str:
        try:
            return str(IBAN(value).compact)
        except (SchwiftyException, ValueError) as error:
            raise InvalidInput.field(field, f"is not a valid IBAN ({error})") from None

    def bic(self, value: str, field: str) -> str:
        try:
            return str(BIC(value).compact)
        except (SchwiftyException, ValueError) as error:
            raise InvalidInput.field(field, f"is not a valid BIC ({error})") from None
