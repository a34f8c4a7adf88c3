"""Stage 2b: who is in a sample. `SampleScreener` is the whole contract the scan needs from mamori.

`MamoriScreener` is built from a `Mamori` service (its text matcher, and its visual gate where the service has
one). Workers never receive a service or a database connection: they receive a `ScreenerSpec` (the database
URL; the registry snapshot travels separately in the job) and build their own screener once per process.
"""

from __future__ import annotations

import os
import tempfile
import threading
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from mamori.types import Match


@runtime_checkable
class SampleScreener(Protocol):
    """What the scan asks about a sample's caption and pixels."""

    @property
    def visual(self) -> bool:
        """Whether screen_image compares against reference art (False: it only checks the image decodes)."""
        ...

    def screen_caption(self, text: str) -> list[Match]: ...

    def screen_image(self, data: bytes) -> list[Match]:
        """Matches for encoded image bytes; raises MediaError (a ValueError) for a corrupt image."""
        ...

    def screen_video(self, path: str) -> list[Match]:
        """Matches for a video file; raises MediaError (a ValueError) when it cannot be screened."""
        ...


class MamoriScreener:
    """The text matcher and (when available) the visual gate of one Mamori service."""

    def __init__(
        self, text: Any, gate: Any | None, limits: Any | None = None, audio: Any | None = None
    ) -> None:
        from mamori.screening.media import MediaLimits

        self.text = text
        self.gate = gate
        self.limits = limits or MediaLimits()
        self.audio = audio  # the audio gate: audio samples and videos' sound (None: not screened)

    @classmethod
    def from_service(cls, svc: Any) -> MamoriScreener:
        # The visual gate is optional: a service without one (or without references) screens captions only.
        gate = svc.visual_gate() if hasattr(svc, "visual_gate") else None
        limits = svc.media_limits() if hasattr(svc, "media_limits") else None
        audio = svc.audio_gate() if hasattr(svc, "audio_gate") else None
        return cls(svc.indexes().text, gate, limits, audio)

    @property
    def visual(self) -> bool:
        return self.gate is not None

    def screen_caption(self, text: str) -> list[Match]:
        return list(self.text.detect(text)) if text and text.strip() else []

    def screen_image(self, data: bytes) -> list[Match]:
        from mamori.screening.image.loading import load_image

        pixels = load_image(
            data, self.limits.image
        )  # decoded even without a gate: a corrupt image is an error
        return list(self.gate.screen_image(pixels)) if self.gate is not None else []

    def screen_video(self, path: str) -> list[Match]:
        from mamori.screening.media import MediaError, screen_media_path

        if self.gate is None and self.audio is None:
            return []
        result = screen_media_path(path, self.gate, self.limits, audio=self.audio)
        if result.error:
            raise MediaError(result.error)
        return list(result.matches)

    def screen_video_bytes(self, data: bytes, name: str) -> list[Match]:
        if self.gate is None and self.audio is None:
            return []
        suffix = os.path.splitext(name)[1] or ".mp4"
        with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
            tmp.write(data)
            tmp.flush()
            return self.screen_video(tmp.name)


def _reseed_opencv() -> None:
    """OpenCV's RANSAC draws from a per-thread RNG whose state depends on every earlier call in the process, so a
    borderline image could score differently depending on which shards a worker ran before. Reseeding per sample
    makes a sample's result independent of its neighbours: local, Ray and resumed runs agree."""
    try:
        import cv2

        cv2.setRNGSeed(0x6D616D6F)
    except ImportError:  # pragma: no cover - opencv is a core dependency
        pass


@dataclass(frozen=True)
class ScreenerSpec:
    """What a worker needs to build its own screener: picklable, no open connections."""

    db: str

    def build(self) -> SampleScreener:
        return _cached_screener(self.db)


_CACHE: dict[str, SampleScreener] = {}
_CACHE_LOCK = threading.Lock()


def _cached_screener(db: str) -> SampleScreener:
    """One screener per process and database: a Ray worker that runs many shards builds its indexes once."""
    with _CACHE_LOCK:
        screener = _CACHE.get(db)
        if screener is None:
            # Imported here so the datasets package stays importable without the service layer.
            from mamori.service import Mamori

            svc = Mamori.open(db, registry_refresh_seconds=1e9)
            screener = MamoriScreener.from_service(svc)
            _CACHE[db] = screener
        return screener
