"""What every central-system connection shares: the use cases it calls, a clock, structured notes, and the
raw frames of each transaction kept as a dispute's evidence."""

from __future__ import annotations

import json
import logging
from typing import Any

from ocpp.messages import Call

from adapters.ocpp.peer import OcppPeer
from application.evidence import FrameRecord
from application.ports import Clock
from entrypoints.ocpp.use_cases import OcppUseCases

log = logging.getLogger("charge.ocpp")
TRANSACTION_ACTIONS = frozenset({"StartTransaction", "StopTransaction", "MeterValues", "TransactionEvent"})


class CentralSystemPeer(OcppPeer):
    """The server's side of one charge point's connection; subclasses hold one version's handlers."""

    def __init__(self, id: str, connection: Any, *, use_cases: OcppUseCases, clock: Clock,
                 lenient: bool = False) -> None:
        super().__init__(id, connection, lenient=lenient, logger=log)
        self.use_cases = use_cases
        self.clock = clock

    def note(self, action: str, **fields: Any) -> None:
        """Informational messages are logged (one structured line) and acknowledged, nothing more."""
        log.info("charge point notification", extra={"charge_point_id": self.id, "action": action,
                                                     "ocpp_version": self.ocpp_version, **fields})

    async def answered(self, call: Call, frame: str, answer: str) -> None:
        """Keep a transaction message's frames, as received and as answered (a failure to keep them is logged:
        the charge point has its answer, and the parsed message is stored already)."""
        if call.action not in TRANSACTION_ACTIONS:
            return
        transaction_id = transaction_of(call.action, call.payload, answer)
        if transaction_id is None:
            return
        now = self.clock.now()
        records = [FrameRecord(self.id, transaction_id, now, "in", call.action, frame),
                   FrameRecord(self.id, transaction_id, now, "out", call.action, answer)]
        try:
            await self.use_cases.record_frames(records)
        except Exception:  # evidence is best kept, never worth a connection
            log.exception("OCPP frames not kept", extra={"charge_point_id": self.id, "action": call.action})


def transaction_of(action: str, payload: Any, answer: str) -> str | None:
    """The transaction a message belongs to: named in it, or (a 1.6 start) in our answer."""
    if not isinstance(payload, dict):
        return None
    value: Any = None
    if action == "TransactionEvent":
        info = payload.get("transactionInfo")
        value = info.get("transactionId") if isinstance(info, dict) else None
    elif action == "StartTransaction":
        try:
            message = json.loads(answer)
        except ValueError:
            return None
        if isinstance(message, list) and len(message) == 3 and isinstance(message[2], dict):
            value = message[2].get("transactionId")
    else:
        value = payload.get("transactionId")
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return None
    text = str(value)
    return text if 0 < len(text) <= 64 else None
