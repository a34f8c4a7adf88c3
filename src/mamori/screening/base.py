"""The Detector contract: the whole extension surface for a new signal.

A detector is built once from the registry (and, for visual signals, the reference images) and then answers
`detect(content)` for one piece of content of a kind it reads. Detectors are listed in one place,
`mamori.screening.plugins.DETECTORS`, where names are checked for uniqueness when loaded.
"""

from __future__ import annotations

import abc
import contextlib
import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from mamori.registry.model import Registry
from mamori.types import Evidence, Match


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off while an index of millions of long-lived objects is made or loaded:
    each collection would walk the growing index again (a 10,000-character prompt index: ~2.8 s of ~9 s to
    build, ~1.6 s of ~3 s to load). On the way out one full collection (~0.4 s for that index) moves the new
    objects to the oldest generation; left young, they would be walked by the next few automatic collections,
    in the first requests after a build (measured: a second of pauses over the first 5,000 prompts)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
            gc.collect()


TEXT = "text"
IMAGE = "image"
VIDEO = "video"
AUDIO = "audio"


@dataclass(frozen=True)
class ReferenceImage:
    """One registered reference image, already decoded to RGB uint8 (H, W, 3)."""

    ref_id: str
    character: str
    work: str
    sha256: str
    pixels: Any  # numpy.ndarray; kept Any so this module has no numpy import


class SignalCache(Protocol):
    """Computed per-reference signals, keyed by content hash, so re-import recomputes only what changed."""

    def get_signal(self, sha256: str, detector: str, version: str) -> bytes | None: ...

    def put_signal(self, sha256: str, detector: str, version: str, payload: bytes) -> None: ...


class NullCache:
    def get_signal(self, sha256: str, detector: str, version: str) -> bytes | None:
        return None

    def put_signal(self, sha256: str, detector: str, version: str, payload: bytes) -> None:
        return None


@dataclass
class Corpus:
    """What a detector is built from."""

    registry: Registry
    references: Iterable[ReferenceImage] = ()
    cache: SignalCache = field(default_factory=NullCache)
    allowlist: Iterable[tuple[str | None, str]] = ()  # (character id or None, phrase) released by reviewers
    settings: Any = None
    # screens a piece of text (a prompt, text read from a frame) with the prompt gate: text -> matches
    text_screen: Callable[[str], list[Match]] | None = None
    audio_references: Iterable[Any] = ()  # mamori.screening.audio.references.ReferenceAudio


FIND = "find"  # a signal that finds registered characters
CONFIRM = "confirm"  # runs only on content where a finding signal already found a character (themes, ...)


class Detector(abc.ABC):
    """One signal. `cost`: rough milliseconds per 1024x768 image on one core (measured in `make bench`), so the
    gate runs cheap signals first; `stage`: FIND or CONFIRM; `max_alone`: the highest fused score this signal
    may give a character no other signal found (below `fusion.PRESENT` for evidence that alone only
    warrants review)."""

    name: ClassVar[str]
    kinds: ClassVar[frozenset[str]]
    version: ClassVar[str] = "1"
    cost: ClassVar[float] = 10.0
    stage: ClassVar[str] = FIND
    max_alone: ClassVar[float] = 1.0

    @classmethod
    @abc.abstractmethod
    def build(cls, corpus: Corpus) -> Detector:
        """Index the registry (and references) for fast detection."""

    @abc.abstractmethod
    def detect(self, content: Any) -> list[Match]:
        """Matches for one piece of content of a kind in `kinds`."""

    def wants(self, content: Any, found: Sequence[Match]) -> bool:
        """Whether to run on `content`, given what cheaper signals already `found` (fused, best first): the
        cascade's hook. Default: always."""
        return True

    def themes(self, content: Any, found: Sequence[Match]) -> list[Evidence]:
        """CONFIRM detectors: forbidden-depiction themes seen in `content` (each Evidence's `extra["theme"]`
        names one, e.g. "sexual"), checked only because `found` is not empty."""
        return []

    @property
    def enabled(self) -> bool:
        """False when the detector is configured off (e.g. no model); detect() then returns []."""
        return True

    @classmethod
    def examples(cls) -> Iterator[tuple[Corpus, Any, set[str]]]:
        """(corpus, content, expected character ids) triples the contract suite runs every detector on."""
        return iter(())
