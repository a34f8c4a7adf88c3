from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from mamori.api.deps import get_svc, require
from mamori.api.errors import raises
from mamori.api.schemas.keys import KeyCreate, KeyCreated, KeyOut
from mamori.ops import keys as ops
from mamori.ops.keys import Principal
from mamori.service import Mamori

router = APIRouter(prefix="/v1/keys", tags=["keys"])
admin = require("admin")


@router.post("", response_model=KeyCreated, status_code=201, responses=raises(404))
def create_key(
    body: KeyCreate, svc: Mamori = Depends(get_svc), who: Principal = Depends(admin)
) -> dict[str, Any]:
    """Create a key; the secret is in `key` and is shown only this once."""
    row, secret = ops.create_key(svc, body.role, body.rightsholder, body.platform, body.label, who)
    return {**row.to_json(), "key": secret}


@router.get("", response_model=list[KeyOut])
def list_keys(svc: Mamori = Depends(get_svc), who: Principal = Depends(admin)) -> list[dict[str, Any]]:
    return [k.to_json() for k in ops.list_keys(svc)]


@router.delete("/{key_id}", response_model=KeyOut, responses=raises(409))
def revoke_key(
    key_id: str, svc: Mamori = Depends(get_svc), who: Principal = Depends(admin)
) -> dict[str, Any]:
    return ops.revoke_key(svc, key_id, who).to_json()
