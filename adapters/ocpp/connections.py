"""The charge points connected to this process, by OCPP identity: the newest connection of each wins."""

from __future__ import annotations

from typing import Any, Protocol


class LiveConnection(Protocol):
    """What the command gateway needs of a connection (``adapters.ocpp.peer.OcppPeer`` is one)."""

    id: str

    @property
    def ocpp_version(self) -> str: ...

    async def request(self, payload: Any) -> dict[str, Any]: ...

    async def close(self, code: int = 1000, reason: str = "") -> None: ...


class ConnectionRegistry:
    def __init__(self) -> None:
        self._live: dict[str, LiveConnection] = {}

    def register(self, connection: LiveConnection) -> LiveConnection | None:
        """Make ``connection`` the charge point's current one; returns the one it replaces, to be closed."""
        previous = self._live.get(connection.id)
        self._live[connection.id] = connection
        return previous if previous is not connection else None

    def unregister(self, connection: LiveConnection) -> bool:
        """Forget ``connection`` if it is still current; False when a newer one has replaced it."""
        if self._live.get(connection.id) is connection:
            del self._live[connection.id]
            return True
        return False

    def get(self, charge_point_id: str) -> LiveConnection | None:
        return self._live.get(charge_point_id)

    def __contains__(self, charge_point_id: object) -> bool:
        return charge_point_id in self._live

    def __len__(self) -> int:
        return len(self._live)
