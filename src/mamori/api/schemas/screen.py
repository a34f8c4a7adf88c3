from __future__ import annotations

from pydantic import Field

from mamori.api.schemas.common import DecisionOut, StrictIn, Territory
from mamori.api.schemas.ledger import USER, Receipt


class PromptScreen(StrictIn):
    REPLACED = frozenset({"text"})
    text: str = Field(description="The prompt")
    territory: str | None = Territory
    user: str | None = USER


class ScreenOut(DecisionOut):
    id: str = Field(description="Request id, as recorded in the ledger")
    review_ids: list[int] | None = None
    receipt: Receipt | None = Field(default=None, description="Where the decision sits in the ledger")
