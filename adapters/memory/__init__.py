"""In-memory implementations of every port: for tests, and for running the core with no database."""

from adapters.memory.idempotency import InMemoryIdempotencyStore
from adapters.memory.meter_sink import InMemoryMeterSink
from adapters.memory.unit_of_work import InMemoryStore, InMemoryUnitOfWork

__all__ = ["InMemoryIdempotencyStore", "InMemoryMeterSink", "InMemoryStore", "InMemoryUnitOfWork"]
