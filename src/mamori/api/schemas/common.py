from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class StrictIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class Out(BaseModel):
    model_config = ConfigDict(extra="allow")


Territory = Field(default=None, pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2 country code")


class ErrorOut(BaseModel):
    error: str
    problems: list[dict[str, Any]] | None = None


class DecisionOut(Out):
    verdict: str = Field(description="allow | licensed | block | review")
    matches: list[dict[str, Any]]
    themes: list[str]
    reasons: list[str]
    obligations: dict[str, Any]
