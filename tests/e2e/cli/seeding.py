"""A database with an organization ready to invoice January 2026: 60 drivers (each billed as a customer of its
own), two priced sessions each, booked in the ledger. Seeded through the use cases, as the server would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from adapters.sql.database import Database
from tests.unit.billing.world import build, priced_session, setup

CUSTOMERS = 60


async def seed(url: str) -> None:
    """An organization whose 60 drivers (each billed as a customer of its own) charged twice in January."""
    database = Database(url)
    try:
        world = build(storage=database)
        drivers = await setup(world, drivers=CUSTOMERS)
        for i, driver in enumerate(drivers):
            for day in (3, 17):
                await priced_session(world, driver, datetime(2026, 1, day, 8, tzinfo=UTC) + timedelta(minutes=i),
                                     Decimal(5 + i % 7), flat="0.50" if i % 3 == 0 else None)
    finally:
        await database.dispose()
