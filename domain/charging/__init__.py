"""Charging sessions built from charge-point traffic: meter samples, the session state machine, orphans."""

from domain.charging.meter import ENERGY_REGISTER, Anomaly, MeterSample, Reading
from domain.charging.orphans import OrphanTransaction
from domain.charging.sessions import (
    Applied,
    ChargingSession,
    SessionStatus,
    StopRequest,
    TransactionEvent,
    TransactionEventKind,
)

__all__ = [
    "ENERGY_REGISTER",
    "Anomaly",
    "Applied",
    "ChargingSession",
    "MeterSample",
    "OrphanTransaction",
    "Reading",
    "SessionStatus",
    "StopRequest",
    "TransactionEvent",
    "TransactionEventKind",
]
