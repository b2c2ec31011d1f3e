"""A transaction whose start was never seen: kept for the operator, never billed.

A StopTransaction (1.6) or a TransactionEvent (2.0.1) naming a transaction the central system has
no session for is answered, so the charge point can empty its queue, and its messages are kept
here. In 2.0.1 the charge point names its transactions, and a replay may deliver the ``Started``
last: when it comes, the session opens and adopts the orphan's messages, in the order they came,
so the outcome does not depend on arrival order. In 1.6 the central system hands out transaction
ids, so nothing can adopt an orphan: it stays for the operator to look at.
"""

from __future__ import annotations

from datetime import datetime

from attrs import define, field

from domain.charging.events import OrphanTransactionRecorded
from domain.charging.sessions import Applied, ChargingSession, TransactionEvent
from domain.events import DomainEvent

# Enough to adopt any real replay; a charge point sending more for a transaction it never started is
# not replaying, and its further messages are only counted.
MAX_KEPT_MESSAGES = 500


@define
class OrphanTransaction:
    id: str
    organization_id: str
    charge_point_id: str
    transaction_id: str
    first_seen_at: datetime
    last_seen_at: datetime
    messages: list[TransactionEvent] = field(factory=list)
    received: int = 0                    # messages received, kept or not
    adopted_by: str | None = None        # the session that adopted it, once its start arrived
    pending_events: list[DomainEvent] = field(factory=list, eq=False, repr=False)

    @classmethod
    def record(cls, *, id: str, organization_id: str, charge_point_id: str, transaction_id: str,
               first: TransactionEvent, now: datetime) -> OrphanTransaction:
        orphan = cls(id=id, organization_id=organization_id, charge_point_id=charge_point_id,
                     transaction_id=transaction_id, first_seen_at=now, last_seen_at=now)
        orphan.absorb(first, now)
        orphan.pending_events.append(OrphanTransactionRecorded(
            organization_id=organization_id, occurred_at=now, orphan_id=id, charge_point_id=charge_point_id,
            transaction_id=transaction_id))
        return orphan

    @property
    def adopted(self) -> bool:
        return self.adopted_by is not None

    def absorb(self, message: TransactionEvent, now: datetime) -> None:
        """Keep another message of the transaction (a retried one is kept once)."""
        self.received += 1
        self.last_seen_at = max(self.last_seen_at, now)
        if message not in self.messages and len(self.messages) < MAX_KEPT_MESSAGES:
            self.messages.append(message)

    def adopt_into(self, session: ChargingSession) -> list[Applied]:
        """Fold every kept message into ``session``, which has just opened from the transaction's start."""
        self.adopted_by = session.id
        return [session.apply(message) for message in self.messages]

    def pull_events(self) -> list[DomainEvent]:
        events, self.pending_events = self.pending_events, []
        return events
