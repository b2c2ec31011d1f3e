"""How a driver gets into the portal, and nowhere else.

- The operator issues a **portal token** for a driver (``POST /drivers/{id}/portal-tokens``), shown once and
  stored hashed; it expires and can be revoked.
- A driver asks for a **magic link** with their email: the link (a one-time secret, valid 15 minutes) is put
  in the mail outbox with the request's transaction, and exchanging it yields a portal token. The request
  answers the same whether or not the email belongs to a driver, and is throttled per email and address.
- A portal token authenticates as a ``DriverActor``: one driver of one organization. It reaches only the
  portal (the operator door refuses it), and operator credentials never authenticate as a driver.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import quote

from attrs import frozen

from application.authorization import Action, Actor, authorize
from application.credential_cache import CredentialCache
from application.credentials import hash_secret, new_secret, same_hash
from application.pagination import Page, PageRequest
from application.ports import Clock, LoginThrottle, UnitOfWorkFactory
from application.ports.mail import EmailMessage, OutboundEmail
from domain.errors import Forbidden, InvalidInput, NotFound, Unauthenticated
from domain.ids import PREFIXES, new_id
from domain.network import Driver
from domain.portal import MagicLink, PortalToken, PortalTokenSource
from domain.portal.access import MAGIC_LINK_LIFETIME, PORTAL_TOKEN_LIFETIME
from domain.validation import email_problem, normalize_email

PORTAL_TOKEN_PREFIX = "cpt_"
MAGIC_LINK_PREFIX = "cml_"
SIGN_IN_PATH = "/portal/sign-in/"     # the page a link opens: it asks to confirm, so a mail scanner's GET
#                                      fetching the link cannot use it up


@frozen
class DriverActor:
    """A driver signed in to the portal: everything they read is theirs, in their organization."""

    driver_id: str
    organization_id: str
    token_id: str

    @property
    def label(self) -> str:
        return self.driver_id


@frozen
class IssuedPortalToken:
    token: PortalToken
    secret: str


async def issue_portal_token(driver_id: str, actor: Actor, organization_id: str, *, uow_factory: UnitOfWorkFactory,
                             clock: Clock, lifetime: timedelta = PORTAL_TOKEN_LIFETIME) -> IssuedPortalToken:
    """The operator gives a driver a portal token (shown once)."""
    now = clock.now()
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        driver = await uow.drivers.get(organization_id, driver_id)
        if driver is None:
            raise NotFound("driver", driver_id)
        issued = _new_token(driver, PortalTokenSource.OPERATOR, now, lifetime)
        await uow.portal_access.add_token(issued.token)
        await uow.commit()
    return issued


def _new_token(driver: Driver, source: PortalTokenSource, now: datetime, lifetime: timedelta) -> IssuedPortalToken:
    secret = new_secret(PORTAL_TOKEN_PREFIX)
    token = PortalToken(id=new_id(PREFIXES["portal_token"]), organization_id=driver.organization_id,
                        driver_id=driver.id, secret_hash=hash_secret(secret), source=source, created_at=now,
                        expires_at=now + lifetime)
    return IssuedPortalToken(token, secret)


async def list_portal_tokens(driver_id: str, actor: Actor, organization_id: str, page: PageRequest, *,
                             uow_factory: UnitOfWorkFactory) -> Page[PortalToken]:
    async with uow_factory(read_only=True) as uow:
        await authorize(uow, actor, organization_id, Action.READ)
        if await uow.drivers.get(organization_id, driver_id) is None:
            raise NotFound("driver", driver_id)
        return await uow.portal_access.tokens_of(organization_id, driver_id, page)


async def revoke_portal_token(driver_id: str, token_id: str, actor: Actor, organization_id: str, *,
                              uow_factory: UnitOfWorkFactory, clock: Clock,
                              cache: CredentialCache[str, DriverActor] | None = None) -> None:
    async with uow_factory() as uow:
        await authorize(uow, actor, organization_id, Action.OPERATE)
        token = await uow.portal_access.get_token(organization_id, token_id)
        if token is None or token.driver_id != driver_id:
            raise NotFound("portal_token", token_id)
        token.revoke(clock.now())
        await uow.portal_access.save_token(token)
        await uow.commit()
    if cache is not None:
        cache.forget(token.secret_hash)


async def sign_out(driver: DriverActor, *, uow_factory: UnitOfWorkFactory, clock: Clock,
                   cache: CredentialCache[str, DriverActor] | None = None) -> None:
    """The driver ends their own portal token (signing out of the web pages does this)."""
    async with uow_factory() as uow:
        token = await uow.portal_access.get_token(driver.organization_id, driver.token_id)
        if token is None:
            return
        token.revoke(clock.now())
        await uow.portal_access.save_token(token)
        await uow.commit()
    if cache is not None:
        cache.forget(token.secret_hash)


async def request_magic_link(email: str, client_address: str | None, *, uow_factory: UnitOfWorkFactory,
                             clock: Clock, throttle: LoginThrottle, public_url: str,
                             lifetime: timedelta = MAGIC_LINK_LIFETIME) -> None:
    """Email a sign-in link to each active driver with this email. Whatever the email, the caller learns
    nothing: the same answer, and every request counts against the throttle (per email and address)."""
    problem = email_problem(email)
    if problem is not None:       # a typo is worth saying; it tells nothing about who is a driver
        raise InvalidInput.field("email", problem)
    email = normalize_email(email)
    now = clock.now()
    await throttle.check(email, client_address, now)        # RateLimited once this address asked too often
    await throttle.record_failure(email, client_address, now)
    async with uow_factory() as uow:
        drivers = await uow.portal_access.drivers_with_email(email)
        for driver in drivers:
            organization = await uow.organizations.get(driver.organization_id)
            secret = new_secret(MAGIC_LINK_PREFIX)
            link = MagicLink(id=new_id(PREFIXES["magic_link"]), organization_id=driver.organization_id,
                             driver_id=driver.id, secret_hash=hash_secret(secret), created_at=now,
                             expires_at=now + lifetime)
            await uow.portal_access.add_link(link)
            url = public_url.rstrip("/") + SIGN_IN_PATH + quote(secret, safe="")
            await uow.outbox.add(OutboundEmail(id=new_id(PREFIXES["email"]), created_at=now, message=EmailMessage(
                to=email, subject=f"Sign in to your {organization.name if organization else 'charging'} account",
                text=_link_text(driver, organization.name if organization else "your operator", url, lifetime))))
        if drivers:
            await uow.commit()


def _link_text(driver: Driver, operator: str, url: str, lifetime: timedelta) -> str:
    minutes = int(lifetime.total_seconds() // 60)
    return (f"Hello {driver.name},\n\nSomeone (we hope you) asked to sign in to the {operator} driver portal.\n"
            f"Open this link within {minutes} minutes to sign in; it works once:\n\n{url}\n\n"
            "If it was not you, ignore this email: nothing happens without the link.\n\n"
            f"{operator}\n")


async def exchange_magic_link(secret: str, *, uow_factory: UnitOfWorkFactory, clock: Clock,
                              lifetime: timedelta = PORTAL_TOKEN_LIFETIME) -> IssuedPortalToken:
    """A link's secret for a portal token: once, before it expires, for a driver still active."""
    if not isinstance(secret, str) or not secret.startswith(MAGIC_LINK_PREFIX) or len(secret) > 200:
        raise Unauthenticated("this sign-in link is not valid; ask for a new one")
    now = clock.now()
    async with uow_factory() as uow:
        link = await uow.portal_access.link_by_hash(hash_secret(secret), for_update=True)
        if link is None or not same_hash(link.secret_hash, secret):
            raise Unauthenticated("this sign-in link is not valid; ask for a new one")
        link.use(now)
        driver = await uow.drivers.get(link.organization_id, link.driver_id)
        if driver is None or not driver.active:
            raise Unauthenticated("this sign-in link is not valid; ask for a new one")
        issued = _new_token(driver, PortalTokenSource.MAGIC_LINK, now, lifetime)
        await uow.portal_access.save_link(link)
        await uow.portal_access.add_token(issued.token)
        await uow.commit()
    return issued


def is_portal_secret(bearer: str) -> bool:
    return isinstance(bearer, str) and bearer.startswith(PORTAL_TOKEN_PREFIX)


async def authenticate_driver(bearer: str, *, uow_factory: UnitOfWorkFactory, clock: Clock,
                              cache: CredentialCache[str, DriverActor] | None = None) -> DriverActor:
    """A portal token into the driver it stands for. An operator credential is refused (403): it cannot act
    as a driver; anything else is Unauthenticated."""
    if not isinstance(bearer, str) or len(bearer) > 200:
        raise Unauthenticated("invalid credentials")
    if not is_portal_secret(bearer):
        if bearer.startswith(("cat_", "ck_", "cso_")):
            raise Forbidden("this credential cannot act as a driver: the portal takes a portal token")
        raise Unauthenticated("invalid portal token")
    secret_hash = hash_secret(bearer)
    now = clock.now()
    if cache is not None and (known := cache.get(secret_hash, now)) is not None:
        return known[0]
    async with uow_factory(read_only=True) as uow:
        token = await uow.portal_access.token_by_hash(secret_hash)
        if token is None or not same_hash(token.secret_hash, bearer):
            raise Unauthenticated("invalid portal token")
        if not token.valid_at(now):
            raise Unauthenticated("portal token expired or revoked")
        driver = await uow.drivers.get(token.organization_id, token.driver_id)
        if driver is None or not driver.active:
            raise Unauthenticated("the driver of this portal token is no longer active")
    actor = DriverActor(driver_id=token.driver_id, organization_id=token.organization_id, token_id=token.id)
    if cache is not None:
        cache.put(secret_hash, actor, now, token.expires_at)
    return actor
