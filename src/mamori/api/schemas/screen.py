from __future__ import annotations

from pydantic import Field

from mamori.api.schemas.common import DecisionOut, StrictIn, Territory


class PromptScreen(StrictIn):
    REPLACED = frozenset({"text"})
    text: str = Field(description="The prompt")
    territory: str | None = Territory


class ScreenOut(DecisionOut):
    id: str = Field(description="Request id, as recorded in the ledger")
    review_ids: list[int] | None = None
