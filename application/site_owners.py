"""Site owners: the operator invites one by email; accepting the emailed token creates their account's access
(a site-owner token, shown once, stored hashed) and starts onboarding: profile, payout details, the hosting
agreement, then completion, refused (422 naming each missing field) until every stage is done.

A site-owner token authenticates as a ``SiteOwnerActor``: one site owner of one organization. It reaches only
the ``/site-owner/`` endpoints (the operator and portal doors refuse it), and operator or portal credentials
never authenticate as a site owner."""

from __future__ import annotations

from datetime import datetime, timedelta

from attrs import evolve, frozen

from application.authorization import Action, Actor, authorize
from application.credential_cache import CredentialCache
from application.credentials import hash_secret, new_secret, same_hash
from application.pagination import Page, PageRequest
from application.ports import Clock, EmailMessage, OutboundEmail, UnitOfWork, UnitOfWorkFactory
from domain.errors import Forbidden, NotFound, Unauthenticated
from domain.ids import PREFIXES, new_id
from domain.site_owners import PayoutDetails, SiteOwner, SiteOwnerInvitation, SiteOwnerProfile, SiteOwnerToken
from domain.site_owners.access import INVITATION_LIFETIME, SITE_OWNER_TOKEN_LIFETIME
from domain.validation import normalize_email

SITE_OWNER_TOKEN_PREFIX = "cso_"
INVITATION_PREFIX = "csi_"
ACCEPT_PATH = "/site-owner/accept/"     # the web page a link opens (it asks to confirm before accepting)


@frozen
class SiteOwnerActor:
    site_owner_id: str
    organization_id: str
    token_id: str

    @property
    def label(self) -> str:
        return self.site_owner_id


@frozen
class InvitedSiteOwner:
    site_owner: SiteOwner
    invitation: SiteOwnerInvitation


@frozen
class IssuedSiteOwnerToken:
    token: SiteOwnerToken
    secret: str


async def invite_site_owner(email: object, name: object, actor: Actor, organization_id: str, *,
                            uow_factory: UnitOfWorkFactory, clock: Clock, public_url: str,
                            lifetime: timedelta = INVITATION_LIFETIME) -> InvitedSiteOwner:
    """A new site owner (status ``invited``) and an emailed one-time token, in one transaction with the email.
    Inviting an email the organization invited before sends a new token to the same site owner."""
    SiteOwner.validate_invitation(email, name)
    assert isinstance(email, str) and isinstance(name, str)
    email = normalize_email(email)
    now = clock.now()
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        organization = await uow.organizations.get(organization_id)
        if organization is None:
            raise NotFound("organization", organization_id)
        owner = await uow.site_owners.by_email(organization_id, email)
        if owner is None:
            owner = SiteOwner(id=new_id(PREFIXES["site_owner"]), organization_id=organization_id,
                              name=name.strip(), email=email, created_at=now)
            await uow.site_owners.add(owner)
        secret = new_secret(INVITATION_PREFIX)
        invitation = SiteOwnerInvitation(id=new_id(PREFIXES["site_owner_invitation"]),
                                         organization_id=organization_id, site_owner_id=owner.id, email=email,
                                         secret_hash=hash_secret(secret), created_at=now, expires_at=now + lifetime)
        await uow.site_owners.add_invitation(invitation)
        url = public_url.rstrip("/") + ACCEPT_PATH + secret
        await uow.outbox.add(OutboundEmail(id=new_id(PREFIXES["email"]), created_at=now, message=EmailMessage(
            to=email, subject=f"{organization.name} invites you to host charge points on Charge",
            text=(f"Hello {owner.name},\n\n{organization.name} invites you to its site-owner portal, where you "
                  f"complete your onboarding and follow your projects' revenue.\n\nOpen this link to accept:\n\n"
                  f"{url}\n\nor accept through the API: POST /api/v1/site-owner/accept-invitation/{{token}}\n"
                  f"Invitation token: {secret}\n\n"
                  f"The invitation expires at {invitation.expires_at.isoformat()}.\n"))))
        await uow.commit()
    return InvitedSiteOwner(owner, invitation)


async def list_site_owners(actor: Actor, organization_id: str, page: PageRequest, *,
                           uow_factory: UnitOfWorkFactory) -> Page[SiteOwner]:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        return await uow.site_owners.list(organization_id, page)


async def get_site_owner(site_owner_id: str, actor: Actor, organization_id: str, *,
                         uow_factory: UnitOfWorkFactory) -> SiteOwner:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        owner = await uow.site_owners.get(organization_id, site_owner_id)
        if owner is None:
            raise NotFound("site_owner", site_owner_id)
        return owner


async def accept_invitation(secret: object, *, uow_factory: UnitOfWorkFactory, clock: Clock,
                            lifetime: timedelta = SITE_OWNER_TOKEN_LIFETIME) -> IssuedSiteOwnerToken:
    """The invitation's token for a site-owner token: once, before it expires."""
    refused = "this invitation is not valid; ask the operator for a new one"
    if not isinstance(secret, str) or not secret.startswith(INVITATION_PREFIX) or len(secret) > 200:
        raise Unauthenticated(refused)
    now = clock.now()
    async with uow_factory() as uow:
        invitation = await uow.site_owners.invitation_by_hash(hash_secret(secret), for_update=True)
        if invitation is None or not same_hash(invitation.secret_hash, secret):
            raise Unauthenticated(refused)
        invitation.accept(now)
        owner = await uow.site_owners.get(invitation.organization_id, invitation.site_owner_id, for_update=True)
        if owner is None:
            raise Unauthenticated(refused)
        owner.accepted()
        issued = _new_token(owner, now, lifetime)
        await uow.site_owners.save_invitation(invitation)
        await uow.site_owners.save(owner)
        await uow.site_owners.add_token(issued.token)
        await uow.commit()
    return issued


def _new_token(owner: SiteOwner, now: datetime, lifetime: timedelta) -> IssuedSiteOwnerToken:
    secret = new_secret(SITE_OWNER_TOKEN_PREFIX)
    token = SiteOwnerToken(id=new_id(PREFIXES["site_owner_token"]), organization_id=owner.organization_id,
                           site_owner_id=owner.id, secret_hash=hash_secret(secret), created_at=now,
                           expires_at=now + lifetime)
    return IssuedSiteOwnerToken(token, secret)


def is_site_owner_secret(bearer: object) -> bool:
    return isinstance(bearer, str) and bearer.startswith(SITE_OWNER_TOKEN_PREFIX)


async def authenticate_site_owner(bearer: str, *, uow_factory: UnitOfWorkFactory, clock: Clock,
                                  cache: CredentialCache[str, SiteOwnerActor] | None = None) -> SiteOwnerActor:
    """A site-owner token into the site owner it stands for; another kind of credential is 403 (it cannot act as
    a site owner), anything else 401."""
    if not isinstance(bearer, str) or len(bearer) > 200:
        raise Unauthenticated("invalid credentials")
    if not is_site_owner_secret(bearer):
        if bearer.startswith(("cat_", "ck_", "cpt_")):
            raise Forbidden("this credential cannot act as a site owner: these endpoints take a site-owner token")
        raise Unauthenticated("invalid site-owner token")
    secret_hash = hash_secret(bearer)
    now = clock.now()
    if cache is not None and (known := cache.get(secret_hash, now)) is not None:
        return known[0]
    async with uow_factory(read_only=True) as uow:
        token = await uow.site_owners.token_by_hash(secret_hash)
        if token is None or not same_hash(token.secret_hash, bearer):
            raise Unauthenticated("invalid site-owner token")
        if not token.valid_at(now):
            raise Unauthenticated("site-owner token expired or revoked")
    actor = SiteOwnerActor(token.site_owner_id, token.organization_id, token.id)
    if cache is not None:
        cache.put(secret_hash, actor, now, token.expires_at)
    return actor


async def sign_out(owner: SiteOwnerActor, *, uow_factory: UnitOfWorkFactory, clock: Clock,
                   cache: CredentialCache[str, SiteOwnerActor] | None = None) -> None:
    async with uow_factory() as uow:
        token = await uow.site_owners.get_token(owner.organization_id, owner.token_id)
        if token is None:
            return
        token.revoke(clock.now())
        await uow.site_owners.save_token(token)
        await uow.commit()
    if cache is not None:
        cache.forget(token.secret_hash)


async def my_profile(owner: SiteOwnerActor, *, uow_factory: UnitOfWorkFactory) -> SiteOwner:
    async with uow_factory(read_only=True) as uow:
        return await _mine(uow, owner)


async def _mine(uow: UnitOfWork, owner: SiteOwnerActor, *, for_update: bool = False) -> SiteOwner:
    found = await uow.site_owners.get(owner.organization_id, owner.site_owner_id, for_update=for_update)
    if found is None:
        raise Unauthenticated("the site owner of this token no longer exists")
    return found


async def update_profile(owner: SiteOwnerActor, values: dict[str, object], *, uow_factory: UnitOfWorkFactory
                         ) -> SiteOwner:
    """Set the given profile fields (an absent field is kept, null clears it)."""
    SiteOwnerProfile.validate(values)
    async with uow_factory() as uow:
        found = await _mine(uow, owner, for_update=True)
        # validate() let through only profile fields holding a string or None
        cleaned: dict[str, str | None] = {k: (v.strip() if isinstance(v, str) else None) for k, v in values.items()}
        found.profile = evolve(found.profile, **cleaned)
        await uow.site_owners.save(found)
        await uow.commit()
    return found


async def set_payout_details(owner: SiteOwnerActor, account_holder: object, iban: object, bic: object, *,
                             uow_factory: UnitOfWorkFactory) -> SiteOwner:
    details = PayoutDetails.parse(account_holder, iban, bic)
    async with uow_factory() as uow:
        found = await _mine(uow, owner, for_update=True)
        found.payout = details
        await uow.site_owners.save(found)
        await uow.commit()
    return found


async def accept_agreement(owner: SiteOwnerActor, version: object, *, uow_factory: UnitOfWorkFactory,
                           clock: Clock) -> SiteOwner:
    async with uow_factory() as uow:
        found = await _mine(uow, owner, for_update=True)
        found.accept_agreement(version, clock.now())
        await uow.site_owners.save(found)
        await uow.commit()
    return found


async def complete_onboarding(owner: SiteOwnerActor, *, uow_factory: UnitOfWorkFactory, clock: Clock) -> SiteOwner:
    async with uow_factory() as uow:
        found = await _mine(uow, owner, for_update=True)
        found.complete_onboarding(clock.now())
        await uow.site_owners.save(found)
        await uow.commit()
    return found
