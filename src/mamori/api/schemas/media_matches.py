from __future__ import annotations

from typing import Literal

from pydantic import Field

from mamori.api.schemas.common import StrictIn


class MatchDecision(StrictIn):
    action: Literal["uphold", "release"] = Field(
        description="uphold: the match is the rightsholder's character; release: a false match or an allowed use "
        "(the file is allow-listed for that character)"
    )
    note: str | None = Field(default=None, max_length=500)
