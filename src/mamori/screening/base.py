"""The Detector contract: the whole extension surface for a new signal.

A detector is built once from the registry (and, for visual signals, the reference images) and then answers
`detect(content)` for one piece of content of a kind it reads. Detectors are listed in one place,
`mamori.screening.plugins.DETECTORS`, where names are checked for uniqueness when loaded.
"""

from __future__ import annotations

import abc
import contextlib
import gc
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from mamori.registry.model import Registry
from mamori.types import Match


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
    audio_references: Iterable[Any] = ()  # mamori.screening.audio.references.ReferenceAudio


class Detector(abc.ABC):
    name: ClassVar[str]
    kinds: ClassVar[frozenset[str]]
    version: ClassVar[str] = "1"

    @classmethod
    @abc.abstractmethod
    def build(cls, corpus: Corpus) -> Detector:
        """Index the registry (and references) for fast detection."""

    @abc.abstractmethod
    def detect(self, content: Any) -> list[Match]:
        """Matches for one piece of content of a kind in `kinds`."""

    @property
    def enabled(self) -> bool:
        """False when the detector is configured off (e.g. no model); detect() then returns []."""
        return True

    @classmethod
    def examples(cls) -> Iterator[tuple[Corpus, Any, set[str]]]:
        """(corpus, content, expected character ids) triples the contract suite runs every detector on."""
        return iter(())
