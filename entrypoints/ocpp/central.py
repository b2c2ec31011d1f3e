"""What every central-system connection shares: the use cases it calls, a clock, structured notes."""

from __future__ import annotations

import logging
from typing import Any

from adapters.ocpp.peer import OcppPeer
from application.ports import Clock
from entrypoints.ocpp.use_cases import OcppUseCases

log = logging.getLogger("charge.ocpp")


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
