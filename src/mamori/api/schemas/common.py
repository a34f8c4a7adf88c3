from __future__ import annotations

from typing import Annotated, Any, ClassVar, Self

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field, model_validator

from mamori.textsafe import problem


def _unstorable(value: Any, where: str) -> str | None:
    if isinstance(value, str):
        why = problem(value)
        return f"{where} {why}" if why else None
    if isinstance(value, dict):
        items = [(f"{where}.{k}", k) for k in value] + [(f"{where}.{k}", v) for k, v in value.items()]
        return next((w for at, v in items if (w := _unstorable(v, at))), None)
    if isinstance(value, list | tuple):
        return next((w for i, v in enumerate(value) if (w := _unstorable(v, f"{where}[{i}]"))), None)
    return None


class StrictIn(BaseModel):
    """A request body: no unknown keys, no coercion, and no text that cannot be stored (a lone surrogate or NUL,
    which JSON can spell as an escape); prompt fields named in `REPLACED` are made storable downstream instead
    (mamori.textsafe), so screening still answers and says what was replaced."""

    model_config = ConfigDict(strict=True, extra="forbid")
    REPLACED: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _storable(self) -> Self:
        for name in type(self).model_fields:
            if name not in self.REPLACED and (why := _unstorable(getattr(self, name), name)):
                raise ValueError(why)
        return self


class Out(BaseModel):
    model_config = ConfigDict(extra="allow")


# Ids are 64-bit in the store: a larger number names nothing, and is refused (422) rather than overflowing the driver.
MAX_DB_INT = 2**63 - 1
DbId = Annotated[int, Path(ge=1, le=MAX_DB_INT, description="A numeric id")]

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
