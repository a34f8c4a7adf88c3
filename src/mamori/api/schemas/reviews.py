from __future__ import annotations

from typing import Literal

from pydantic import Field

from mamori.api.schemas.common import StrictIn


class DisputeCreate(StrictIn):
    character: str
    reason: str = Field(min_length=1, max_length=4000)
    generation_id: str | None = None
    prompt: str | None = None


class Resolve(StrictIn):
    action: Literal["uphold", "release", "allowlist"]
    phrase: str | None = Field(
        default=None, description="allowlist: the phrase to release (default: the prompt)"
    )
    note: str | None = None
