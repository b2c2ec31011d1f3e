"""A customer's saved payment methods: a card kept by Stripe, or a bank account (a SEPA mandate's IBAN).

Saving a card takes two steps: Charge asks the provider for a SetupIntent (``pending``, its client secret
goes to Stripe.js in the customer's browser), and the card becomes ``active`` once the provider says the
setup succeeded (its webhook, or a sync that asks it). A bank account is ``active`` at once. One active
method per customer is its default: the one collection charges off-session.
"""

from __future__ import annotations

import enum
from datetime import datetime

from attrs import define

from domain.errors import InvalidState


class MethodKind(str, enum.Enum):
    CARD = "card"
    SEPA_MANDATE = "sepa_mandate"


class MethodStatus(str, enum.Enum):
    PENDING = "pending"          # a SetupIntent the customer has not confirmed yet
    ACTIVE = "active"
    DETACHED = "detached"        # removed: never charged again, kept for the record


@define
class PaymentMethod:
    id: str
    organization_id: str
    customer_id: str
    provider: str                        # bank_transfer | stripe
    kind: MethodKind
    status: MethodStatus
    created_at: datetime
    provider_reference: str | None = None   # Stripe's pm_…; the IBAN of a mandate
    setup_reference: str | None = None      # Stripe's seti_… while pending
    client_secret: str | None = None        # for Stripe.js, while pending
    label: str = ""
    brand: str | None = None
    last4: str | None = None
    exp_month: int | None = None
    exp_year: int | None = None
    is_default: bool = False
    updated_at: datetime | None = None

    @property
    def usable(self) -> bool:
        return self.status is MethodStatus.ACTIVE

    def activate(self, *, provider_reference: str, label: str, brand: str | None, last4: str | None,
                 exp_month: int | None, exp_year: int | None, now: datetime) -> bool:
        """The provider confirmed the setup; False when it was active already (an event seen twice)."""
        if self.status is MethodStatus.DETACHED:
            return False
        changed = self.status is not MethodStatus.ACTIVE or self.provider_reference != provider_reference
        self.status, self.provider_reference, self.client_secret = MethodStatus.ACTIVE, provider_reference, None
        self.label, self.brand, self.last4, self.exp_month, self.exp_year = label, brand, last4, exp_month, exp_year
        self.updated_at = now
        return changed

    def detach(self, now: datetime) -> None:
        if self.status is MethodStatus.DETACHED:
            raise InvalidState(f"payment method {self.id} is detached already")
        self.status, self.is_default, self.client_secret, self.updated_at = MethodStatus.DETACHED, False, None, now

    def make_default(self, now: datetime) -> None:
        if self.status is not MethodStatus.ACTIVE:
            raise InvalidState(f"payment method {self.id} is {self.status.value}: only an active method can be "
                               "the default")
        self.is_default, self.updated_at = True, now
