"""Site owners (seed 002, issue 13): the operator's invitations, site owners, projects and statements; and the
site owner's own endpoints under `/api/v1/site-owner`, reached only with a site-owner token."""

from __future__ import annotations

from starlette.responses import Response

from application.pagination import Page
from application.projects import ProjectInput
from domain.errors import InvalidInput
from domain.site_owners.owners import AGREEMENT_VERSION
from entrypoints.rest.endpoint import Call, Endpoint
from entrypoints.rest.site_owner_shapes import (
    AgreementBody,
    IssueStatementBody,
    OnboardingStatusOut,
    PayoutDetailsBody,
    ProjectBody,
    ProjectOut,
    SiteOwnerInvitationBody,
    SiteOwnerOut,
    SiteOwnerProfileBody,
    SiteOwnerQuery,
    SiteOwnerTokenOut,
    StatementListOut,
    StatementOut,
    StatementQuery,
)

TAG = "Site owner"
OPERATOR_TAG = "Site owners and projects"
MINE = "/api/v1/site-owner"
PROJECTS = "/api/v1/projects"
NO_STORE = {"Cache-Control": "no-store"}
PDF = "application/pdf"


# ---------------------------------------------------------------------------------------------- operator


async def invite(call: Call) -> SiteOwnerOut:
    body: SiteOwnerInvitationBody = call.body
    invited = await call.use_cases.invite_site_owner(body.email, body.name, call.caller, call.organization_id)
    return SiteOwnerOut.of(invited.site_owner)


async def list_site_owners(call: Call) -> Page[SiteOwnerOut]:
    return (await call.use_cases.list_site_owners(call.caller, call.organization_id, call.page)).map(SiteOwnerOut.of)


async def get_site_owner(call: Call) -> SiteOwnerOut:
    return SiteOwnerOut.of(await call.use_cases.get_site_owner(call.ids["site_owner_id"], call.caller,
                                                               call.organization_id))


def _project_input(body: ProjectBody) -> ProjectInput:
    return ProjectInput(body.site_owner_id, body.name, body.location_ids, body.revenue_share_percent,
                        body.share_basis, body.energy_cost_per_kwh)


async def create_project(call: Call) -> ProjectOut:
    project = await call.use_cases.create_project(_project_input(call.body), call.caller, call.organization_id)
    return ProjectOut.of(project)


async def update_project(call: Call) -> ProjectOut:
    project = await call.use_cases.update_project(call.ids["project_id"], _project_input(call.body), call.caller,
                                                  call.organization_id)
    return ProjectOut.of(project)


async def get_project(call: Call) -> ProjectOut:
    return ProjectOut.of(await call.use_cases.get_project(call.ids["project_id"], call.caller, call.organization_id))


async def list_projects(call: Call) -> Page[ProjectOut]:
    q: SiteOwnerQuery = call.query
    page = await call.use_cases.list_projects(call.caller, call.organization_id, call.page, q.site_owner_id)
    return page.map(ProjectOut.of)


def _pdf_month(call: Call, period: str | None) -> str | None:
    """The month whose statement ``Accept: application/pdf`` asks for as a PDF (a PDF is of one month), if asked."""
    if PDF not in call.request.headers.get("accept", ""):
        return None
    if period is None:
        raise InvalidInput.field("period", "is required for the statement as a PDF (Accept: application/pdf)")
    return period


def _pdf(content: bytes, project_id: str, period: str) -> Response:
    return Response(content, media_type=PDF, headers={
        "Content-Disposition": f'inline; filename="statement-{project_id}-{period}.pdf"'})


async def project_statements(call: Call) -> StatementListOut | Response:
    q: StatementQuery = call.query
    project_id = call.ids["project_id"]
    if (month := _pdf_month(call, q.period)) is not None:
        return _pdf(await call.use_cases.statement_document(project_id, month, call.caller, call.organization_id),
                    project_id, month)
    if q.period is not None:
        found = [await call.use_cases.project_statement(project_id, q.period, call.caller, call.organization_id)]
    else:
        found = await call.use_cases.project_statements(project_id, call.caller, call.organization_id)
    return StatementListOut([StatementOut.of(s) for s in found])


async def issue_statement(call: Call) -> StatementOut:
    body: IssueStatementBody = call.body
    return StatementOut.of(await call.use_cases.issue_statement(call.ids["project_id"], body.period, call.caller,
                                                                call.organization_id))


# ---------------------------------------------------------------------------------------------- the site owner


async def accept_invitation(call: Call) -> SiteOwnerTokenOut:
    return SiteOwnerTokenOut.of(await call.use_cases.accept_site_owner_invitation(call.ids["token"]))


async def onboarding_status(call: Call) -> OnboardingStatusOut:
    return OnboardingStatusOut.of(await call.use_cases.my_site_owner_profile(call.site_owner), AGREEMENT_VERSION)


async def complete_onboarding(call: Call) -> OnboardingStatusOut:
    owner = await call.use_cases.complete_site_owner_onboarding(call.site_owner)
    return OnboardingStatusOut.of(owner, AGREEMENT_VERSION)


async def profile(call: Call) -> SiteOwnerOut:
    return SiteOwnerOut.of(await call.use_cases.my_site_owner_profile(call.site_owner))


async def update_profile(call: Call) -> SiteOwnerOut:
    body: SiteOwnerProfileBody = call.body
    return SiteOwnerOut.of(await call.use_cases.update_site_owner_profile(call.site_owner, body.given()))


async def set_payout_details(call: Call) -> SiteOwnerOut:
    body: PayoutDetailsBody = call.body
    return SiteOwnerOut.of(await call.use_cases.set_site_owner_payout_details(
        call.site_owner, body.account_holder, body.iban, body.bic))


async def accept_agreement(call: Call) -> SiteOwnerOut:
    body: AgreementBody = call.body
    return SiteOwnerOut.of(await call.use_cases.accept_site_owner_agreement(call.site_owner, body.version))


async def sign_out(call: Call) -> None:
    await call.use_cases.site_owner_sign_out(call.site_owner)


async def my_projects(call: Call) -> Page[ProjectOut]:
    return (await call.use_cases.my_projects(call.site_owner, call.page)).map(ProjectOut.of)


async def my_statements(call: Call) -> StatementListOut | Response:
    q: StatementQuery = call.query
    project_id = call.ids["project_id"]
    if (month := _pdf_month(call, q.period)) is not None:
        return _pdf(await call.use_cases.my_statement_document(call.site_owner, project_id, month), project_id, month)
    if q.period is not None:
        found = [await call.use_cases.my_statement(call.site_owner, project_id, q.period)]
    else:
        found = await call.use_cases.my_statements(call.site_owner, project_id)
    return StatementListOut([StatementOut.of(s) for s in found])


_OWN = "Only the signed-in site owner's own: another's project is a 404."
_STATEMENTS = ("With `period=YYYY-MM`, that month's statement (issued, or a draft computed now: sessions that ended in "
               "the month at the project's locations, their energy and net revenue, the credit notes issued in the "
               "month on them, and the share); without, every issued statement, oldest first. With `Accept: "
               "application/pdf` (and `period`), the month's statement as a PDF: operator, site owner, project, "
               "period, locations, sessions, energy, revenue, the share's percentage and amount, currency.")

ENDPOINTS = [
    Endpoint("POST", "/api/v1/site-owners/invitations", invite, "inviteSiteOwner", "Invite a site owner",
             OPERATOR_TAG, status=201, body=SiteOwnerInvitationBody, response=SiteOwnerOut, tenant=True,
             creates=True, errors=(403,),
             description="Creates the site owner (`status: invited`) and emails a one-time link, valid 14 days, whose "
                         "token `POST /api/v1/site-owner/accept-invitation/{token}` exchanges for a site-owner "
                         "token. 409 when the organization has a site owner with this email."),
    Endpoint("GET", "/api/v1/site-owners", list_site_owners, "listSiteOwners", "List site owners", OPERATOR_TAG,
             response=SiteOwnerOut, paginated=True, tenant=True, description="Oldest first."),
    Endpoint("GET", "/api/v1/site-owners/{site_owner_id}", get_site_owner, "getSiteOwner", "Get a site owner",
             OPERATOR_TAG, response=SiteOwnerOut, tenant=True),
    Endpoint("POST", PROJECTS, create_project, "createProject", "Create a project", OPERATOR_TAG, status=201,
             body=ProjectBody, response=ProjectOut, tenant=True, creates=True, errors=(403,),
             description="Groups locations of a site owner under a revenue share; the locations then carry "
                         "`site_owner_id` and `project_id`. A location already in another project is a 422 naming "
                         "it, as is an unknown one, or a percentage above 100."),
    Endpoint("GET", PROJECTS, list_projects, "listProjects", "List projects", OPERATOR_TAG, query=SiteOwnerQuery,
             response=ProjectOut, paginated=True, tenant=True, description="Oldest first."),
    Endpoint("GET", PROJECTS + "/{project_id}", get_project, "getProject", "Get a project", OPERATOR_TAG,
             response=ProjectOut, tenant=True),
    Endpoint("PUT", PROJECTS + "/{project_id}", update_project, "updateProject", "Replace a project", OPERATOR_TAG,
             body=ProjectBody, response=ProjectOut, tenant=True, errors=(403,),
             description="Issued statements keep the share they were issued with."),
    Endpoint("GET", PROJECTS + "/{project_id}/statements", project_statements, "listProjectStatements",
             "A project's statements", OPERATOR_TAG, query=StatementQuery, response=StatementListOut, tenant=True,
             media_type=PDF, description=_STATEMENTS),
    Endpoint("POST", PROJECTS + "/{project_id}/statements", issue_statement, "issueProjectStatement",
             "Issue a month's statement", OPERATOR_TAG, status=201, body=IssueStatementBody, response=StatementOut,
             tenant=True, creates=True, errors=(403,),
             description="Issues the month's statement and books the share (Dr `revenue_share`, Cr "
                         "`site_owner_payable:{site_owner_id}`), once per project and month: issuing again answers "
                         "the issued statement. 422 while the month is not over."),
    Endpoint("POST", MINE + "/accept-invitation/{token}", accept_invitation, "acceptSiteOwnerInvitation",
             "Accept a site owner invitation", TAG, response=SiteOwnerTokenOut, public=True, headers=NO_STORE,
             errors=(401,),
             description="The site owner invitation token from the invitation email, for a site-owner token "
                         "(`cso_…`, valid 30 days). An invitation works once and until it expires; anything else "
                         "is a 401."),
    Endpoint("GET", MINE + "/onboarding/status", onboarding_status, "getSiteOwnerOnboardingStatus",
             "Get onboarding status", TAG, response=OnboardingStatusOut, site_owner=True,
             description="Returns the current stage of the site owner onboarding process, and each stage with what "
                         "it misses: `profile`, `payout_details`, `agreement`, `completed`."),
    Endpoint("POST", MINE + "/onboarding/complete", complete_onboarding, "completeSiteOwnerOnboarding",
             "Complete onboarding", TAG, response=OnboardingStatusOut, site_owner=True,
             description="Signals that the site owner has submitted all required information: a 422 naming every "
                         "missing field (`stage.field`) until each stage is done."),
    Endpoint("GET", MINE + "/profile", profile, "getSiteOwnerProfile", "Get site owner profile", TAG,
             response=SiteOwnerOut, site_owner=True,
             description="Returns profile and account details for the authenticated site owner."),
    Endpoint("PUT", MINE + "/profile", update_profile, "updateSiteOwnerProfile", "Update site owner profile", TAG,
             body=SiteOwnerProfileBody, response=SiteOwnerOut, site_owner=True,
             description="Sets the fields given (`null` clears one); each is checked, a 422 names a wrong one."),
    Endpoint("PUT", MINE + "/payout-details", set_payout_details, "setSiteOwnerPayoutDetails",
             "Set payout details", TAG, body=PayoutDetailsBody, response=SiteOwnerOut, site_owner=True,
             description="The account the share is paid to; the IBAN's check digits must match."),
    Endpoint("POST", MINE + "/agreement", accept_agreement, "acceptSiteOwnerAgreement", "Accept the agreement", TAG,
             body=AgreementBody, response=SiteOwnerOut, site_owner=True,
             description="Accepts the hosting agreement in its current version."),
    Endpoint("POST", MINE + "/sign-out", sign_out, "signOutSiteOwner", "Sign out", TAG, status=204,
             site_owner=True, description="Revokes the token used."),
    Endpoint("GET", MINE + "/projects", my_projects, "listSiteOwnerProjects", "List site owner projects", TAG,
             response=ProjectOut, paginated=True, site_owner=True,
             description="Returns all charging projects associated with this site owner."),
    Endpoint("GET", MINE + "/projects/{project_id}/statements", my_statements, "listSiteOwnerProjectStatements",
             "A project's statements", TAG, query=StatementQuery, response=StatementListOut, site_owner=True,
             media_type=PDF, description=_STATEMENTS + " " + _OWN),
]
