"""``charge payments retry``: the payment retries that are due (what the server's scheduler runs every few
minutes), or one invoice's next attempt now (``--invoice``), from the command line or cron."""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from entrypoints.config import Settings
from entrypoints.containers import Application


def add_parser(sub: Any) -> None:
    payments = sub.add_parser("payments", help="collection by the payment providers")
    actions = payments.add_subparsers(dest="payments_command", required=True)
    retry = actions.add_parser("retry", help="try again the card payments that failed and are due",
                               description="Attempts every open invoice whose next payment attempt (the "
                                           "organization's payment_retry_days after a decline) is due; with "
                                           "--invoice, that invoice's next attempt now.")
    retry.add_argument("--organization", help="with --invoice: the invoice's organization (org_…)")
    retry.add_argument("--invoice", help="attempt this invoice now (invc_…), due or not")
    retry.add_argument("--database-url", help="sqlite:///PATH or postgresql://USER@HOST:PORT/DB")


async def run_command(settings: Settings, args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    """0 when the attempts ran (paid or declined), 2 for bad arguments or a schema behind."""
    from adapters.sql.migrate import is_up_to_date, upgrade

    if bool(args.invoice) != bool(args.organization):
        print("charge: --invoice and --organization go together", file=sys.stderr)
        return 2
    if settings.database_url.startswith("sqlite"):
        await upgrade(settings.database_url)
    elif not await is_up_to_date(settings.database_url):
        print("charge: the database schema is behind; run `charge migrate` first", file=sys.stderr)
        return 2
    container = Application(config=settings.as_config())
    try:
        while await container.adapters.events().dispatch_pending():
            pass
        if args.invoice:
            outcome = await container.use_cases.attempt_collection(args.organization, args.invoice)
            outcomes = [outcome] if outcome is not None else []
        else:
            outcomes = await container.use_cases.retry_due_payments()
        for o in outcomes:
            print(f"charge payments retry: {o.invoice_id} {o.status.value}"
                  + (f" ({o.error})" if o.error else ""), file=out, flush=True)
        print(f"charge payments retry: {len(outcomes)} attempted", file=out, flush=True)
        return 0
    finally:
        await container.adapters.database().dispose()
