"""Typed domain errors: every door (REST, gRPC, OCPP) maps these once, in one place."""

from __future__ import annotations

from collections.abc import Iterable

from attrs import frozen


@frozen
class FieldError:
    """One invalid field: a dotted path (``notifications.weekly_report``) and why."""

    field: str
    message: str


class DomainError(Exception):
    """Base of every error the core raises on purpose; ``code`` is stable for clients."""

    code = "error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(DomainError):
    """The object does not exist, or belongs to another tenant (the two are never told apart)."""

    code = "not_found"

    def __init__(self, kind: str, object_id: str | None = None) -> None:
        self.kind = kind
        self.object_id = object_id
        super().__init__(f"{kind} {object_id} not found" if object_id else f"{kind} not found")


class Conflict(DomainError):
    """The request clashes with what exists (a duplicate, a membership that already exists)."""

    code = "conflict"


class InvalidState(Conflict):
    """The object is in a state that does not allow this operation."""

    code = "invalid_state"


class InvalidInput(DomainError):
    """One or more fields are invalid; ``errors`` names each field at fault."""

    code = "invalid_input"

    def __init__(self, errors: Iterable[FieldError] | FieldError, detail: str | None = None) -> None:
        self.errors = [errors] if isinstance(errors, FieldError) else list(errors)
        super().__init__(detail or "; ".join(f"{e.field}: {e.message}" for e in self.errors))

    @classmethod
    def field(cls, field: str, message: str) -> InvalidInput:
        return cls(FieldError(field, message))


class Unauthenticated(DomainError):
    """No valid credentials: a missing, unknown, expired or revoked token, or a wrong password."""

    code = "unauthenticated"


class Forbidden(DomainError):
    """The caller is known and belongs to the tenant, but its role does not allow this."""

    code = "forbidden"


class RateLimited(DomainError):
    """Too many attempts; ``retry_after`` seconds until the next one is allowed."""

    code = "rate_limited"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class Unavailable(DomainError):
    """A peer the operation needs (a charge point, a payment provider) cannot be reached now."""

    code = "unavailable"


class Timeout(DomainError):
    """A peer did not answer in time."""

    code = "timeout"


class FieldErrors:
    """Collects field errors while checking several fields, then raises them all at once."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, field: str, message: str) -> None:
        self.errors.append(FieldError(field, message))

    def check(self, field: str, ok: bool, message: str) -> None:
        if not ok:
            self.add(field, message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise InvalidInput(self.errors)
