from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Query

from mamori.api.deps import get_svc, require
from mamori.api.schemas.common import MAX_DB_INT
from mamori.api.schemas.ledger import VerifyOut
from mamori.ops import audit, store
from mamori.ops.keys import Principal
from mamori.service import Mamori

router = APIRouter(prefix="/v1", tags=["ledger"])
readers = require("admin", "auditor")


@router.get("/ledger/verify", response_model=VerifyOut)
def verify(svc: Mamori = Depends(get_svc), who: Principal = Depends(readers)) -> dict[str, Any]:
    """Recompute the whole hash chain; `first_bad` names the first row that does not verify."""
    return svc.ledger.verify().to_json()


@router.get("/ledger/events")
def events(
    after: int = Query(default=0, ge=0, le=MAX_DB_INT),
    limit: int = Query(default=100, ge=1, le=1000),
    svc: Mamori = Depends(get_svc),
    who: Principal = Depends(readers),
) -> list[dict[str, Any]]:
    """Rows after `after` (seq), as stored: an auditor can recompute every hash from prev_hash + payload."""
    return store(svc).ledger_page(after, limit)


@router.get("/audit/export")
def audit_export(
    work: str,
    start: str = Query(alias="from"),
    end: str = Query(alias="to"),
    svc: Mamori = Depends(get_svc),
    who: Principal = Depends(readers),
) -> dict[str, Any]:
    """The `mamori audit export` files for one work and date range, as one JSON object {file name: text}."""
    with tempfile.TemporaryDirectory() as tmp:
        audit.export(svc, work, start, end, tmp)
        return {p.name: p.read_text(encoding="utf-8") for p in sorted(Path(tmp).iterdir())}
