"""The one place errors become gRPC statuses, with the rich details of google.rpc (``grpc-status-details-bin``).

Every status carries a ``google.rpc.ErrorInfo`` whose ``reason`` is the error's stable code in upper
case (``NOT_PRICED``, ``INVALID_STATE``, ``IDEMPOTENCY_CONFLICT``), the REST problem's ``code``;
invalid input adds a ``google.rpc.BadRequest`` naming each field at fault, and a throttled call a
``google.rpc.RetryInfo``. Unauthenticated → UNAUTHENTICATED, a role too low → PERMISSION_DENIED,
another tenant's or unknown → NOT_FOUND (never told apart), invalid input → INVALID_ARGUMENT, a state
that does not allow the call → FAILED_PRECONDITION, a clash with what exists (a duplicate, a reused
idempotency key, a charge point's refusal) → ABORTED. Anything unexpected is logged and answered
INTERNAL without details.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Mapping

import grpc
from google.protobuf import duration_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from domain.errors import (
    Conflict,
    DomainError,
    FieldError,
    Forbidden,
    InvalidInput,
    InvalidState,
    NotFound,
    RateLimited,
    Timeout,
    Unauthenticated,
    Unavailable,
)

DOMAIN = "charge.dev"
log = logging.getLogger("charge.grpc")

# Most specific class first: InvalidState is a Conflict. A charge point that is not connected is a
# precondition of the call (it may connect later), not the unavailability of this service.
_CODES: list[tuple[type[DomainError], grpc.StatusCode]] = [
    (NotFound, grpc.StatusCode.NOT_FOUND),
    (InvalidState, grpc.StatusCode.FAILED_PRECONDITION),
    (Unavailable, grpc.StatusCode.FAILED_PRECONDITION),
    (Conflict, grpc.StatusCode.ABORTED),
    (InvalidInput, grpc.StatusCode.INVALID_ARGUMENT),
    (Unauthenticated, grpc.StatusCode.UNAUTHENTICATED),
    (Forbidden, grpc.StatusCode.PERMISSION_DENIED),
    (RateLimited, grpc.StatusCode.RESOURCE_EXHAUSTED),
    (Timeout, grpc.StatusCode.DEADLINE_EXCEEDED),
]


def code_for(error: DomainError) -> grpc.StatusCode:
    for kind, code in _CODES:
        if isinstance(error, kind):
            return code
    return grpc.StatusCode.INVALID_ARGUMENT   # a DomainError nobody mapped yet is still the caller's problem


def status_for(exc: BaseException) -> status_pb2.Status:
    """The google.rpc.Status of any exception; unexpected ones are logged and hidden."""
    if not isinstance(exc, DomainError):
        log.error("unhandled error in a gRPC call", exc_info=exc)
        return status_pb2.Status(code=code_pb2.INTERNAL, message="an unexpected error occurred; it has been logged")
    code = code_for(exc)
    status = status_pb2.Status(code=code.value[0], message=exc.detail)
    status.details.add().Pack(error_details_pb2.ErrorInfo(reason=exc.code.upper(), domain=DOMAIN))
    if isinstance(exc, InvalidInput):
        status.details.add().Pack(error_details_pb2.BadRequest(field_violations=[
            error_details_pb2.BadRequest.FieldViolation(field=e.field, description=e.message) for e in exc.errors]))
    if isinstance(exc, RateLimited):
        status.details.add().Pack(error_details_pb2.RetryInfo(
            retry_delay=duration_pb2.Duration(seconds=max(1, int(exc.retry_after)))))
    return status


def grpc_status(status: status_pb2.Status) -> grpc.Status:
    """For ``context.abort_with_status``: the code, the message, and the details in the trailing metadata."""
    return rpc_status.to_status(status)


def transient(exc: BaseException) -> bool:
    """A retry might get another answer: the key of an idempotent call is not kept for it."""
    return not isinstance(exc, DomainError) or isinstance(exc, (RateLimited, Unavailable, Timeout))


@contextlib.contextmanager
def fields_named(names: Mapping[str, str]) -> Iterator[None]:
    """Invalid input from the core names its fields as the use case calls them; the request may call some of
    them otherwise (``to`` is ``started_to``): the field violations name the request's."""
    try:
        yield
    except InvalidInput as exc:
        exc.errors = [FieldError(names.get(e.field, e.field), e.message) for e in exc.errors]
        raise
