"""Reading a bank statement (CSV, ISO 20022 camt.053) into its credit entries: the port the import uses."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Protocol

from attrs import frozen


@frozen
class StatementEntry:
    """A credit on the account: ``key`` is the bank's reference of the entry (unique on the account)."""

    key: str
    booked_on: date
    amount: Decimal
    currency: str
    reference: str | None            # the remittance information: a structured RF reference, or free text
    counterparty: str | None


class StatementReader(Protocol):
    def read(self, content: bytes, media_type: str) -> Sequence[StatementEntry]:
        """The credits of the statement (debits are left out); ``InvalidInput`` naming the line or element at
        fault when it is not a statement of a known format."""
        ...
