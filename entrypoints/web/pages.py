"""Runs a site's pages the same way: who is signed in (a cookie), CSRF on every form, errors as pages.

A page handler is ``async def handler(page: PageCall) -> Response``. It reads ``page.actor`` (whoever the
site's sign-in cookie stands for), ``page.form`` (a POST's fields, already checked for CSRF), and answers with
``page.render(template, **context)`` or ``page.redirect(path)``. What it does not catch becomes a page here:
not found → 404, too many attempts → 429, a credential gone → back to the sign-in page, anything unexpected →
a logged 500 that shows nothing of the failure.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote

from attrs import define, field
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from domain.errors import DomainError, NotFound, RateLimited, Unauthenticated
from entrypoints.rest.problems import HttpProblem, status_for
from entrypoints.web import csrf
from entrypoints.web.cookies import SiteCookie, served_over_tls
from entrypoints.web.forms import read_form

logger = logging.getLogger("charge.web")

# Pages show personal data and carry one-time links in their URLs: not cached, never framed, a referrer for
# this site only (a sign-in link must not leak to another; and forms then carry their Origin, which ``csrf``
# checks), scripts and styles from this site only.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                               "form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

PageHandler = Callable[["PageCall"], Awaitable[Response]]
Authenticate = Callable[[str], Awaitable[Any]]


@define
class PageCall:
    """One request to a page: the request, who is signed in, the form, and how to answer."""

    request: Request
    site: Site
    secure: bool
    csrf_token: str
    actor: Any = None
    form: dict[str, str] = field(factory=dict)
    # Extra context every template of the request gets (the site fills it: the signed-in person's name…).
    context: dict[str, Any] = field(factory=dict)

    @property
    def ids(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.request.path_params.items()}

    def render(self, template: str, status: int = 200, **context: Any) -> Response:
        values = {"csrf_field": csrf.FIELD, "csrf_token": self.csrf_token, "site": self.site, "actor": self.actor,
                  **self.context, **context}
        return self.site.templates.TemplateResponse(self.request, template, values, status_code=status)

    def redirect(self, path: str) -> Response:
        """After a POST, to the page that shows its result (303: the browser GETs it)."""
        return RedirectResponse(path, status_code=303)

    def sign_in(self, secret: str, expires_at: datetime, now: datetime, to: str) -> Response:
        response = self.redirect(to)
        self.site.credential.set(response, secret, secure=self.secure, now=now, expires_at=expires_at)
        return response

    def sign_out(self, to: str) -> Response:
        response = self.redirect(to)
        self.site.credential.clear(response, secure=self.secure)
        return response


class Site:
    """A set of pages under one prefix that share a sign-in cookie, a sign-in page and templates.

    ``authenticate`` turns the cookie's secret into the actor the use cases take (raising ``Unauthenticated``
    when it is unknown, expired or revoked); ``context`` adds what every signed-in page shows (a name, a menu).
    """

    def __init__(self, *, name: str, prefix: str, templates: Jinja2Templates, credential: SiteCookie,
                 sign_in_path: str, authenticate: Authenticate, public_url: str,
                 context: Callable[[Any], Awaitable[dict[str, Any]]] | None = None,
                 layout: str = "base.html") -> None:
        self.name = name
        self.layout = layout      # the template a site's pages (and its error pages) extend
        self.prefix = prefix
        self.templates = templates
        self.credential = credential
        self.sign_in_path = sign_in_path
        self.authenticate = authenticate
        self.public_url = public_url
        self.context = context

    def route(self, path: str, handler: PageHandler, *, methods: Sequence[str] = ("GET",), signed_in: bool = True,
              name: str | None = None) -> Route:
        async def endpoint(request: Request) -> Response:
            return await self.serve(request, handler, signed_in=signed_in)

        return Route(self.prefix + path, endpoint, methods=list(methods), name=name)

    def not_found_route(self) -> Route:
        """Last of a site's routes: any other path under its prefix is its own 404 page, not the API's JSON."""
        async def not_found(page: PageCall) -> Response:
            raise NotFound("page")

        return self.route("/{path:path}", not_found, methods=("GET", "POST"), signed_in=False)

    async def serve(self, request: Request, handler: PageHandler, *, signed_in: bool) -> Response:
        secure = served_over_tls(request, self.public_url)
        cookie_token = csrf.COOKIE.read(request, secure)
        page = PageCall(request=request, site=self, secure=secure, csrf_token=cookie_token or csrf.new_token())
        try:
            response = await self._run(page, handler, signed_in=signed_in, cookie_token=cookie_token)
        except Exception as exc:  # noqa: BLE001  # every failure leaves as a page; unexpected ones are logged
            response = self._error_page(page, exc)
        if cookie_token is None:
            csrf.COOKIE.set(response, page.csrf_token, secure=secure)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    async def _run(self, page: PageCall, handler: PageHandler, *, signed_in: bool,
                   cookie_token: str | None) -> Response:
        request = page.request
        secret = self.credential.read(request, page.secure)
        if secret is not None:
            try:
                page.actor = await self.authenticate(secret)
            except Unauthenticated:
                page.actor = None
        if signed_in and page.actor is None:
            return self._to_sign_in(page, secret is not None)
        if page.actor is not None and self.context is not None:
            page.context.update(await self.context(page.actor))
        if request.method == "POST":
            try:
                csrf.check_origin(request, self.public_url)
                page.form = await read_form(request)
                csrf.check_token(cookie_token, page.form)
            except csrf.CsrfRefused as refused:
                return page.render("error.html", status=403, title="This form has expired",
                                   detail=f"{refused}. Go back, reload the page and send it again.")
        return await handler(page)

    def _to_sign_in(self, page: PageCall, had_cookie: bool) -> Response:
        request = page.request
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        to = self.sign_in_path + (f"?next={quote(target, safe='')}" if request.method == "GET" else "")
        response = RedirectResponse(to, status_code=303)
        if had_cookie:      # expired or revoked: the browser forgets it
            self.credential.clear(response, secure=page.secure)
        return response

    def _error_page(self, page: PageCall, exc: Exception) -> Response:
        if isinstance(exc, Unauthenticated):
            return self._to_sign_in(page, True)
        if isinstance(exc, NotFound):
            return page.render("error.html", status=404, title="Not found",
                               detail="There is nothing here, or it is not yours to see.")
        if isinstance(exc, RateLimited):
            response = page.render("error.html", status=429, title="Too many attempts",
                                   detail="Please wait a few minutes before you try again.")
            response.headers["Retry-After"] = str(max(1, int(exc.retry_after)))
            return response
        if isinstance(exc, DomainError):
            return page.render("error.html", status=status_for(exc), title="That did not work", detail=exc.detail)
        if isinstance(exc, HttpProblem):
            return page.render("error.html", status=exc.status, title="That did not work", detail=exc.detail)
        logger.error("unhandled error in a web page", exc_info=exc)
        return page.render("error.html", status=500, title="Something went wrong",
                           detail="An unexpected error occurred; it has been logged. Please try again later.")


def safe_next(target: str | None, default: str, prefix: str) -> str:
    """Where to go after signing in: a path of this site only (never another host: no open redirect)."""
    if not target or not target.startswith(prefix + "/") or target.startswith("//") or "\\" in target:
        return default
    return target
