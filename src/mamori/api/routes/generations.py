from __future__ import annotations

import base64
import binascii
from typing import Any

from fastapi import APIRouter, Depends, File, Request, UploadFile

from mamori.api.deps import get_svc, require
from mamori.api.errors import raises
from mamori.api.schemas.generations import GenerationCreate, GenerationOut, OutputOut
from mamori.ops import OpsError
from mamori.ops import generations as ops
from mamori.ops.keys import Principal
from mamori.service import Mamori

router = APIRouter(prefix="/v1/generations", tags=["generations"])
platform = require("platform")


@router.post("", response_model=GenerationOut, responses=raises(503))
def open_generation(
    body: GenerationCreate,
    request: Request,
    svc: Mamori = Depends(get_svc),
    who: Principal = Depends(platform),
) -> dict[str, Any]:
    """Check a prompt (and an optional base64 `input_image`) before generating. A prompt that passes opens a
    generation; one that does not answers 200 with `generation_id: null` and the decision (nothing is opened)."""
    image = None
    if body.input_image is not None:
        try:
            image = base64.b64decode(body.input_image, validate=True)
        except (binascii.Error, ValueError):
            raise OpsError("input_image is not valid base64", 422) from None
    out = ops.open_generation(
        svc,
        body.prompt,
        who,
        body.territory,
        body.price.model_dump() if body.price else None,
        image,
        body.input_filename,
        body.user,
    )
    request.app.state.metrics.verdict("generation", out["decision"]["verdict"])
    return out


@router.post("/{generation_id}/output", response_model=OutputOut, responses=raises(409, 503))
def submit_output(
    generation_id: str,
    request: Request,
    file: UploadFile = File(...),
    svc: Mamori = Depends(get_svc),
    who: Principal = Depends(platform),
) -> dict[str, Any]:
    """The final decision on the generated output (multipart `file`), combined with the prompt decision. An
    output showing an unlicensed character is blocked even if the prompt passed; a passing output settles."""
    out = ops.submit_output(svc, generation_id, file.file.read(), file.filename or "output", who)
    request.app.state.metrics.verdict("output", out["decision"]["verdict"])
    return out


@router.get("/{generation_id}")
def get_generation(
    generation_id: str,
    svc: Mamori = Depends(get_svc),
    who: Principal = Depends(require("platform", "admin", "auditor")),
) -> dict[str, Any]:
    return ops.get_generation(svc, generation_id, who)
