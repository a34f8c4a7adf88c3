"""The registry's domain objects: rightsholders, works, characters and their policies. No I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

THEMES: tuple[str, ...] = (
    "violence",
    "sexual",
    "political",
    "drugs",
    "hate",
    "horror",
    "crime",
    "religion",
    "commercial",
)

GENERATION_MODES = ("block", "license", "track")
TRAINING_MODES = ("block", "allow")


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str  # ISO 4217

    def to_json(self) -> dict[str, str]:
        return {"amount": str(self.amount), "currency": self.currency}


@dataclass(frozen=True)
class Policy:
    """A rightsholder's terms for one character. The default (no policy) is: generation blocked."""

    generation: str = "block"
    themes_forbidden: tuple[str, ...] = ()
    territories: tuple[str, ...] | None = None  # None = everywhere
    licensees: tuple[str, ...] | None = None  # None = any platform
    valid_from: date | None = None
    valid_until: date | None = None
    fee_per_generation: Money | None = None
    revenue_share: Decimal | None = None
    attribution: str | None = None
    training: str = "block"


DEFAULT_POLICY = Policy()


@dataclass(frozen=True)
class Rightsholder:
    id: str
    name: str
    country: str | None = (
        None  # ISO 3166 alpha-2: where the works come from (the transparency report's origin)
    )


@dataclass(frozen=True)
class Work:
    id: str
    rightsholder: str
    titles: tuple[str, ...] = ()


# what else a registered name may be (registry field `other_senses`); a word sense may name its language: "word:nl"
SENSE_KINDS = ("word", "place", "given-name", "surname", "person", "brand", "product", "band", "title")


@dataclass(frozen=True)
class Character:
    id: str
    work: str
    names: tuple[str, ...] = ()
    traits: tuple[str, ...] = ()
    references: tuple[str, ...] = ()  # paths as written in the registry file (relative to it)
    policy: Policy | None = None  # None: not opted in
    # the rightsholder's word on homonyms: None = from data (is a name also a word, place, person's name?);
    # False = never another sense; True = always needs character evidence in context
    ambiguous: bool | None = None
    other_senses: tuple[str, ...] = ()  # e.g. "place", "given-name", "brand", "word:en" (SENSE_KINDS)
    # voice samples (audio, or video with sound), paths like `references`: the speaker the audio gate's voice
    # signal compares with; other sound references (songs, cues) are fingerprinted as recordings only
    voices: tuple[str, ...] = ()

    @property
    def effective_policy(self) -> Policy:
        return self.policy or DEFAULT_POLICY


@dataclass(frozen=True)
class Registry:
    """A whole registry snapshot: what indexes are built from and what a file round-trips to."""

    rightsholders: tuple[Rightsholder, ...] = ()
    works: tuple[Work, ...] = ()
    characters: tuple[Character, ...] = ()
    base_dir: str | None = field(default=None, compare=False)  # where relative reference paths resolve

    def work(self, work_id: str) -> Work | None:
        return next((w for w in self.works if w.id == work_id), None)

    def characters_of(self, work_id: str) -> tuple[Character, ...]:
        return tuple(c for c in self.characters if c.work == work_id)

    def policies(self) -> dict[str, Policy]:
        return {c.id: c.effective_policy for c in self.characters}
