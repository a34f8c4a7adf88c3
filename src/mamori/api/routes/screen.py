from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile

from mamori.api.deps import get_svc, require
from mamori.api.schemas.screen import PromptScreen, ScreenOut
from mamori.ops import screening
from mamori.ops.keys import Principal
from mamori.service import Mamori

router = APIRouter(prefix="/v1/screen", tags=["screening"])
screener = require("platform", "admin")


@router.post("/prompt", response_model=ScreenOut, response_model_exclude_none=True)
def screen_prompt(
    body: PromptScreen, request: Request, svc: Mamori = Depends(get_svc), who: Principal = Depends(screener)
) -> dict[str, Any]:
    """Screen one prompt for the key's platform; the answer is a `mamori screen prompts` output line.
    The decision is recorded in the ledger; a `review` verdict is queued for the rightsholder."""
    out = screening.screen_prompt(svc, body.text, body.territory, who, body.user)
    request.app.state.metrics.verdict("prompt", out["verdict"])
    return out


@router.post("/media", response_model_exclude_none=True)
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
