"""Helpers the storage contract suites share: committing objects, and reading a list page by page."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from application.pagination import Page, PageRequest
from application.ports import UnitOfWork, UnitOfWorkFactory


async def all_pages(fetch: Callable[[PageRequest], Awaitable[Page[Any]]], limit: int = 2) -> list[Page[Any]]:
    pages = [await fetch(PageRequest(limit=limit))]
    while pages[-1].next_cursor is not None:
        assert len(pages) < 20, "pagination does not end"
        pages.append(await fetch(PageRequest(limit=limit, after=pages[-1].next_cursor)))
    return pages


def assert_paged(pages: list[Page[Any]], expected_ids: list[str], key: Callable[[Any], str] = lambda i: i.id) -> None:
    """Five items in pages of two: three pages, ordered by id, nothing twice, nothing missing."""
    assert [len(p.items) for p in pages] == [2, 2, 1]
    assert [p.next_cursor for p in pages[:-1]] == [key(pages[0].items[-1]), key(pages[1].items[-1])]
    assert pages[-1].next_cursor is None
    seen = [key(item) for page in pages for item in page.items]
    assert seen == sorted(expected_ids)


def repository_for(uow: UnitOfWork, obj: Any) -> Any:
    return {
        "User": uow.users, "Organization": uow.organizations, "Member": uow.members,
        "Invitation": uow.invitations, "ApiKey": uow.api_keys, "AccessToken": uow.access_tokens,
        "OutboundEmail": uow.outbox, "Location": uow.locations, "ChargePoint": uow.charge_points,
        "Driver": uow.drivers, "ChargingSession": uow.sessions, "Reservation": uow.reservations,
        "TariffRecord": uow.tariffs, "MembershipPlan": uow.plans, "Subscription": uow.subscriptions,
        "OrphanTransaction": uow.orphans, "Fleet": uow.fleets, "Vehicle": uow.vehicles,
        "VehicleAssignment": uow.vehicle_assignments, "AuthorizationRecord": uow.authorizations,
        "OdometerReading": uow.odometer_readings,
    }[type(obj).__name__]


async def seed(uow_factory: UnitOfWorkFactory, *objects: Any) -> None:
    """Store and commit objects, each with the repository its type belongs to (parents first)."""
    async with uow_factory() as uow:
        for obj in objects:
            await repository_for(uow, obj).add(obj)
        await uow.commit()
