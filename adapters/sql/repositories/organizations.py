"""Organizations (the tenants) in SQL, their settings flattened into columns."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.repositories._statements import fetch_page, insert_or_conflict, upsert
from adapters.sql.repositories.billing import address_from, address_json
from adapters.sql.tables import members, organizations
from application.pagination import Page, PageRequest
from domain.billing.settings import DEFAULT_RETRY_DAYS, BillingSettings
from domain.identity import Notifications, Organization, OrganizationSettings, Role


def organization_to_row(organization: Organization) -> dict[str, Any]:
    settings = organization.settings
    return {
        "id": organization.id, "name": organization.name, "country": organization.country,
        "contact_email": organization.contact_email, "currency": settings.currency,
        "timezone": settings.timezone, "billing_email": settings.billing_email,
        "notifications": settings.notifications.to_dict(), "default_tariff_id": settings.default_tariff_id,
        "created_at": organization.created_at, "updated_at": organization.updated_at,
    } | billing_to_row(settings.billing)


def billing_to_row(billing: BillingSettings) -> dict[str, Any]:
    b = billing
    return {"legal_name": b.legal_name, "billing_address": address_json(b.billing_address), "vat_id": b.vat_id,
            "iban": b.iban, "bic": b.bic, "invoice_number_prefix": b.invoice_number_prefix,
            "credit_note_number_prefix": b.credit_note_number_prefix,
            "auto_finalize_invoices": b.auto_finalize_invoices, "invoice_day": b.invoice_day,
            "payment_terms_days": b.payment_terms_days, "vat_exemption_category": b.vat_exemption_category,
            "vat_exemption_reason": b.vat_exemption_reason, "plan_fee_vat": b.plan_fee_vat,
            "dispute_window_days": b.dispute_window_days,
            "payment_provider": b.payment_provider, "stripe_account": b.stripe_account,
            "payment_retry_days": list(b.payment_retry_days),
            "uncollectible_after_retries": b.uncollectible_after_retries}


def billing_from_row(row: Row[Any]) -> BillingSettings:
    return BillingSettings(legal_name=row.legal_name, billing_address=address_from(row.billing_address),
                           vat_id=row.vat_id, iban=row.iban, bic=row.bic,
                           invoice_number_prefix=row.invoice_number_prefix,
                           credit_note_number_prefix=row.credit_note_number_prefix,
                           auto_finalize_invoices=row.auto_finalize_invoices, invoice_day=row.invoice_day,
                           payment_terms_days=row.payment_terms_days,
                           vat_exemption_category=row.vat_exemption_category,
                           vat_exemption_reason=row.vat_exemption_reason, plan_fee_vat=row.plan_fee_vat,
                           dispute_window_days=row.dispute_window_days,
                           payment_provider=row.payment_provider, stripe_account=row.stripe_account,
                           payment_retry_days=DEFAULT_RETRY_DAYS if row.payment_retry_days is None
                           else tuple(row.payment_retry_days),
                           uncollectible_after_retries=row.uncollectible_after_retries)


def notifications_from_json(data: dict[str, Any]) -> Notifications:
    # A switch dropped from the model must not make older rows unreadable.
    known = set(Notifications.keys())
    return Notifications(**{k: bool(v) for k, v in data.items() if k in known})


def organization_from_row(row: Row[Any]) -> Organization:
    settings = OrganizationSettings(currency=row.currency, timezone=row.timezone, billing_email=row.billing_email,
                                    notifications=notifications_from_json(row.notifications),
                                    default_tariff_id=row.default_tariff_id, billing=billing_from_row(row))
    return Organization(id=row.id, name=row.name, country=row.country, contact_email=row.contact_email,
                        settings=settings, created_at=row.created_at, updated_at=row.updated_at)


class SqlOrganizations:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, organization: Organization) -> None:
        await insert_or_conflict(self._connection, organizations, organization_to_row(organization),
                                 "organization exists")

    async def get(self, organization_id: str) -> Organization | None:
        return await self._get(organization_id, lock=False)

    async def get_for_update(self, organization_id: str) -> Organization | None:
        # FOR UPDATE on PostgreSQL; SQLite ignores it, and needs nothing: its units of work begin
        # with BEGIN IMMEDIATE, so writers are serialised for the whole transaction anyway.
        return await self._get(organization_id, lock=True)

    async def _get(self, organization_id: str, *, lock: bool) -> Organization | None:
        statement = select(organizations).where(organizations.c.id == organization_id)
        if lock:
            statement = statement.with_for_update()
        row = (await self._connection.execute(statement)).first()
        return organization_from_row(row) if row is not None else None

    async def save(self, organization: Organization) -> None:
        await upsert(self._connection, organizations, organization_to_row(organization),
                     {"id": organization.id}, "organization exists")

    async def list_for_user(self, user_id: str, page: PageRequest) -> Page[tuple[Organization, Role]]:
        statement = (select(organizations, members.c.role)
                     .join(members, members.c.organization_id == organizations.c.id)
                     .where(members.c.user_id == user_id))
        return await fetch_page(self._connection, statement, organizations.c.id, page,
                                lambda row: (organization_from_row(row), Role(row.role)),
                                lambda pair: pair[0].id)
