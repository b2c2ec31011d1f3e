"""Invoice a month from a batch job, importing the application layer (see docs/billing.md).

    python docs/examples/invoice_a_month.py sqlite:///./charge.db org_01J… 2026-11

It builds the container from the settings (the database URL here; the rest from CHARGE_* variables),
runs the batch invoicer for the organization's month and prints what the run did. Run it twice: the
second run adds nothing.
"""

import asyncio
import sys

from domain.billing.periods import BillingPeriod
from entrypoints.config import Settings
from entrypoints.containers import Application


async def main(database_url: str, organization_id: str, month: str) -> None:
    container = Application(config=Settings.from_env(database_url=database_url).as_config())
    try:
        run = await container.use_cases.run_period(organization_id, BillingPeriod.month(month), finalize=False)
        print(f"{run.status.value}: {run.invoices_created} invoices created, {run.invoices_updated} updated, "
              f"{run.sessions_invoiced} sessions invoiced")
    finally:
        await container.adapters.database().dispose()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
