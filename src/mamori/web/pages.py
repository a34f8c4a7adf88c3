"""What every console page shares: the session and principal of a request, its language, rendering, role checks,
CSRF-checked forms, and the errors a page turns into HTML (the API's handlers answer JSON)."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment
from starlette.datastructures import FormData

from mamori.ops import OpsError
from mamori.ops.keys import Principal
from mamori.service import Mamori
from mamori.web import queries
from mamori.web.i18n import LANGS, gettext_callables, pick_language, translate
from mamori.web.sessions import COOKIE, Session, SessionStore, SharedSessionStore

PREFIX = "/console"
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

# which roles may open which page; the same split as the API's routes
OWNERS = ("admin", "rightsholder")  # registry pages, statements (API: /v1/works, /v1/characters, /v1/usage)
DASHBOARD = ("admin", "rightsholder", "auditor")  # ledger readers plus the rightsholder's own activity
REVIEW_READERS = ("admin", "rightsholder", "auditor")  # API: GET /v1/reviews
LEDGER_READERS = ("admin", "auditor")  # API: /v1/ledger/*
REPORT_READERS = ("admin", "rightsholder", "platform", "auditor")  # aggregate figures meant for publication

NAV = (
    ("dashboard", "/", DASHBOARD),
    ("works", "/works", OWNERS),
    ("characters", "/characters", OWNERS),
    ("reviews", "/reviews", REVIEW_READERS),
    ("matches", "/matches", REVIEW_READERS),
    ("statements", "/statements", OWNERS),
    ("ledger", "/ledger", LEDGER_READERS),
    ("report", "/report", REPORT_READERS),
)


class LoginRequired(Exception):
    def __init__(self, next_url: str):
        self.next_url = next_url


class PageError(Exception):
    def __init__(self, status: int, message: str, details: object = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details


@dataclass
class Console:
    """Per-app console state (on `app.state.console`)."""

    sessions: SessionStore | SharedSessionStore
    env: Environment


@dataclass
class Page:
    request: Request
    svc: Mamori
    console: Console
    session: Session
    who: Principal | None
    lang: str
    fresh: bool = False  # the session was created by this request, so its cookie must be set

    def finish(self, response: Response) -> Response:
        self.console.sessions.save(self.session)
        if self.fresh:
            set_cookie(response, self.request, self.session)
        return secure(response)

    def t(self, key: str, **values: object) -> str:
        return translate(self.lang, key, **values)

    def url(self, path: str = "", **params: object) -> str:
        query = "&".join(f"{quote(k)}={quote(str(v))}" for k, v in params.items() if v not in (None, ""))
        return PREFIX + path + (f"?{query}" if query else "")

    def can(self, roles: tuple[str, ...]) -> bool:
        return self.who is not None and self.who.role in roles

    def flash(self, kind: str, message: str) -> None:
        self.session.flash.append((kind, message))

    def render(self, template: str, http_status: int = 200, **context: Any) -> Response:
        flashes, self.session.flash = self.session.flash, []
        nav = [(name, PREFIX + path) for name, path, roles in NAV if self.can(roles)]
        other = "en" if self.lang == "ja" else "ja"
        switch = self.request.url.include_query_params(lang=other)
        html = self.console.env.get_template(template).render(
            page=self,
            t=self.t,
            **gettext_callables(self.lang),
            lang=self.lang,
            who=self.who,
            csrf=self.session.csrf,
            nav=nav,
            flashes=flashes,
            path=self.request.url.path,
            lang_url=switch.path + "?" + switch.query,
            **context,
        )
        return self.finish(HTMLResponse(html, status_code=http_status))

    def redirect(self, path: str = "", **params: object) -> Response:
        return self.finish(RedirectResponse(self.url(path, **params), status_code=303))


def secure(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response


def set_cookie(response: Response, request: Request, session: Session) -> None:
    response.set_cookie(
        COOKIE,
        session.id,
        path=PREFIX,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def page(request: Request) -> Page:
    """The request's session (created when missing), principal and language."""
    console: Console = request.app.state.console
    svc: Mamori = request.app.state.svc
    session = console.sessions.get(request.cookies.get(COOKIE))
    fresh = session is None
    if session is None:
        session = console.sessions.new()
    asked = request.query_params.get("lang")
    if asked in LANGS and asked != session.lang:
        session.lang = asked
        console.sessions.save(session)
    lang = session.lang or pick_language(request.headers.get("accept-language"))
    who = None
    if session.key_id is not None:
        who = queries.current_principal(svc, session.key_id)
        if who is None:  # the key was revoked since login
            session.key_id = None
            console.sessions.save(session)
    p = Page(request, svc, console, session, who, lang, fresh)
    request.state.console_page = p
    return p


def need(*roles: str) -> Callable[..., Page]:
    """A dependency: a logged-in principal with one of `roles` (login redirect, else a 403 page)."""

    def check(p: Page = Depends(page)) -> Page:
        if p.who is None:
            target = p.request.url.path + (f"?{p.request.url.query}" if p.request.url.query else "")
            raise LoginRequired(target)
        if p.who.role not in roles:
            raise PageError(403, p.t("error.forbidden"))
        return p

    check.__name__ = f"need_{'_'.join(roles)}"
    return check


async def checked_form(request: Request, p: Page = Depends(page)) -> AsyncIterator[FormData]:
    """The posted form, after its CSRF token is checked against the session's; uploads closed afterwards."""
    form = await request.form(max_files=4, max_fields=200)
    try:
        token = form.get("csrf")
        if not isinstance(token, str) or not hmac.compare_digest(token.encode(), p.session.csrf.encode()):
            raise PageError(403, p.t("error.csrf"))
        yield form
    finally:
        await form.close()


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def lines(value: str) -> list[str]:
    return [s.strip() for s in value.splitlines() if s.strip()]


@contextmanager
def ops_errors() -> Iterator[None]:
    """An ops refusal (404, 403, 409 ...) becomes an HTML error page with the same status."""
    try:
        yield
    except OpsError as exc:
        raise PageError(exc.status, str(exc), exc.details) from None


def safe_next(value: str | None) -> str:
    """Only a path inside the console is a place to go after login (no open redirect)."""
    if not value or not value.startswith(PREFIX) or value.startswith("//") or "\\" in value or "\n" in value:
        return PREFIX + "/"
    return value
