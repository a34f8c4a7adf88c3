from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile
from starlette.concurrency import run_in_threadpool

from mamori.api.deps import get_svc, require
from mamori.api.errors import raises
from mamori.api.fastjson import json_response
from mamori.api.schemas.screen import PromptScreen, ScreenOut
from mamori.ops import screening
from mamori.ops.keys import Principal
from mamori.service import Mamori

router = APIRouter(prefix="/v1/screen", tags=["screening"])
SCREENER_ROLES = ("platform", "admin")
screener = require(*SCREENER_ROLES)


@router.post("/prompt", response_model=ScreenOut, response_model_exclude_none=True)
async def screen_prompt(body: PromptScreen, request: Request, who: Principal = Depends(screener)) -> Response:
    """Screen one prompt for the key's platform; the answer is a `mamori screen prompts` output line.
    The decision is recorded in the ledger; a `review` verdict is queued for the rightsholder."""
    # The common case rarely gets here: mamori.api.fastscreen answers it with `screen` below, before FastAPI.
    return await screen(request.app.state, body, who)


async def screen(state: Any, body: PromptScreen, who: Principal) -> Response:
    """The route's work, for the route and its fast path (`state` is the application's: service and metrics)."""
    svc: Mamori = state.svc
    # A short prompt is decided on the event loop (cheaper than a hop to a worker thread); the ledger entry is
    # awaited without holding a thread, and the answer leaves only once that entry is committed.
    args = (svc, body.text, body.territory, who, body.user)
    if screening.decides_inline(svc, body.text):
        rec = screening.prepare_prompt(*args)
    else:
        rec = await run_in_threadpool(screening.prepare_prompt, *args)
    appended = await state.appender.append("decision.prompt", rec.event)
    if rec.decision["verdict"] == "review":
        out = await run_in_threadpool(screening.answer_prompt, svc, rec, appended)
    else:
        out = screening.answer_prompt(svc, rec, appended)
    state.metrics.verdict("prompt", out["verdict"])
    return json_response(ScreenOut, out)


@router.post("/media", response_model_exclude_none=True, responses=raises(503))
def screen_media(
    request: Request,
    file: UploadFile = File(...),
    territory: str | None = Form(default=None),
    svc: Mamori = Depends(get_svc),
    who: Principal = Depends(screener),
) -> dict[str, Any]:
    """Screen one image, video or audio file (multipart `file`; a video's sound too); 503 while the media gate
    is not available."""
    out = screening.screen_media(svc, file.file.read(), file.filename or "upload", territory, who)
    request.app.state.metrics.verdict("media", out["verdict"])
    return out
