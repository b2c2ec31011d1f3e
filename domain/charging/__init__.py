"""Charging sessions built from charge-point traffic: meter samples and the session state machine."""

from domain.charging.meter import ENERGY_REGISTER, MeterSample
from domain.charging.sessions import ChargingSession, SessionStatus, TransactionEvent, TransactionEventKind

__all__ = [
    "ENERGY_REGISTER",
    "ChargingSession",
    "MeterSample",
    "SessionStatus",
    "TransactionEvent",
    "TransactionEventKind",
]
