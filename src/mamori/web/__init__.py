"""The rightsholders' console: server-rendered pages under /console on the API's FastAPI app, in English and
Japanese. Pages are thin adapters over `mamori.ops` (the same functions and role scoping as the HTTP API);
`queries` adds the read models only the console needs. `mount_console(app)` is the one entry point."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from fastapi import FastAPI


def mount_console(app: FastAPI) -> None:
    """Add the console routes, static files and HTML error pages to an app made by `create_app`."""
    from urllib.parse import quote

    from fastapi import Request
    from fastapi.responses import HTMLResponse, RedirectResponse, Response
    from fastapi.staticfiles import StaticFiles

    from mamori.storage.shared_state import open_shared_state
    from mamori.web import activity_pages, auth_pages, media_pages, registry_pages, report_pages
    from mamori.web.i18n import translate
    from mamori.web.pages import PREFIX, Console, LoginRequired, PageError, secure
    from mamori.web.render import STATIC, environment
    from mamori.web.sessions import SharedSessionStore

    svc = app.state.svc
    state = open_shared_state(svc.engine, svc.settings.redis_url)
    console = Console(SharedSessionStore(state), environment())
    app.state.console = console
    for module in (auth_pages, registry_pages, activity_pages, media_pages, report_pages):
        app.include_router(module.router)
    app.mount(PREFIX + "/static", StaticFiles(directory=str(STATIC)), name="console-static")

    @app.get(PREFIX, include_in_schema=False)
    def _console_root() -> Response:
        return RedirectResponse(PREFIX + "/", status_code=307)

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        return secure(
            RedirectResponse(f"{PREFIX}/login?next={quote(exc.next_url, safe='/')}", status_code=303)
        )

    @app.exception_handler(PageError)
    async def _page_error(request: Request, exc: PageError) -> Response:
        p = getattr(request.state, "console_page", None)
        if p is not None:
            return p.render("error.html", http_status=exc.status, message=exc.message, details=exc.details)
        html = console.env.get_template("error.html").render(
            page=None,
            t=lambda k, **kw: translate("en", k, **kw),
            lang="en",
            who=None,
            csrf="",
            nav=[],
            flashes=[],
            path=request.url.path,
            message=exc.message,
            details=exc.details,
        )
        return secure(HTMLResponse(html, status_code=exc.status))
