"""The FastAPI application over one `Mamori` service: `create_app(svc)`; `mamori serve` runs it on uvicorn."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.concurrency import run_in_threadpool

from mamori import __version__
from mamori.api.errors import document_errors, install_handlers
from mamori.api.fastscreen import ScreenFastPath
from mamori.api.loop_appender import LoopAppender
from mamori.api.metrics import Metrics
from mamori.api.middleware import EdgeMiddleware
from mamori.api.probes import StageProbes
from mamori.api.routes import ROUTERS
from mamori.ops import OpsError
from mamori.registry.fileformat import RegistryFileError
from mamori.service import Mamori, PromptError
from mamori.storage.db import database_problem

log = logging.getLogger("mamori.api")
SWITCH_INTERVAL_S = 0.001
# The cyclic collector's young-generation threshold in a server process (CPython's default: 700). A screened
# request leaves a few hundred container objects alive while it waits for its group commit, so at the default a
# loaded server ran a young collection every few requests, and its survivors (the in-flight requests) made every
# tenth one a gen-1 walk (measured at 540 req/s: 658 gen-0 + 60 gen-1 + 6 gen-2 collections, 0.33 CPU-s in 5 s;
# at 20,000: one gen-0 collection of 6.9 ms). Garbage in cycles waits a little longer; MAMORI_GC_GEN0 overrides.
GC_GEN0_THRESHOLD = 10_000

DESCRIPTION = """The mamori rights gate over HTTP. Authenticate with `Authorization: Bearer <key>`
(`mamori keys create`). Roles: **admin**; **rightsholder** (its own works, characters, references, policies and
usage); **platform** (screens, opens generations, settles, files disputes); **auditor** (ledger and exports)."""


def create_app(svc: Mamori, fast_path: bool = True) -> FastAPI:
    """The API over `svc`; `fast_path=False` leaves out `ScreenFastPath` (tests compare the two ways)."""
    metrics = Metrics()
    probes = StageProbes(metrics)  # where request time goes besides its own code (group commit, loop lag, GC)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        lag_probe = probes.start()
        checker = asyncio.create_task(_check_registry(svc))
        try:
            yield
        finally:
            checker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await checker
            await probes.stop(lag_probe)

    app = FastAPI(title="mamori", version=__version__, description=DESCRIPTION, lifespan=lifespan)
    app.state.svc = svc
    app.state.metrics = metrics
    app.state.probes = probes
    # the screening route's ledger entries, handed to the group committer a loop turn at a time
    app.state.appender = LoopAppender(svc.ledger)
    svc.ledger.group.observe = probes.observe_commit
    if svc.wal_checkpointer is not None:
        svc.wal_checkpointer.observe = probes.observe_checkpoint
    for router in ROUTERS:
        app.include_router(router)
    install_handlers(app)  # one error shape (ErrorOut) for the framework's errors too

    @app.exception_handler(OpsError)
    async def _ops_error(request: Request, exc: OpsError) -> JSONResponse:
        body: dict[str, Any] = {"error": str(exc)}
        if exc.details is not None:
            body["details"] = exc.details
        return JSONResponse(body, status_code=exc.status)

    @app.exception_handler(RegistryFileError)
    async def _registry_error(request: Request, exc: RegistryFileError) -> JSONResponse:
        return JSONResponse(
            {
                "error": f"{len(exc.problems)} problem(s)",
                "problems": [{"path": p.path, "message": p.message} for p in exc.problems],
            },
            status_code=422,
        )

    @app.exception_handler(DBAPIError)
    async def _database_error(request: Request, exc: DBAPIError) -> JSONResponse:
        # The database is away, read-only or full: 503 with the reason; the request recorded nothing.
        reason = database_problem(exc)
        if reason is None:
            raise exc
        log.warning("%s %s: %s (%s)", request.method, request.url.path, reason, exc.__class__.__name__)
        return JSONResponse({"error": reason}, status_code=503, headers={"Retry-After": "1"})

    @app.exception_handler(PromptError)
    async def _prompt_error(request: Request, exc: PromptError) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=422)

    from mamori.web import mount_console

    mount_console(app)  # noqa: E702, I001 -- the console under /console
    document_errors(app)  # after every route is mounted: the spec lists each operation's error responses
    if fast_path:
        app.state.fast_answers = 0
        app.add_middleware(
            ScreenFastPath, host=app
        )  # inside the edge middleware: body limit and metrics apply
    app.add_middleware(EdgeMiddleware, metrics=app.state.metrics, max_body=svc.settings.max_upload_bytes)
    return app


async def _check_registry(svc: Mamori) -> None:
    """Checks the registry in a worker thread twice per `registry_refresh_seconds`, so a request never finds the
    check due and does it itself (a query; and a short prompt goes to a worker thread while it is near)."""
    every = svc.settings.registry_refresh_seconds / 2
    if every <= 0:
        return  # checked on every request (tests): nothing to do ahead of them
    while True:
        await asyncio.sleep(max(every, 0.05))
        try:
            await run_in_threadpool(svc.check_registry)
        except Exception:  # the database away: requests meet it themselves; the next tick tries again
            log.warning("background registry check failed", exc_info=True)


def tune_server_process() -> None:
    """For a process that serves the API (`mamori serve` and its workers). The event loop shares the GIL with the
    ledger writer and worker threads: each socket call on the loop gives the GIL up, and getting it back waits for
    the holder's switch interval (default 5 ms) — under load, a stall per call (the "convoy effect"; profiled: the
    loop's most sampled line was its socket send). A shorter interval bounds those waits. The collector's young
    generation is collected less often (GC_GEN0_THRESHOLD)."""
    sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL_S))
    raw = os.environ.get("MAMORI_GC_GEN0", str(GC_GEN0_THRESHOLD))
    try:
        gen0 = int(raw)
    except ValueError:
        raise SystemExit(f"MAMORI_GC_GEN0 must be a whole number of objects, not {raw!r}") from None
    if gen0 > 0:  # 0 leaves the interpreter's thresholds as they are
        gc.set_threshold(gen0, *gc.get_threshold()[1:])


def create_app_from_env() -> FastAPI:
    """The app for one of `mamori serve --workers N`'s processes: its own service, settings from MAMORI_*."""
    from mamori.config import Settings

    tune_server_process()
    svc = Mamori(Settings.from_env())
    app = create_app(svc)
    svc.warm()  # indexes built and lazy dictionaries loaded before the first request, not during it
    return app
