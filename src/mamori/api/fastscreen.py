"""A short way in for the busiest request, `POST /v1/screen/prompt`, when it is the common case: a JSON body that
validates, a known key whose role may screen (from the key cache; on a miss one lookup is shared). Such a request is answered here, by the route's own
code (`routes.screen.screen`), without FastAPI's route matching, dependency resolution and body handling (measured:
about a third of the route's cost, more than the screening itself). Anything else — no or an unknown key, a wrong
role, another content type, a body that does not parse or validate — is handed on untouched (the body read here is
replayed), so FastAPI answers it exactly as it would have: every error the route can give still comes from FastAPI,
the OpenAPI document is FastAPI's, and the fast path never answers what FastAPI would refuse.

Errors raised while screening (the database away, a prompt that cannot be screened) go to the application's own
exception handlers, as FastAPI's exception middleware would send them."""

from __future__ import annotations

import asyncio
import inspect
import json
from typing import Any

from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from mamori.api.errors import api_routes
from mamori.api.routes.screen import SCREENER_ROLES, screen
from mamori.api.schemas.screen import PromptScreen
from mamori.ops.keys import NOT_CACHED, Principal, cache_expires_within, cached_principal, lookup_principal

PATH = "/v1/screen/prompt"


def _json_type(value: bytes | None) -> bool:
    """The content types FastAPI reads as JSON without question (others go the long way)."""
    if value is None:
        return False
    main = value.split(b";", 1)[0].strip().lower()
    return main == b"application/json"


class ScreenFastPath:
    """ASGI layer inside the edge middleware (body limit, metrics), in front of the FastAPI application."""

    def __init__(self, app: Any, host: Any) -> None:
        self.app = app
        self.host = host  # the FastAPI application: its state (service, metrics) and exception handlers
        self._route: Any = None
        self._lookups: dict[str, asyncio.Future[Principal | None]] = {}  # key -> its running lookup

    def route(self) -> Any:
        """The route object FastAPI would put in the scope (metrics label requests by its path)."""
        if self._route is None:
            found = [r for r in api_routes(self.host) if r.path == PATH and "POST" in r.methods]
            self._route = getattr(found[0], "original_route", found[0]) if found else False
        return self._route or None

    async def _principal(self, scope: dict[str, Any]) -> Principal | None:
        """The caller, when the key is known and may screen; None sends the request the long way.

        A key's answer is cached for `key_cache_seconds`. When it has run out, one lookup (in a worker thread) is
        shared by every request that arrives meanwhile, and a busy key is looked up again shortly before it runs
        out, in the background: a key's requests never all miss the cache at once and take the long way, each with
        its own query (measured: a quarter of the requests under load, and a latency spike each second)."""
        auth = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                auth = value
                break
        if auth is None or auth[:7].lower() != b"bearer ":
            return None
        secret = auth[7:].decode("latin-1")  # as HTTPBearer splits it: not stripped
        if not secret:
            return None
        svc = self.host.state.svc
        who = cached_principal(svc, secret)
        if who is NOT_CACHED:
            try:
                who = await asyncio.shield(self._lookup(secret))
            except Exception:  # the database away: the long way answers it (503) as it always has
                return None
        elif cache_expires_within(svc, secret, svc.settings.key_cache_seconds / 4):
            self._lookup(secret)  # ahead of time, in the background; its error (if any) is the next miss's
        return who if isinstance(who, Principal) and who.role in SCREENER_ROLES else None

    def _lookup(self, secret: str) -> asyncio.Future[Principal | None]:
        """The key's database lookup in a worker thread, one at a time per key."""
        running = self._lookups.get(secret)
        if running is not None:
            return running
        future = asyncio.ensure_future(run_in_threadpool(lookup_principal, self.host.state.svc, secret))
        self._lookups[secret] = future

        def done(f: asyncio.Future[Principal | None]) -> None:
            self._lookups.pop(secret, None)
            if not f.cancelled():
                f.exception()  # retrieved: a background lookup's failure is not "never retrieved"

        future.add_done_callback(done)
        return future

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        who = await self._principal(scope)
        content_type = next((v for k, v in scope["headers"] if k == b"content-type"), None)
        if who is None or not _json_type(content_type):
            await self.app(scope, receive, send)
            return
        messages: list[dict[str, Any]] = []
        chunks: list[bytes] = []
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break  # the client went away: FastAPI sees the same
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = self._parse(b"".join(chunks)) if messages[-1]["type"] == "http.request" else None
        if body is None:
            await self.app(scope, _replay(messages, receive), send)
            return
        route = self.route()
        if route is not None:
            scope["route"] = route
        self.host.state.fast_answers += 1
        try:
            response = await screen(self.host.state, body, who)
        except Exception as exc:
            handler = self._handler(exc)
            if handler is None:
                raise
            request = Request(scope, _replay(messages, receive))
            if inspect.iscoroutinefunction(handler):
                response = await handler(request, exc)
            else:
                response = await run_in_threadpool(handler, request, exc)
        await response(scope, receive, send)

    @staticmethod
    def _parse(raw: bytes) -> PromptScreen | None:
        """The body as FastAPI would read it (json.loads, then the model's strict validation), or None."""
        try:
            data = json.loads(raw)
            return PromptScreen.model_validate(data)
        except (ValueError, ValidationError, RecursionError):
            return None

    def _handler(self, exc: Exception) -> Any:
        handlers = self.host.exception_handlers
        return next((handlers[c] for c in type(exc).__mro__ if c in handlers), None)


def _replay(messages: list[dict[str, Any]], receive: Any) -> Any:
    """A `receive` that hands out the messages already read, then reads on."""
    pending = list(messages)

    async def replayed() -> dict[str, Any]:
        if pending:
            return pending.pop(0)
        return await receive()  # type: ignore[no-any-return]

    return replayed
