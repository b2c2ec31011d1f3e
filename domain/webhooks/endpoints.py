"""A webhook endpoint: a URL an organization subscribes to some event types, and the secrets that sign to it."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from attrs import define, field, frozen

# An endpoint failing without a single success for this long is disabled (and its organization told).
DISABLE_AFTER = timedelta(days=3)


class EndpointStatus(str, enum.Enum):
    ENABLED = "enabled"
    DISABLED = "disabled"      # by its owner, or after failing for DISABLE_AFTER


@frozen
class SigningSecret:
    value: str
    created_at: datetime
    expires_at: datetime | None = None      # a rotated-out secret still signs until then


@define
class WebhookEndpoint:
    id: str
    organization_id: str
    url: str
    events: tuple[str, ...]
    description: str | None
    created_at: datetime
    updated_at: datetime
    secrets: list[SigningSecret] = field(factory=list)
    status: EndpointStatus = EndpointStatus.ENABLED
    failing_since: datetime | None = None    # the first failure since the last success
    disabled_reason: str | None = None

    def subscribes(self, event_name: str) -> bool:
        return self.status is EndpointStatus.ENABLED and event_name in self.events

    def signing_secrets(self, now: datetime) -> list[str]:
        """Every secret valid now, newest first: both during a rotation's overlap."""
        valid = [s for s in self.secrets if s.expires_at is None or s.expires_at > now]
        return [s.value for s in sorted(valid, key=lambda s: s.created_at, reverse=True)]

    def rotate(self, secret: str, now: datetime, overlap: timedelta) -> None:
        """A new secret signs from now; those valid until now keep signing for ``overlap`` (0: end at once)."""
        ends = now + overlap
        kept = [SigningSecret(s.value, s.created_at, ends if s.expires_at is None or s.expires_at > ends
                              else s.expires_at)
                for s in self.secrets if (s.expires_at is None or s.expires_at > now) and overlap > timedelta(0)]
        self.secrets = [SigningSecret(secret, now), *kept]
        self.updated_at = now

    def succeeded(self) -> None:
        self.failing_since = None

    def failed(self, now: datetime, gave_up_on: datetime | None = None) -> bool:
        """Record a failed attempt; True when that disables the endpoint: it has failed for DISABLE_AFTER, or it
        just gave up on a delivery made at ``gave_up_on`` without a single success since then."""
        if self.failing_since is None:
            self.failing_since = now
        exhausted = gave_up_on is not None and self.failing_since <= gave_up_on + timedelta(minutes=1)
        if self.status is EndpointStatus.ENABLED and (exhausted or now - self.failing_since >= DISABLE_AFTER):
            self.status = EndpointStatus.DISABLED
            self.disabled_reason = "failing"
            self.updated_at = now
            return True
        return False

    def enable(self, now: datetime) -> None:
        self.status, self.disabled_reason, self.failing_since, self.updated_at = (EndpointStatus.ENABLED, None,
                                                                                   None, now)

    def disable(self, now: datetime) -> None:
        self.status, self.disabled_reason, self.updated_at = EndpointStatus.DISABLED, "by_owner", now
