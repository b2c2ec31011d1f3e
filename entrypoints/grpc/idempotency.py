"""``idempotency-key`` metadata on creating calls: the first answer is kept and given again for the same key.

As over REST (``entrypoints/rest/idempotency.py``, the same store): the key is scoped to the caller,
its organization and the method, and bound to a SHA-256 of the request (serialized deterministically):
the same key with another request is ABORTED (reason IDEMPOTENCY_CONFLICT), as is a key whose first
call is still running. An answer is kept as the response message, or as the google.rpc.Status it
failed with; failures a retry could change (a charge point offline or slow, anything unexpected)
release the key instead. A replayed answer carries ``idempotent-replayed: true`` in its metadata.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

import grpc
from google.protobuf.message import Message
from google.rpc import status_pb2

from application.idempotency import IdempotencyConflict, check_key
from application.ports.idempotency import IdempotencyStore, StoredResponse
from domain.errors import Conflict
from entrypoints.grpc.calls import Caller
from entrypoints.grpc.errors import grpc_status, status_for, transient

KEY = "idempotency-key"
REPLAYED = "idempotent-replayed"
_STATUS = "application/x-protobuf; messageType=google.rpc.Status"

log = logging.getLogger("charge.grpc")
M = TypeVar("M", bound=Message)


async def once(store: IdempotencyStore, caller: Caller, method: str, request: Message, response_type: type[M],
               context: grpc.aio.ServicerContext, now: datetime, respond: Callable[[], Awaitable[M]]) -> M:
    """``respond()``, or the answer kept for the caller's ``idempotency-key`` (when it sent one)."""
    raw = caller.metadata.get(KEY)
    if raw is None:
        return await respond()
    key = check_key(raw, KEY)
    scope = f"{caller.actor.label} in {caller.organization_id} grpc {method}"
    fingerprint = hashlib.sha256(request.SerializeToString(deterministic=True)).hexdigest()
    try:
        stored = await store.begin(scope, key, fingerprint, now)
    except Conflict as exc:
        raise IdempotencyConflict(exc.detail) from None
    if stored is not None:
        await context.send_initial_metadata(((REPLAYED, "true"),))
        if stored.status == grpc.StatusCode.OK.value[0]:
            return response_type.FromString(stored.body)
        await context.abort_with_status(grpc_status(status_pb2.Status.FromString(stored.body)))
    try:
        response = await respond()
    except BaseException as exc:
        await _settle(store, scope, key, exc)
        raise
    await _keep(store, scope, key, StoredResponse(grpc.StatusCode.OK.value[0], response.SerializeToString(),
                                                  "application/x-protobuf; messageType="
                                                  + response.DESCRIPTOR.full_name))
    return response


async def _settle(store: IdempotencyStore, scope: str, key: str, exc: BaseException) -> None:
    if not isinstance(exc, Exception) or transient(exc):
        try:
            await store.release(scope, key)
        except Exception:  # the call's own failure is what the client must see
            log.warning("could not release an idempotency-key", exc_info=True)
        return
    status = status_for(exc)
    await _keep(store, scope, key, StoredResponse(status.code, status.SerializeToString(), _STATUS))


async def _keep(store: IdempotencyStore, scope: str, key: str, response: StoredResponse) -> None:
    try:
        await store.complete(scope, key, response)
    except Exception:  # the work is done; failing to remember it must not turn success into an error
        log.warning("could not record the answer for an idempotency-key", exc_info=True)
