"""Registry CRUD. Rightsholder keys see and change only their own works, characters, references and policies."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile

from mamori.api.deps import get_svc, require
from mamori.api.errors import raises
from mamori.api.schemas.common import DbId
from mamori.api.schemas.registry import CharacterPut, PolicyPut, RightsholderPut, WorkPut
from mamori.ops import registry_edit as ops
from mamori.ops import statements
from mamori.ops.keys import Principal
from mamori.service import Mamori

router = APIRouter(prefix="/v1", tags=["registry"])
owner = require("admin", "rightsholder")
admin = require("admin")


@router.get("/rightsholders")
def list_rightsholders(
    svc: Mamori = Depends(get_svc), who: Principal = Depends(owner)
) -> list[dict[str, Any]]:
    return ops.list_rightsholders(svc, who)


@router.get("/rightsholders/{rid}")
def get_rightsholder(
    rid: str, svc: Mamori = Depends(get_svc), who: Principal = Depends(owner)
) -> dict[str, Any]:
    return ops.get_rightsholder(svc, rid, who)


@router.put("/rightsholders/{rid}")
def put_rightsholder(
    rid: str, body: RightsholderPut, svc: Mamori = Depends(get_svc), who: Principal = Depends(owner)
) -> dict[str, Any]:
    return ops.put_rightsholder(svc, rid, body.name, who)


@router.delete("/rightsholders/{rid}", responses=raises(409))
def delete_rightsholder(
    rid: str, svc: Mamori = Depends(get_svc), who: Principal = Depends(admin)
) -> dict[str, Any]:
    return ops.delete_rightsholder(svc, rid, who)


@router.get("/works")
def list_works(svc: Mamori = Depends(get_svc), who: Principal = Depends(owner)) -> list[dict[str, Any]]:
    return ops.list_works(svc, who)


@router.get("/works/{wid}")
def get_work(wid: str, svc: Mamori = Depends(get_svc), who: Principal = Depends(owner)) -> dict[str, Any]:
    return ops.get_work(svc, wid, who)


@router.put("/works/{wid}")
def put_work(
    wid: str, body: WorkPut, svc: Mamori = Depends(get_svc), who: Principal = Depends(owner)
) -> dict[str, Any]:
    return ops.put_work(svc, wid, body.rightsholder, body.titles, who)


@router.delete("/works/{wid}", responses=raises(409))
def delete_work(wid: str, svc: Mamori = Depends(get_svc), who: Principal = Depends(owner)) -> dict[str, Any]:
    return ops.delete_work(svc, wid, who)


@router.get("/characters")
def list_characters(svc: Mamori = Depends(get_svc), who: Principal = Depends(owner)) -> list[dict[str, Any]]:
    return ops.list_characters(svc, who)


@router.get("/characters/{cid}")
def get_character(
    cid: str, svc: Mamori = Depends(get_svc), who: Principal = Depends(owner)
) -> dict[str, Any]:
    return ops.get_character(svc, cid, who)


@router.put("/characters/{cid}")
def put_character(
    cid: str, body: CharacterPut, svc: Mamori = Depends(get_svc), who: Principal = Depends(owner)
) -> dict[str, Any]:
    """Create or replace a character; reference images are kept. Policy problems answer 422 with their paths."""
    return ops.put_character(svc, cid, body.model_dump(), who)


@router.delete("/characters/{cid}")
def delete_character(
    cid: str, svc: Mamori = Depends(get_svc), who: Principal = Depends(owner)
) -> dict[str, Any]:
    return ops.delete_character(svc, cid, who)


@router.get("/characters/{cid}/policy")
def get_policy(cid: str, svc: Mamori = Depends(get_svc), who: Principal = Depends(owner)) -> dict[str, Any]:
    """The current policy and every earlier version."""
    history = ops.policy_history(svc, cid, who)
    return {"character": cid, "current": history[-1] if history else None, "history": history}


@router.put("/characters/{cid}/policy")
def put_policy(
    cid: str, body: PolicyPut, svc: Mamori = Depends(get_svc), who: Principal = Depends(owner)
) -> dict[str, Any]:
    """Replace the policy (validated like the registry file; 422 lists every problem with its path).
    A change is a new policy version and a `policy.change` ledger event."""
    return ops.put_policy(svc, cid, body.policy, who)


@router.post("/characters/{cid}/references", status_code=201, responses=raises(415))
def add_reference(
    cid: str,
    file: UploadFile = File(...),
    voice: bool = Form(
        default=False, description="a voice sample of the character (audio, or video with sound)"
    ),
    svc: Mamori = Depends(get_svc),
    who: Principal = Depends(owner),
) -> dict[str, Any]:
    """Upload a reference: an image, a clip, or sound (a theme song, a cue; with `voice=true` a voice sample)."""
    return ops.add_reference(svc, cid, file.filename or "upload", file.file.read(), who, voice)


@router.delete("/characters/{cid}/references/{ref_id}")
def delete_reference(
    cid: str, ref_id: DbId, svc: Mamori = Depends(get_svc), who: Principal = Depends(owner)
) -> dict[str, Any]:
    return ops.delete_reference(svc, cid, ref_id, who)


@router.get("/usage", tags=["statements"], responses=raises(404))
def usage(
    period: str = Query(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM"),
    rightsholder: str | None = Query(
        default=None, description="admin only; a rightsholder key reads its own"
    ),
    svc: Mamori = Depends(get_svc),
    who: Principal = Depends(owner),
) -> dict[str, Any]:
    """A rightsholder's statement for one month (same figures as `mamori statements`)."""
    from mamori.ops import Forbidden, OpsError

    if who.role == "rightsholder":
        if rightsholder not in (None, who.rightsholder):
            raise Forbidden("a rightsholder key reads only its own usage")
        rightsholder = who.rightsholder
    if not rightsholder:
        raise OpsError("rightsholder is required", 422)
    return statements.statement(svc, rightsholder, period)
