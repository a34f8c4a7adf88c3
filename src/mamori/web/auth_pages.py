"""Log in with an API key (checked by the same key-hash lookup as the API), log out."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from mamori.ops.keys import authenticate
from mamori.web.pages import PREFIX, Page, checked_form, page, safe_next, secure, set_cookie, text
from mamori.web.sessions import COOKIE

router = APIRouter(prefix=PREFIX, include_in_schema=False)


@router.get("/login")
def login_form(next: str | None = None, p: Page = Depends(page)) -> Response:
    if p.who is not None:
        return secure(RedirectResponse(safe_next(next), status_code=303))
    return p.render("login.html", next=safe_next(next), error=None)


@router.post("/login")
async def login(request: Request, p: Page = Depends(page)) -> Response:
    # The login form is checked by hand (not `checked_form`) so a stale token re-renders the form, not an error page.
    form: FormData = await request.form(max_files=0, max_fields=10)
    try:
        client = request.client.host if request.client else "?"
        token = form.get("csrf")
        target = safe_next(text(form, "next"))
        if not isinstance(token, str) or not hmac.compare_digest(token.encode(), p.session.csrf.encode()):
            return p.render("login.html", http_status=403, next=target, error=p.t("error.csrf"))
        if p.console.sessions.login_refused(client):
            return p.render("login.html", http_status=429, next=target, error=p.t("login.throttled"))
        from starlette.concurrency import run_in_threadpool

        who = await run_in_threadpool(authenticate, p.svc, text(form, "key"))
        if who is None:
            p.console.sessions.login_failed(client)
            return p.render("login.html", http_status=401, next=target, error=p.t("login.bad"))
        session = p.console.sessions.login(p.session, who)
        response = secure(RedirectResponse(target, status_code=303))
        set_cookie(response, request, session)
        return response
    finally:
        await form.close()


@router.post("/logout")
def logout(request: Request, form: FormData = Depends(checked_form), p: Page = Depends(page)) -> Response:
    p.console.sessions.drop(p.session.id)
    fresh = p.console.sessions.new(p.session.lang)
    fresh.flash.append(("ok", p.t("login.out")))
    p.console.sessions.save(fresh)
    response = secure(RedirectResponse(PREFIX + "/login", status_code=303))
    set_cookie(response, request, fresh)
    return response


__all__ = ["router", "COOKIE"]
