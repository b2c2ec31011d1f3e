"""`charge payments retry` as cron runs it: a real process over a real database (SQLite and PostgreSQL), with
Stripe at localstripe. An invoice a declined card left open is attempted once its retry is due."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import stripe
from sqlalchemy import update

from adapters.sql.tables import invoices
from application.payment_methods import MethodRequest
from domain.billing.periods import BillingPeriod
from domain.billing.settings import BillingSettings
from entrypoints.config import Settings
from entrypoints.containers import Application
from tests.support.localstripe_process import LocalStripe
from tests.unit.billing.world import ACTOR, ADDRESS, ORG, priced_session, setup

CHARGE = [sys.executable, "-m", "entrypoints.cli", "payments", "retry"]


def _env(localstripe: LocalStripe) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHARGE_")}
    env.update(CHARGE_LOG_LEVEL="WARNING", CHARGE_STRIPE_SECRET_KEY=localstripe.secret_key,
               CHARGE_STRIPE_API_BASE=localstripe.url)
    return env


async def _declined_invoice(url: str, localstripe: LocalStripe) -> str:
    """An organization collecting through Stripe whose customer's card declined: the open invoice's id, its retry
    made due now."""
    container = Application(config=Settings(database_url=url, stripe_secret_key=localstripe.secret_key,
                                            stripe_api_base=localstripe.url).as_config())
    uow, clock = container.adapters.uow_factory(), container.core.clock()
    world = SimpleNamespace(uow=uow, clock=clock, settings=BillingSettings(
        legal_name="Voltline Ltd", billing_address=ADDRESS, vat_id="GB980780684", payment_provider="stripe"))
    try:
        (driver,) = await setup(world, drivers=1)
        await priced_session(world, driver, datetime(2026, 1, 10, 9, tzinfo=UTC), Decimal(10))
        async with uow(read_only=True) as read:   # the priced session's handler billed it to a customer of its own
            customer = await read.customers.find_by_driver(ORG, driver.id)
        assert customer is not None
        method = await container.use_cases.start_saving_payment_method(MethodRequest(customer.id), ACTOR, ORG)
        sdk = stripe.StripeClient(localstripe.secret_key, base_addresses={"api": localstripe.url})
        card = sdk.v1.payment_methods.create(params={"type": "card", "card": {
            "number": "4000000000000341", "exp_month": 12, "exp_year": 2031, "cvc": "123"}})
        sdk.v1.setup_intents.confirm(method.setup_reference, params={"payment_method": card.id})
        await container.use_cases.list_payment_methods(customer.id, ACTOR, ORG)
        run = await container.use_cases.run_period(ORG, BillingPeriod.month("2026-01"), finalize=True)
        assert run.invoices_finalized == 1, run
        async with uow(read_only=True) as read:
            (invoice_id,) = await read.invoices.failed_collections(ORG, customer.id)
        async with container.adapters.database().engine.begin() as connection:
            await connection.execute(update(invoices).where(invoices.c.id == invoice_id).values(
                next_payment_attempt_at=datetime.now(UTC) - timedelta(minutes=1)))
        return invoice_id
    finally:
        await container.adapters.database().dispose()


async def test_a_due_retry_is_attempted_once_and_arguments_are_checked(database_url: str,
                                                                       localstripe: LocalStripe):
    invoice_id = await _declined_invoice(database_url, localstripe)
    env = _env(localstripe)
    done = subprocess.run(CHARGE + ["--database-url", database_url], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"charge payments retry: {invoice_id} open (card_declined)" in done.stdout, done.stdout
    assert done.stdout.strip().endswith("1 attempted")
    again = subprocess.run(CHARGE + ["--database-url", database_url], env=env, capture_output=True, text=True,
                           timeout=120)
    assert again.returncode == 0 and again.stdout.strip().endswith("0 attempted"), again.stdout   # next: in 3 days
    now = subprocess.run(CHARGE + ["--database-url", database_url, "--organization", ORG, "--invoice", invoice_id],
                         env=env, capture_output=True, text=True, timeout=120)
    assert now.returncode == 0 and "1 attempted" in now.stdout, now.stdout + now.stderr
    bad = subprocess.run(CHARGE + ["--database-url", database_url, "--invoice", invoice_id], env=env,
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "--organization" in bad.stderr
