from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query

from mamori.api.deps import get_svc, require
from mamori.api.errors import raises
from mamori.api.schemas.common import DbId
from mamori.api.schemas.reviews import DisputeCreate, Resolve
from mamori.ops import reviews as ops
from mamori.ops.keys import Principal
from mamori.service import Mamori

router = APIRouter(prefix="/v1", tags=["reviews"])
readers = require("admin", "rightsholder", "auditor")


@router.post("/disputes", status_code=201, responses=raises(404))
def file_dispute(
    body: DisputeCreate, svc: Mamori = Depends(get_svc), who: Principal = Depends(require("platform"))
) -> dict[str, Any]:
    """Dispute a decision about a character; it enters the review queue with a deadline (settings.review_days)."""
    return ops.file_dispute(svc, body.character, body.reason, who, body.generation_id, body.prompt)


@router.get("/reviews")
def list_reviews(
    status: Literal["open", "upheld", "released", "allowlisted", "all"] = Query(default="open"),
    svc: Mamori = Depends(get_svc),
    who: Principal = Depends(readers),
) -> list[dict[str, Any]]:
    """The queue; a rightsholder key sees only its own characters."""
    return ops.list_reviews(svc, who, None if status == "all" else status)


@router.get("/reviews/{review_id}")
def get_review(
    review_id: DbId, svc: Mamori = Depends(get_svc), who: Principal = Depends(readers)
) -> dict[str, Any]:
    return ops.review(svc, review_id, who)


@router.post("/reviews/{review_id}/resolve", responses=raises(409))
def resolve(
    review_id: DbId,
    body: Resolve,
    svc: Mamori = Depends(get_svc),
    who: Principal = Depends(require("admin", "rightsholder")),
) -> dict[str, Any]:
    """uphold (the decision stands), release, or allowlist a phrase so later screening lets it through."""
    return ops.resolve(svc, review_id, body.action, who, body.phrase, body.note)
