"""Organization settings: read by any member, replaced by an admin."""

from __future__ import annotations

import msgspec

from domain.billing.settings import BillingSettings
from domain.identity import Notifications, OrganizationSettings
from entrypoints.rest.bodies import SettingsBody
from entrypoints.rest.decoding import quantity
from entrypoints.rest.endpoint import Call, Endpoint
from entrypoints.rest.views import SettingsOut

TAG = "Organization settings"
PATH = "/api/v1/organizations/{org_id}/settings"


async def get_settings(call: Call) -> SettingsOut:
    view = await call.use_cases.get_settings(call.ids["org_id"], call.caller)
    return SettingsOut.of(view.settings)


async def update_settings(call: Call) -> SettingsOut:
    body: SettingsBody = call.body
    billing = BillingSettings(
        legal_name=body.legal_name,
        billing_address=body.billing_address.address() if body.billing_address is not None else None,
        vat_id=body.vat_id, iban=body.iban, bic=body.bic,
        invoice_number_prefix=body.invoice_number_prefix, credit_note_number_prefix=body.credit_note_number_prefix,
        auto_finalize_invoices=body.auto_finalize_invoices, invoice_day=body.invoice_day,
        payment_terms_days=body.payment_terms_days, vat_exemption_category=body.vat_exemption_category,
        vat_exemption_reason=body.vat_exemption_reason, plan_fee_vat=quantity(body.plan_fee_vat, "plan_fee_vat"),
        dispute_window_days=body.dispute_window_days,
        payment_provider=body.payment_provider, stripe_account=body.stripe_account,
        payment_retry_days=tuple(body.payment_retry_days), uncollectible_after_retries=body.uncollectible_after_retries)
    settings = OrganizationSettings(currency=body.currency, timezone=body.timezone, billing_email=body.billing_email,
                                    notifications=Notifications(**msgspec.structs.asdict(body.notifications)),
                                    default_tariff_id=body.default_tariff_id, billing=billing)
    view = await call.use_cases.update_settings(call.ids["org_id"], settings, call.caller)
    return SettingsOut.of(view.settings)


ENDPOINTS = [
    Endpoint("GET", PATH, get_settings, "getSettings", "Get settings", TAG, response=SettingsOut),
    Endpoint("PUT", PATH, update_settings, "updateSettings", "Update settings", TAG, body=SettingsBody,
             response=SettingsOut,
             description="Replaces the settings: `currency` and `timezone` are required; an omitted "
                         "`billing_email` or `default_tariff_id` becomes null, omitted notification "
                         "switches take their defaults."),
]
