from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Query, Response

from mamori.api.deps import get_svc, principal, require
from mamori.api.errors import raises
from mamori.api.schemas.common import MAX_DB_INT
from mamori.api.schemas.ledger import ConsistencyOut, InclusionOut, KeysOut, VerifyOut
from mamori.ops import Forbidden, audit, store, transparency
from mamori.ops.keys import Principal
from mamori.service import Mamori

router = APIRouter(prefix="/v1", tags=["ledger"])
readers = require("admin", "auditor")
TEXT: dict[str, Any] = {"content": {"text/plain": {}}}
# Query numbers are taken as text and checked in ops.transparency, so a huge or negative one gets a 422 with a reason.


def _num() -> Any:
    return Query(description="a whole number ≥ 0")


@router.get("/ledger/verify", response_model=VerifyOut)
def verify(svc: Mamori = Depends(get_svc), who: Principal = Depends(readers)) -> dict[str, Any]:
    """Recompute the hash chain and the Merkle tree from every entry and check them against the stored checkpoints;
    `first_bad` names the first row that does not verify."""
    return svc.ledger.verify(svc.checkpoints.roots()).to_json()


@router.get("/ledger/checkpoint", response_class=Response, responses={200: TEXT, **raises(404, 503)})
def checkpoint(
    cosigned: str | None = Query(
        default=None,
        description="only a checkpoint this many configured witnesses cosigned (the newest such)",
    ),
    svc: Mamori = Depends(get_svc),
) -> Response:
    """The newest signed checkpoint (C2SP tlog-checkpoint in a signed note), with the cosignatures of witnesses
    that answered; public, like a CT log's. With `cosigned=N`, the newest one N witnesses cosigned."""
    note = svc.transparency.current() if cosigned is None else svc.transparency.cosigned(cosigned)
    return Response(note, media_type="text/plain; charset=utf-8")


@router.get("/ledger/key", response_class=Response, responses={200: TEXT, **raises(503)})
def key(svc: Mamori = Depends(get_svc)) -> Response:
    """The verifier key (note vkey) that checks every checkpoint; public."""
    if svc.ledger_signer is None:
        from mamori.ops import Unavailable

        raise Unavailable(transparency.NO_KEY)
    return Response(svc.ledger_signer.verifier.vkey + "\n", media_type="text/plain; charset=utf-8")


@router.get("/ledger/keys", response_model=KeysOut)
def keys(svc: Mamori = Depends(get_svc)) -> dict[str, Any]:
    """The log's checkpoint keys over time (key rotation), public: each vkey, when it was added and retired, and for
    a retired key the last checkpoint it signed together with its successor (the hand-over)."""
    from mamori.ops.ledger_keys import history

    return history(svc)


@router.get(
    "/ledger/entries/{index}", response_class=Response, responses={200: {"content": {"application/json": {}}}}
)
def entry(index: str, svc: Mamori = Depends(get_svc), who: Principal = Depends(principal)) -> Response:
    """The exact bytes of entry `index` (canonical JSON; its leaf hash is SHA-256(0x00 ‖ these bytes)). Admins and
    auditors read every entry; a platform reads the entries of its own requests."""
    raw = transparency.entry(svc, index)
    if who.role not in ("admin", "auditor"):
        data = json.loads(raw).get("data", {})
        if who.role != "platform" or not isinstance(data, dict) or data.get("platform") != who.platform:
            raise Forbidden("this entry is not one of your platform's requests")
    return Response(raw.encode("utf-8"), media_type="application/json")


@router.get("/ledger/proofs/inclusion", response_model=InclusionOut)
def inclusion(
    index: str = _num(),
    size: str | None = Query(default=None, description="tree size; default: the newest checkpoint's"),
    svc: Mamori = Depends(get_svc),
) -> dict[str, Any]:
    """Inclusion proof of entry `index` in the tree of `size` entries (hashes only; public)."""
    return transparency.inclusion(svc, index, size)


@router.get("/ledger/proofs/consistency", response_model=ConsistencyOut)
def consistency(first: str = _num(), second: str = _num(), svc: Mamori = Depends(get_svc)) -> dict[str, Any]:
    """Consistency proof that the tree of `second` entries extends the tree of `first` (hashes only; public)."""
    return transparency.consistency(svc, first, second)


@router.get("/ledger/events")
def events(
    after: int = Query(default=0, ge=0, le=MAX_DB_INT),
    limit: int = Query(default=100, ge=1, le=1000),
    svc: Mamori = Depends(get_svc),
    who: Principal = Depends(readers),
) -> list[dict[str, Any]]:
    """Rows after `after` (seq), as stored: an auditor can recompute every hash from prev_hash + payload."""
    return store(svc).ledger_page(after, limit)


@router.get("/audit/export", responses=raises(404))
def audit_export(
    work: str,
    start: str = Query(alias="from"),
    end: str = Query(alias="to"),
    svc: Mamori = Depends(get_svc),
    who: Principal = Depends(readers),
) -> dict[str, Any]:
    """The `mamori audit export` files for one work and date range, as one JSON object {file name: text}."""
    with tempfile.TemporaryDirectory() as tmp:
        audit.export(svc, work, start, end, tmp, who)
        return {p.name: p.read_text(encoding="utf-8") for p in sorted(Path(tmp).iterdir())}
