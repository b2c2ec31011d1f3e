"""Charge as a library, for batch jobs that import it: the stable names, in one module (docs/embedding.md).

    async with open_charge("postgresql://charge@db/charge") as charge:
        imported = await charge.import_tariffs(organization_id, documents)
        report = await charge.report(organization_id, "revenue", start=date(2026, 11, 1), end=date(2026, 12, 1))
        Path("revenue.csv").write_text(report_csv(report))

What is kept stable: the names in ``__all__``, and the methods of ``Charge`` with their parameters
(tests/unit/test_library.py pins both). ``Charge.use_cases`` reaches every other use case as the doors call
it; those names follow the application and may change.

A batch job acts in one organization as that organization's own API key would, with the role it asks for
(``Charge.acting_in``); it bypasses nothing else: the use cases check their input and scope every read to the
organization as they do for REST and gRPC.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

from adapters.sql.migrate import is_up_to_date, upgrade
from application.authorization import Actor
from application.ports.billing import InvoiceRun
from application.reports import Report, ReportName, ReportRequest
from application.tariff_imports import TariffImport
from domain.billing.periods import BillingPeriod
from domain.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from domain.identity import Role
from entrypoints.config import Settings
from entrypoints.containers import Application
from entrypoints.report_formats import report_csv, report_json

__all__ = [
    "Charge",
    "Conflict",
    "DomainError",
    "Forbidden",
    "InvalidInput",
    "InvoiceRun",
    "NotFound",
    "Report",
    "ReportName",
    "Role",
    "SchemaBehind",
    "TariffImport",
    "open_charge",
    "report_csv",
    "report_json",
]


class SchemaBehind(RuntimeError):
    """The database is not at this release's schema: run ``charge migrate``, or open with ``migrate=True``."""


class Charge:
    """The use cases a batch job calls, on one database; made by ``open_charge``, which also closes it."""

    def __init__(self, container: Application) -> None:
        self._container = container

    @property
    def use_cases(self) -> Any:
        """Every use case, as the doors call them (names not kept stable)."""
        return self._container.use_cases

    @staticmethod
    def acting_in(organization_id: str, role: Role = Role.ADMIN) -> Actor:
        """The caller a batch job is: the organization's own, with ``role`` (a viewer can only read)."""
        return Actor(api_key_id="batch-job", api_key_organization_id=organization_id, api_key_role=role)

    async def import_tariffs(self, organization_id: str, documents: Sequence[Any]) -> TariffImport:
        """OCPI tariff documents, all or nothing; a known OCPI ``id`` is revised when it changed (a new version)."""
        return await self._container.use_cases.import_tariffs(
            documents, self.acting_in(organization_id, Role.MEMBER), organization_id)

    async def report(self, organization_id: str, name: ReportName | str, *, start: date | None = None,
                     end: date | None = None, group_by: str | None = None, location_id: str | None = None,
                     rank_by: str | None = None, fleet_id: str | None = None) -> Report:
        """A report as REST answers it (``end`` exclusive, local dates); ``report_csv`` writes it as CSV."""
        try:
            report = ReportName(name)
        except ValueError:
            raise InvalidInput.field("name", f"one of {', '.join(n.value for n in ReportName)}") from None
        request = ReportRequest(start=start, end=end, group_by=group_by, location_id=location_id, rank_by=rank_by,
                                fleet_id=fleet_id)
        return await self._container.use_cases.build_report(
            self.acting_in(organization_id, Role.VIEWER), organization_id, report, request)

    async def invoice_month(self, organization_id: str, month: str, *, finalize: bool = False) -> InvoiceRun:
        """Invoice a month (``YYYY-MM``) as the batch invoicer does; run again, it adds nothing."""
        return await self._container.use_cases.run_period(organization_id, BillingPeriod.month(month),
                                                         finalize=finalize)


@asynccontextmanager
async def open_charge(database_url: str, *, migrate: bool = False, **settings: Any) -> AsyncIterator[Charge]:
    """Charge on the database at ``database_url``; other settings from ``CHARGE_*`` variables or ``settings``.

    ``migrate=True`` brings the schema to this release first; otherwise a schema behind raises ``SchemaBehind``.
    """
    if migrate:
        await upgrade(database_url)
    elif not await is_up_to_date(database_url):
        raise SchemaBehind("the database schema is behind this release: run `charge migrate` first")
    container = Application(config=Settings.from_env(database_url=database_url, **settings).as_config())
    try:
        yield Charge(container)
    finally:
        await container.adapters.feed_sequencer().close()   # events numbered for live streams, if under way
        await container.adapters.database().dispose()
