"""Chargebacks: a card holder disputed a payment with their bank (Stripe's ``charge.dispute.*``).

A chargeback is the card network's dispute, not the driver's: the disputes workflow (drivers' disputes
through the portal) shows these beside its own with ``source: card_network``. The shape it reads:

============== ================================================================================
field          meaning
============== ================================================================================
id             ``chb_…``
invoice_id     the invoice whose payment was disputed; ``customer_id`` its customer
payment_id     Charge's payment (``pay_…``) the chargeback takes money back from
provider       ``stripe``; ``provider_reference`` Stripe's ``dp_…``
amount         what the bank took back, in ``currency``
reason         the network's reason (``fraudulent``, ``product_not_received``…)
status         ``open`` while the bank decides, then ``won`` (the money comes back) or ``lost``
opened_at      when Stripe told us; ``closed_at`` when it was decided
============== ================================================================================

Ledger: opening books Dr ``chargebacks`` Cr ``payment_clearing`` (Stripe took the money back); a chargeback
won books the reverse; a lost one books nothing more (the loss stays on ``chargebacks``).
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from attrs import define

SOURCE = "card_network"      # how the disputes workflow labels a chargeback


class ChargebackStatus(str, enum.Enum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"

    @classmethod
    def of_stripe(cls, status: str) -> ChargebackStatus:
        """Stripe's dispute statuses: ``won`` and ``lost`` close it; every other one is still open."""
        return {"won": cls.WON, "lost": cls.LOST}.get(status, cls.OPEN)


@define
class Chargeback:
    id: str
    organization_id: str
    invoice_id: str
    customer_id: str
    payment_id: str
    provider: str
    provider_reference: str
    amount: Decimal
    currency: str
    reason: str
    status: ChargebackStatus
    opened_at: datetime
    closed_at: datetime | None = None

    @property
    def source(self) -> str:
        return SOURCE

    def close(self, status: ChargebackStatus, now: datetime) -> bool:
        """Decided by the bank; False when it was decided already (an event seen twice, or late)."""
        if self.status is not ChargebackStatus.OPEN or status is ChargebackStatus.OPEN:
            return False
        self.status, self.closed_at = status, now
        return True
