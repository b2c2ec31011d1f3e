"""What a driver reads in the portal: their own sessions (filtered by start, cursor-paged), a session's cost with
the "why" of each period, its receipt, and their invoices with their PDFs. Every read is scoped to the signed-in
driver: another driver's object, or another organization's, is a 404 like one that does not exist.

A driver's invoices are those of the customer made for them (``customers.find_by_driver``): when a driver's
sessions are billed to another customer (a company paying for its drivers), that customer's invoices carry
other people's sessions and are not the driver's to read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from attrs import frozen

from application.invoices import InvoiceDetail
from application.pagination import Page, PageRequest
from application.portal_access import DriverActor
from application.ports import Clock, UnitOfWork, UnitOfWorkFactory
from application.ports.billing import InvoiceFilter
from application.ports.documents import InvoiceDocuments
from application.ports.network import SessionFilter
from application.ports.portal import ReceiptDocuments
from application.sessions import NotPriced, SessionCostView
from domain.billing.invoices import Invoice, InvoiceStatus
from domain.charging import ChargingSession, SessionStatus
from domain.errors import NotFound
from domain.network import Driver, Location
from domain.portal.receipts import Receipt, ReceiptLine

LINE_NAMES = {"ENERGY": "Energy", "TIME": "Charging time", "PARKING_TIME": "Parking time", "FLAT": "Session fee",
              "RESERVATION_FLAT": "Reservation fee", "RESERVATION_TIME": "Reservation time",
              "MIN_PRICE": "Minimum price adjustment", "MAX_PRICE": "Maximum price adjustment"}


@frozen
class Me:
    driver: Driver
    organization_name: str
    timezone: str = "UTC"     # the organization's: where a date a driver types starts and ends
    currency: str = "EUR"     # the organization's: what a free session would have been billed in


async def whoami(driver: DriverActor, *, uow_factory: UnitOfWorkFactory) -> Me:
    async with uow_factory(read_only=True) as uow:
        found = await uow.drivers.get(driver.organization_id, driver.driver_id)
        organization = await uow.organizations.get(driver.organization_id)
    if found is None or organization is None:
        raise NotFound("driver", driver.driver_id)
    return Me(found, organization.name, organization.settings.timezone, organization.settings.currency)


@frozen
class Place:
    """Where a charge point stands, as a driver recognises it; its time zone is the one its times are shown in."""

    charge_point_id: str
    name: str
    city: str
    timezone: str


async def my_places(driver: DriverActor, charge_point_ids: Iterable[str], *,
                    uow_factory: UnitOfWorkFactory) -> dict[str, Place]:
    """The places of the charge points the driver's sessions name (a list of sessions shows where each was);
    a charge point since removed is still a place, named by its id, in the organization's time zone."""
    places: dict[str, Place] = {}
    async with uow_factory(read_only=True) as uow:
        organization = await uow.organizations.get(driver.organization_id)
        if organization is None:
            raise NotFound("driver", driver.driver_id)
        locations: dict[str, Location | None] = {}
        for charge_point_id in dict.fromkeys(charge_point_ids):
            charge_point = await uow.charge_points.get(driver.organization_id, charge_point_id)
            location_id = charge_point.location_id if charge_point is not None else None
            if location_id is not None and location_id not in locations:
                locations[location_id] = await uow.locations.get(driver.organization_id, location_id)
            location = locations.get(location_id) if location_id is not None else None
            places[charge_point_id] = (
                Place(charge_point_id, location.name, location.city, location.timezone) if location is not None
                else Place(charge_point_id, charge_point_id, "", organization.settings.timezone))
    return places


async def my_sessions(driver: DriverActor, started_from: datetime | None, started_to: datetime | None,
                      page: PageRequest, *, uow_factory: UnitOfWorkFactory) -> Page[ChargingSession]:
    async with uow_factory(read_only=True) as uow:
        return await uow.sessions.list(driver.organization_id, SessionFilter(
            driver_id=driver.driver_id, started_from=started_from, started_to=started_to), page)


async def _own_session(uow: UnitOfWork, driver: DriverActor, session_id: str) -> ChargingSession:
    session = await uow.sessions.get(driver.organization_id, session_id)
    if session is None or session.driver_id != driver.driver_id:
        raise NotFound("session", session_id)
    return session


async def my_session(driver: DriverActor, session_id: str, *, uow_factory: UnitOfWorkFactory) -> ChargingSession:
    async with uow_factory(read_only=True) as uow:
        return await _own_session(uow, driver, session_id)


async def my_session_cost(driver: DriverActor, session_id: str, *, uow_factory: UnitOfWorkFactory,
                          clock: Clock) -> SessionCostView:
    """The billed cost of a completed session (the live estimate is the operator's to see, not a driver's)."""
    async with uow_factory(read_only=True) as uow:
        session = await _own_session(uow, driver, session_id)
    if session.status is not SessionStatus.COMPLETED or session.cost is None:
        raise NotPriced(session_id)
    return SessionCostView(session.cost.breakdown, estimate=False)


async def my_receipt(driver: DriverActor, session_id: str, *, uow_factory: UnitOfWorkFactory, clock: Clock,
                     documents: ReceiptDocuments) -> bytes:
    async with uow_factory(read_only=True) as uow:
        receipt = await _receipt(uow, driver, session_id, clock.now())
    content: bytes = await asyncio.to_thread(documents.receipt, receipt)
    return content


async def _receipt(uow: UnitOfWork, driver: DriverActor, session_id: str, now: datetime) -> Receipt:
    session = await _own_session(uow, driver, session_id)
    if session.status is not SessionStatus.COMPLETED:
        raise NotFound("receipt", session_id)   # a running session has no receipt yet
    org = driver.organization_id
    organization = await uow.organizations.get(org)
    me = await uow.drivers.get(org, driver.driver_id)
    charge_point = await uow.charge_points.get(org, session.charge_point_id)
    location = await uow.locations.get(org, charge_point.location_id) if charge_point is not None else None
    if organization is None or me is None:
        raise NotFound("session", session_id)
    billing = organization.settings.billing
    zone = ZoneInfo(location.timezone if location else organization.settings.timezone)
    address = billing.billing_address
    operator_address = tuple(x for x in ((address.line1, address.line2, f"{address.postal_code} {address.city}",
                                          address.country) if address else ()) if x)
    charge = await uow.charges.get(org, session.id)
    invoice = await uow.invoices.get(org, charge.invoice_id) if charge is not None and charge.invoice_id else None
    tariff = await uow.tariffs.get(org, session.tariff_id) if session.tariff_id else None
    cost = session.cost
    lines = tuple(ReceiptLine(LINE_NAMES.get(line.type.value, line.type.value), line.quantity, line.unit,
                              line.unit_price, line.amount, line.vat_rate)
                  for line in (cost.breakdown.lines if cost else ()) if line.amount or line.quantity)
    return Receipt(
        session_id=session.id, operator_name=billing.legal_name or organization.name,
        operator_address=operator_address, operator_vat_id=billing.vat_id, driver_name=me.name,
        location_name=location.name if location else "",
        location_address=(location.address, location.city, location.country) if location else (),
        charge_point_id=session.charge_point_id, connector_id=session.connector_id, timezone=zone.key,
        started_at=session.started_at.astimezone(zone) if session.started_at else None,
        stopped_at=session.stopped_at.astimezone(zone) if session.stopped_at else None,
        energy_kwh=session.energy_kwh, currency=cost.currency if cost else None, lines=lines,
        total_excl_vat=cost.total_excl_vat if cost else Decimal(0), vat=cost.vat if cost else Decimal(0),
        total=cost.total if cost else Decimal(0), payment_status=_payment_status(cost is not None, invoice),
        invoice_number=invoice.number if invoice is not None else None,
        tariff_name=(tariff.version(session.tariff_version).tariff.name or tariff.id)
        if tariff is not None and session.tariff_version is not None else None,
        issued_at=now)


def _payment_status(priced: bool, invoice: Invoice | None) -> str:
    if not priced:
        return "Free of charge: no tariff prices this session"
    if invoice is None or invoice.status is InvoiceStatus.DRAFT:
        return "Not invoiced yet: it will be on your next invoice"
    if invoice.status is InvoiceStatus.PAID:
        return "Paid"
    if invoice.status is InvoiceStatus.OPEN:
        return f"Invoiced, due by {invoice.due_date.isoformat()}" if invoice.due_date else "Invoiced"
    return f"Invoice {invoice.status.value}"


async def my_invoices(driver: DriverActor, page: PageRequest, *, uow_factory: UnitOfWorkFactory) -> Page[Invoice]:
    async with uow_factory(read_only=True) as uow:
        customer = await uow.customers.find_by_driver(driver.organization_id, driver.driver_id)
        if customer is None:
            return Page([], None)
        listed = await uow.invoices.list(driver.organization_id, InvoiceFilter(customer_id=customer.id), page)
    # Drafts are the operator's work in progress: a driver sees an invoice once it is issued.
    return Page([i for i in listed.items if i.status is not InvoiceStatus.DRAFT], listed.next_cursor)


async def _own_invoice(uow: UnitOfWork, driver: DriverActor, invoice_id: str) -> Invoice:
    customer = await uow.customers.find_by_driver(driver.organization_id, driver.driver_id)
    invoice = await uow.invoices.get(driver.organization_id, invoice_id)
    if (customer is None or invoice is None or invoice.customer_id != customer.id
            or invoice.status is InvoiceStatus.DRAFT):
        raise NotFound("invoice", invoice_id)
    return invoice


async def my_invoice(driver: DriverActor, invoice_id: str, *, uow_factory: UnitOfWorkFactory) -> InvoiceDetail:
    async with uow_factory(read_only=True) as uow:
        invoice = await _own_invoice(uow, driver, invoice_id)
        notes = await uow.invoices.credit_notes(driver.organization_id, invoice.id)
    return InvoiceDetail(invoice, tuple(notes))


async def my_invoice_pdf(driver: DriverActor, invoice_id: str, *, uow_factory: UnitOfWorkFactory,
                         documents: InvoiceDocuments) -> tuple[Invoice, bytes]:
    async with uow_factory(read_only=True) as uow:
        invoice = await _own_invoice(uow, driver, invoice_id)
    content: bytes = await asyncio.to_thread(documents.pdf, invoice)
    return invoice, content
