from __future__ import annotations

from typing import Literal

from mamori.api.schemas.common import Out, StrictIn


class KeyCreate(StrictIn):
    role: Literal["admin", "rightsholder", "platform", "auditor"]
    rightsholder: str | None = None
    platform: str | None = None
    label: str | None = None


class KeyOut(Out):
    id: str
    role: str
    rightsholder: str | None
    platform: str | None
    label: str | None
    created_at: str
    revoked_at: str | None


class KeyCreated(KeyOut):
    key: str
