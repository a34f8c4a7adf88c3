"""Media matches over HTTP: the rows a rightsholder (or an admin, or an auditor without pictures) reads, the frame
and reference thumbnails, and the uphold/release decision; the same operations as the console's `/console/matches`
and `mamori media-matches` (`mamori.ops.media_matches`)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Response

from mamori.api.deps import get_svc, require
from mamori.api.errors import raises
from mamori.api.schemas.common import DbId
from mamori.api.schemas.media_matches import MatchDecision
from mamori.ops import media_matches as ops
from mamori.ops.keys import Principal
from mamori.service import Mamori

router = APIRouter(prefix="/v1/media-matches", tags=["media matches"])
readers = require(*ops.READERS)
pictures = require(*ops.PICTURE_READERS)
JPEG: dict[int | str, dict[str, Any]] = {
    200: {"content": {"image/jpeg": {}}, "description": "A JPEG thumbnail"}
}


def _jpeg(data: bytes) -> Response:
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=300"})


@router.get("")
def list_matches(
    status: Literal["open", "upheld", "released", "all"] = Query(default="open"),
    limit: int = Query(default=200, ge=1, le=1000),
    svc: Mamori = Depends(get_svc),
    who: Principal = Depends(readers),
) -> list[dict[str, Any]]:
    """Newest first. A rightsholder key sees only its own characters' matches; `has_thumbnail` says whether the
    frame can be fetched by this key."""
    return ops.list_matches(svc, who, None if status == "all" else status, limit)


@router.get("/{match_id}/frame", response_class=Response, responses=JPEG)
def frame(match_id: DbId, svc: Mamori = Depends(get_svc), who: Principal = Depends(pictures)) -> Response:
    """The screened frame where the character was seen best (the character's rightsholder and admins only)."""
    return _jpeg(ops.frame_thumbnail(svc, match_id, who))


@router.get("/{match_id}/reference", response_class=Response, responses=JPEG)
def reference(match_id: DbId, svc: Mamori = Depends(get_svc), who: Principal = Depends(pictures)) -> Response:
    """The registered reference the match was found against."""
    return _jpeg(ops.reference_thumbnail(svc, match_id, who))


@router.post("/{match_id}/decide", responses=raises(409))
def decide(
    match_id: DbId,
    body: MatchDecision,
    svc: Mamori = Depends(get_svc),
    who: Principal = Depends(require("admin", "rightsholder")),
) -> dict[str, Any]:
    """Uphold or release an open match; a release allow-lists the file for that character. A ledger event."""
    return ops.decide(svc, match_id, body.action, who, body.note)
