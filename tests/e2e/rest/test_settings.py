"""Settings: defaults from the country, replaced by PUT (optional fields reset to their defaults)."""

from __future__ import annotations

DEFAULT_NOTIFICATIONS = {"session_completed": False, "invoice_issued": True, "payment_failed": True,
                         "dispute_opened": True, "charge_point_offline": True, "weekly_report": False}


async def test_get_defaults_then_replace(api):
    _, _, token = await api.user()
    org_id = await api.organization(token)
    path = f"/organizations/{org_id}/settings"
    initial = await api.get(path, token)
    assert initial.status_code == 200
    assert initial.json() == {"currency": "GBP", "timezone": "Europe/London", "billing_email": "ops@volt.example",
                              "notifications": DEFAULT_NOTIFICATIONS, "default_tariff_id": None}

    full = {"currency": "EUR", "timezone": "Europe/Berlin", "billing_email": "Billing@Volt.example",
            "notifications": DEFAULT_NOTIFICATIONS | {"weekly_report": True, "invoice_issued": False},
            "default_tariff_id": None}
    replaced = await api.put(path, token, json=full)
    assert replaced.status_code == 200
    assert replaced.json() == full | {"billing_email": "billing@volt.example"}
    assert (await api.get(path, token)).json() == replaced.json()

    minimal = await api.put(path, token, json={"currency": "USD", "timezone": "America/New_York",
                                               "notifications": {"weekly_report": True}})
    assert minimal.json() == {"currency": "USD", "timezone": "America/New_York", "billing_email": None,
                              "notifications": DEFAULT_NOTIFICATIONS | {"weekly_report": True},
                              "default_tariff_id": None}


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
