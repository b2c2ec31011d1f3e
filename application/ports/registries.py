"""Checks of identifiers issued by others: VAT numbers (python-stdnum) and bank accounts (schwifty)."""

from __future__ import annotations

from typing import Protocol


class TaxIds(Protocol):
    def vat_id(self, value: str, field: str) -> str:
        """The VAT number in its compact form (``DE136695976``), or ``InvalidInput`` naming ``field``."""
        ...


class BankAccounts(Protocol):
    def iban(self, value: str, field: str) -> str:
        """The IBAN compact (``DE89370400440532013000``): its country's format and check digits hold."""
        ...
    def bic(self, value: str, field: str) -> str: ...
