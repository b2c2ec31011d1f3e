"""A delivery: one event to one endpoint, tried until it is answered 2xx or three days have passed."""

from __future__ import annotations

import enum
import random
from datetime import datetime, timedelta

from attrs import define, frozen

GIVE_UP_AFTER = timedelta(days=3)
FIRST_RETRY = timedelta(seconds=30)     # doubling: 30 s, 1 min, 2 min … capped
_MAX_DELAY = timedelta(hours=6)


def retry_delay(attempts: int, rng: random.Random | None = None, first: timedelta = FIRST_RETRY) -> timedelta:
    """Exponential backoff with full jitter over its upper half: after ``attempts`` failed attempts, wait between
    half and all of ``first`` · 2^(attempts-1), at most 6 h (so retries spread over the three days, not bunched).
    ``first`` is 30 s unless the caller says otherwise; it must be positive."""
    if first <= timedelta(0):
        raise ValueError(f"the first retry delay must be positive, got {first}")
    ceiling = min(first.total_seconds() * 2 ** max(attempts - 1, 0), _MAX_DELAY.total_seconds())
    return timedelta(seconds=ceiling * (0.5 + 0.5 * (rng or random).random()))


class DeliveryStatus(str, enum.Enum):
    PENDING = "pending"          # due at next_attempt_at
    SUCCEEDED = "succeeded"
    FAILED = "failed"            # given up (three days of failures, or its endpoint was disabled)


@frozen
class Attempt:
    """One try, as the delivery log keeps it."""

    delivery_id: str
    number: int
    attempted_at: datetime
    duration_ms: int
    status_code: int | None
    error: str | None
    response_excerpt: str | None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@define
class Delivery:
    id: str
    organization_id: str
    endpoint_id: str
    event_id: str
    event_name: str
    created_at: datetime
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: int = 0
    next_attempt_at: datetime | None = None     # while being sent: the end of the sender's lease
    delivered_at: datetime | None = None
    last_error: str | None = None

    def record(self, attempt: Attempt, now: datetime, rng: random.Random | None = None,
               first_retry: timedelta = FIRST_RETRY) -> None:
        """The outcome of an attempt: delivered, due again after a backoff (``retry_delay`` from ``first_retry``),
        or given up after three days."""
        if attempt.ok:
            self.status, self.delivered_at, self.next_attempt_at, self.last_error = (DeliveryStatus.SUCCEEDED, now,
                                                                                      None, None)
            return
        self.last_error = attempt.error or f"HTTP {attempt.status_code}"
        due = now + retry_delay(self.attempts, rng, first_retry)
        if due - self.created_at > GIVE_UP_AFTER:
            self.status, self.next_attempt_at = DeliveryStatus.FAILED, None
        else:
            self.next_attempt_at = due

    def give_up(self, reason: str) -> None:
        self.status, self.next_attempt_at, self.last_error = DeliveryStatus.FAILED, None, reason

    def again(self, now: datetime) -> None:
        """Redeliver: due now, whatever became of it (its attempts and their log are kept)."""
        self.status, self.next_attempt_at, self.delivered_at = DeliveryStatus.PENDING, now, None
