"""Every endpoint with a body, fed every bad body its declaration suggests: a 4xx problem naming the field;
every operator read, fed every bad query string its declaration suggests: a 422 naming the parameter."""

from __future__ import annotations

import pytest

from tests.e2e.rest.bad_inputs import BODY_ENDPOINTS, QUERY_ENDPOINTS, attack, attack_query, build_world


class _Everyone(set):
    """Every charge point is online: valid commands get an answer rather than 409 unavailable."""

    def __contains__(self, item: object) -> bool:
        return True


def test_every_endpoint_with_a_body_is_attacked():
    assert set(BODY_ENDPOINTS) == {
        "signup", "issueToken", "createOrganization", "updateOrganization", "updateMemberRole", "createInvitation",
        "acceptInvitation", "updateSettings", "createApiKey", "createLocation", "registerChargePoint",
        "createDriver", "createReservation", "commandRemoteStart", "commandRemoteStop", "commandReset",
        "commandUnlock", "commandAvailability", "commandTrigger", "commandGetConfiguration",
        "commandChangeConfiguration", "commandGetVariables", "commandSetVariables", "commandSetChargingProfile",
        "commandClearCache", "createTariff", "updateTariff", "quoteTariff", "assignChargePointTariff",
        "assignLocationTariff", "createMembershipPlan", "updateMembershipPlan", "createSubscription",
        "createCustomer", "updateCustomer", "recordInvoicePayment", "issueCreditNote", "startInvoiceRun",
        "createFleet", "updateFleet", "createVehicle", "updateVehicle", "assignVehicle", "updateDriver",
        "recordOdometerReading",
        "requestPortalSignInLink", "exchangePortalSignInLink", "createDriverDispute", "assignDispute",
        "commentOnDispute", "resolveDispute", "createPaymentMethod", "refundInvoice", "createDriverPaymentMethod",
        "createWebhookEndpoint", "updateWebhookEndpoint", "rotateWebhookSecret", "inviteSiteOwner", "createProject",
        "updateProject", "issueProjectStatement", "updateSiteOwnerProfile", "setSiteOwnerPayoutDetails",
        "acceptSiteOwnerAgreement"}


def test_every_operator_read_is_attacked():
    assert set(QUERY_ENDPOINTS) == {"listLocations", "getLocation", "listChargePoints", "getChargePoint",
                                    "listDrivers", "getDriver", "listSessions", "getSession", "listReservations",
                                    "getSessionCostBreakdown", "listTariffs", "getTariff", "listMembershipPlans",
                                    "getMembershipPlan", "listSubscriptions", "getSubscription",
                                        "listOrphanTransactions", "listCustomers", "getCustomer",
                                    "getCustomerBalance", "listTransactions", "getTrialBalance", "listInvoices",
                                    "getInvoice", "getInvoicePdf", "getInvoiceXml", "getInvoiceRun", "listFleets",
                                    "getFleet", "listVehicles", "getVehicle", "listVehicleAssignments",
                                    "listOdometerReadings",
                                    "listAuthorizations", "listPortalTokens", "listDisputes", "getDispute",
                                    "listPaymentMethods", "getReconciliation", "getRevenueReport", "getUsageReport",
                                    "getPeakHoursReport", "getLocationsReport", "getUtilizationReport",
                                    "getFleetCostsReport",
                                    "listWebhookEndpoints", "getWebhookEndpoint", "listWebhookDeliveries",
                                    "listEvents", "getEvent", "listSiteOwners", "getSiteOwner", "listProjects",
                                    "getProject", "listProjectStatements"}


@pytest.mark.parametrize("operation_id", sorted(BODY_ENDPOINTS))
async def test_bad_bodies_are_4xx_problems(api, charge_points, sessions, operation_id):
    charge_points.online = _Everyone()
    failures = await attack(api, operation_id, sessions=sessions)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("operation_id", sorted(QUERY_ENDPOINTS))
async def test_bad_query_strings_are_422_naming_the_parameter(api, operation_id):
    failures = await attack_query(api, operation_id)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("currency", ["XYZ", "eur"])
async def test_a_refund_in_no_currency_is_refused_naming_the_field_before_the_dispute_is_looked_up(api, currency):
    world = await build_world(api)
    response = await api.post("/disputes/dsp_01JD0000000000000000000000/resolve", world.token, headers=world.headers,
                              json={"outcome": "partially_accepted", "note": "Half",
                                    "refund_amount": {"amount": "1.00", "currency": currency}})
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["refund_amount.currency"]
