"""Settings: defaults from the country, replaced by PUT (optional fields reset to their defaults)."""

from __future__ import annotations

DEFAULT_NOTIFICATIONS = {"session_completed": False, "invoice_issued": True, "payment_failed": True,
                         "dispute_opened": True, "charge_point_offline": True, "weekly_report": False}
# The seller on invoices and the invoicing rules (docs/billing.md), as an organization starts.
DEFAULT_BILLING = {"legal_name": None, "billing_address": None, "vat_id": None, "iban": None, "bic": None,
                   "invoice_number_prefix": "INV-", "credit_note_number_prefix": "CN-",
                   "auto_finalize_invoices": False, "invoice_day": 1, "payment_terms_days": 14,
                   "vat_exemption_category": "E", "vat_exemption_reason": None, "plan_fee_vat": None,
                   "dispute_window_days": 90,
                   # Collection (docs/payments.md).
                   "payment_provider": "bank_transfer", "stripe_account": None, "payment_retry_days": [1, 3, 7],
                   "uncollectible_after_retries": False}


async def test_get_defaults_then_replace(api):
    _, _, token = await api.user()
    org_id = await api.organization(token)
    path = f"/organizations/{org_id}/settings"
    initial = await api.get(path, token)
    assert initial.status_code == 200
    assert initial.json() == {"currency": "GBP", "timezone": "Europe/London", "billing_email": "ops@volt.example",
                              "notifications": DEFAULT_NOTIFICATIONS, "default_tariff_id": None, **DEFAULT_BILLING}

    full = {"currency": "EUR", "timezone": "Europe/Berlin", "billing_email": "Billing@Volt.example",
            "notifications": DEFAULT_NOTIFICATIONS | {"weekly_report": True, "invoice_issued": False},
            "default_tariff_id": None}
    replaced = await api.put(path, token, json=full)
    assert replaced.status_code == 200
    assert replaced.json() == full | {"billing_email": "billing@volt.example"} | DEFAULT_BILLING
    assert (await api.get(path, token)).json() == replaced.json()

    minimal = await api.put(path, token, json={"currency": "USD", "timezone": "America/New_York",
                                               "notifications": {"weekly_report": True}})
    assert minimal.json() == {"currency": "USD", "timezone": "America/New_York", "billing_email": None,
                              "notifications": DEFAULT_NOTIFICATIONS | {"weekly_report": True},
                              "default_tariff_id": None, **DEFAULT_BILLING}


async def test_billing_settings_are_checked_and_kept_compact(api):
    _, _, token = await api.user()
    org_id = await api.organization(token)
    path = f"/organizations/{org_id}/settings"
    seller = {"currency": "GBP", "timezone": "Europe/London", "legal_name": "Voltline Ltd",
              "billing_address": {"line1": "1 Quay Street", "postal_code": "BS1 4DJ", "city": "Bristol",
                                  "country": "GB"},
              "vat_id": "gb 980 7806 84", "iban": "GB33 BUKB 2020 1555 5555 55", "bic": "bukbgb22",
              "invoice_number_prefix": "VL/2026/", "credit_note_number_prefix": "VL/CN/", "invoice_day": 3,
              "payment_terms_days": 30, "vat_exemption_category": "O", "plan_fee_vat": 20}
    replaced = await api.put(path, token, json=seller | {"dispute_window_days": 30})
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["dispute_window_days"] == 30
    assert {k: replaced.json()[k] for k in ("vat_id", "iban", "bic", "vat_exemption_reason", "plan_fee_vat")} == {
        "vat_id": "GB980780684", "iban": "GB33BUKB20201555555555", "bic": "BUKBGB22",
        "vat_exemption_reason": None, "plan_fee_vat": "20"}
    for change, field in (({"invoice_day": 29}, "invoice_day"), ({"plan_fee_vat": "100.5"}, "plan_fee_vat"),
                          ({"credit_note_number_prefix": "VL/2026/"}, "credit_note_number_prefix"),
                          ({"iban": "GB34BUKB20201555555555"}, "iban"), ({"dispute_window_days": 0},
                                                                          "dispute_window_days"),
                          ({"dispute_window_days": 3651}, "dispute_window_days")):
        refused = await api.put(path, token, json=seller | change)
        assert refused.status_code == 422 and [e["field"] for e in refused.json()["errors"]] == [field], refused.text
    assert (await api.get(path, token)).json() == replaced.json()


async def test_payment_settings_choose_the_provider_and_the_retries(api):
    _, _, token = await api.user()
    org_id = await api.organization(token)
    path = f"/organizations/{org_id}/settings"
    base = {"currency": "EUR", "timezone": "Europe/Berlin"}
    chosen = await api.put(path, token, json=base | {"payment_provider": "stripe", "stripe_account": "acct_1Abc",
                                                     "payment_retry_days": [2, 5], "uncollectible_after_retries": True})
    assert chosen.status_code == 200, chosen.text
    assert {k: chosen.json()[k] for k in ("payment_provider", "stripe_account", "payment_retry_days",
                                          "uncollectible_after_retries")} == {
        "payment_provider": "stripe", "stripe_account": "acct_1Abc", "payment_retry_days": [2, 5],
        "uncollectible_after_retries": True}
    for change, field in (({"payment_provider": "paypal"}, "payment_provider"),
                          ({"stripe_account": "cus_123"}, "stripe_account"),
                          ({"payment_retry_days": [0]}, "payment_retry_days[0]"),
                          ({"payment_retry_days": list(range(1, 12))}, "payment_retry_days")):
        refused = await api.put(path, token, json=base | change)
        assert refused.status_code == 422 and [e["field"] for e in refused.json()["errors"]] == [field], refused.text
    assert (await api.get(path, token)).json() == chosen.json()


async def test_settings_are_validated_field_by_field(api):
    _, _, token = await api.user()
    org_id = await api.organization(token)
    response = await api.put(f"/organizations/{org_id}/settings", token,
                             json={"currency": "XYZ", "timezone": "Mars/Olympus", "billing_email": "nope",
                                   "default_tariff_id": "trf_nope"})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"currency", "timezone", "billing_email",
                                                               "default_tariff_id"}
    unknown = await api.put(f"/organizations/{org_id}/settings", token,
                            json={"currency": "EUR", "timezone": "UTC", "notifications": {"sms": True}})
    assert unknown.status_code == 422
    assert unknown.json()["errors"] == [{"field": "notifications.sms", "message": "unknown field"}]
