"""Organizations: create (the caller becomes admin), list the caller's, get, replace details."""

from __future__ import annotations

from application.organizations import OrganizationDetails
from application.pagination import Page
from entrypoints.rest.bodies import OrganizationBody
from entrypoints.rest.endpoint import Call, Endpoint
from entrypoints.rest.views import MyOrganizationOut, OrganizationOut

TAG = "Organizations"


def _details(body: OrganizationBody) -> OrganizationDetails:
    return OrganizationDetails(name=body.name, country=body.country, contact_email=body.contact_email)


async def create_organization(call: Call) -> OrganizationOut:
    organization = await call.use_cases.create_organization(_details(call.body), call.caller)
    return OrganizationOut.of(organization)


async def list_organizations(call: Call) -> Page[MyOrganizationOut]:
    page = await call.use_cases.list_my_organizations(call.caller, call.page)
    return page.map(MyOrganizationOut.of_row)


async def get_organization(call: Call) -> OrganizationOut:
    organization = await call.use_cases.get_organization(call.ids["org_id"], call.caller)
    return OrganizationOut.of(organization)


async def update_organization(call: Call) -> OrganizationOut:
    organization = await call.use_cases.update_organization(call.ids["org_id"], _details(call.body), call.caller)
    return OrganizationOut.of(organization)


ENDPOINTS = [
    Endpoint("POST", "/api/v1/organizations", create_organization, "createOrganization",
             "Create an organization", TAG, status=201, body=OrganizationBody, response=OrganizationOut,
             creates=True, errors=(403,),
             description="The caller (a signed-in user; not an API key) becomes its admin."),
    Endpoint("GET", "/api/v1/organizations", list_organizations, "listOrganizations",
             "List my organizations", TAG, response=MyOrganizationOut, paginated=True,
             description="Organizations the caller belongs to, with its role in each."),
    Endpoint("GET", "/api/v1/organizations/{org_id}", get_organization, "getOrganization",
             "Get an organization", TAG, response=OrganizationOut),
    Endpoint("PUT", "/api/v1/organizations/{org_id}", update_organization, "updateOrganization",
             "Update an organization", TAG, body=OrganizationBody, response=OrganizationOut,
             description="Replaces the organization's mutable fields. Include all fields you want to "
                         "retain, not just the ones you are changing."),
]
