"""Value objects shared by every layer: matches, evidence, decisions, request context.

Nothing here does I/O or imports another mamori package; every other module may import this one.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class Verdict(enum.StrEnum):
    ALLOW = "allow"
    LICENSED = "licensed"
    BLOCK = "block"
    REVIEW = "review"

    def __str__(self) -> str:
        return self.value


class Rule(enum.StrEnum):
    """Why a piece of evidence fired; readable in reasons and the ledger."""

    NAME = "name"  # a registered name or title, exactly (after case/width folding)
    VARIANT = "variant"  # romanisation, kana/kana, spacing, long vowels, misspelling
    OBFUSCATION = "obfuscation"  # confusables, leetspeak, split letters, invisible characters
    TRAIT = "trait"  # registered descriptive traits without the name
    TITLE = "title"  # a work title
    PDQ = "pdq"  # perceptual hash near-duplicate
    LOCAL = "local"  # local features verified geometrically
    EMBEDDING = "embedding"  # learned embedding similarity
    ALLOWLIST = "allowlist"  # a reviewer's allowlist suppressed a match

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Evidence:
    """One reason to believe a character is present."""

    rule: str
    score: float
    detail: str = ""  # human-readable: "matched 'Vegeta' as 'V3g3ta' (leetspeak)"
    span: Span | None = None  # character offsets into the original text
    text: str | None = None  # the original text of the span
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"rule": str(self.rule), "score": round(self.score, 4)}
        if self.detail:
            out["detail"] = self.detail
        if self.span is not None:
            out["span"] = [self.span.start, self.span.end]
        if self.text is not None:
            out["text"] = self.text
        if self.extra:
            out.update(self.extra)
        return out


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of a video, in seconds, where a character was seen."""

    start: float
    end: float
    score: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {"start": round(self.start, 3), "end": round(self.end, 3), "score": round(self.score, 4)}


@dataclass(frozen=True, slots=True)
class Match:
    """A registered character (or a work, when only the work was named) found in some content."""

    work: str
    score: float
    character: str | None = None
    evidence: tuple[Evidence, ...] = ()
    signals: dict[str, float] = field(default_factory=dict)  # visual: per-signal scores
    segments: tuple[Segment, ...] = ()  # video only

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "character": self.character,
            "work": self.work,
            "score": round(self.score, 4),
            "evidence": [e.to_json() for e in self.evidence],
        }
        if self.signals:
            out["signals"] = {k: round(v, 4) for k, v in self.signals.items()}
        if self.segments:
            out["segments"] = [s.to_json() for s in self.segments]
        return out


@dataclass(frozen=True)
class RequestContext:
    """Who asks, from where, when. Unknown fields are None and fail closed where a licence needs them."""

    platform: str | None = None
    territory: str | None = None
    time: datetime | None = None


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    matches: tuple[Match, ...] = ()
    themes: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    obligations: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict.value,
            "matches": [m.to_json() for m in self.matches],
            "themes": list(self.themes),
            "reasons": list(self.reasons),
            "obligations": self.obligations,
        }
