"""The operator's dashboard: this month at a glance, for anyone who may read the organization (a viewer too).

This month's revenue (the ledger's, as the revenue report), sessions and energy (the usage report), the peak
hours (the hour × weekday matrix, in each location's local time), the top locations by revenue, and the charge
points that are offline now. Every figure comes from the reports use case, so the dashboard agrees with
``/api/v1/reports``; the month is the current one of the organization's time zone.
"""

from __future__ import annotations

from typing import Any

from attrs import frozen

from application.authorization import Action, Actor, authorize
from application.pagination import PageRequest
from application.ports import Clock, UnitOfWorkFactory
from application.reports import Report, ReportName, ReportRequest, build_report
from domain.errors import NotFound
from domain.network import ChargePoint

TOP_LOCATIONS = 5
OFFLINE_SHOWN = 50


@frozen
class Dashboard:
    organization_id: str
    organization_name: str
    revenue: Report            # by month: its totals are the month's
    usage: Report              # by month: its totals are the month's
    peak_hours: Report
    top_locations: tuple[dict[str, Any], ...]     # the locations report's first rows, by revenue
    offline: tuple[ChargePoint, ...]              # at most OFFLINE_SHOWN, by id
    more_offline: bool
    location_names: dict[str, str]

    @property
    def currency(self) -> str:
        return self.revenue.currency


async def operator_dashboard(actor: Actor, organization_id: str, *, uow_factory: UnitOfWorkFactory, clock: Clock,
                             top: int = TOP_LOCATIONS, offline_shown: int = OFFLINE_SHOWN) -> Dashboard:
    async def report(name: ReportName, request: ReportRequest) -> Report:
        return await build_report(actor, organization_id, name, request, uow_factory=uow_factory, clock=clock)

    revenue = await report(ReportName.REVENUE, ReportRequest(group_by="month"))
    usage = await report(ReportName.USAGE, ReportRequest(group_by="month"))
    peak_hours = await report(ReportName.PEAK_HOURS, ReportRequest())
    locations = await report(ReportName.LOCATIONS, ReportRequest(rank_by="revenue"))
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        organization = await uow.organizations.get(organization_id)
        if organization is None:
            raise NotFound("organization", organization_id)
        offline = await uow.charge_points.list(organization_id, PageRequest(limit=offline_shown), online=False)
    names = {row["location_id"]: row["location_name"] for row in locations.rows}
    return Dashboard(organization_id=organization_id, organization_name=organization.name, revenue=revenue,
                     usage=usage, peak_hours=peak_hours, top_locations=locations.rows[:top],
                     offline=tuple(offline.items), more_offline=offline.next_cursor is not None,
                     location_names=names)
