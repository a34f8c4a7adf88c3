"""The one place signals and media kinds are registered: the whole extension surface of screening.

- A new signal is a `Detector` subclass (see `mamori.screening.base`: `name`, `kinds`, `cost`, `stage`,
  `build`, `detect`) plus one line in `DETECTORS`. The gate (`mamori.screening.fusion.Gate`) orders detectors by
  their declared `cost`, so cheap signals run first and gate the expensive ones; it never needs editing.
- A new media kind (audio, say) is one `MediaKind` line in `MEDIA_KINDS`: the content kind `mediatype.kind_of`
  reports, the file extensions that break ties, and a handler `module:function(path, gate, limits) ->
  MediaResult` that decodes the file and runs the signals; `mamori.screening.media` dispatches to it.

Classes and handlers are named as "module:attr" strings and imported on first use, so a prompt-only process never
imports OpenCV or ONNX Runtime. Names are checked for uniqueness when loaded.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache
from typing import Any

from mamori.screening.base import Detector

DETECTORS: tuple[str, ...] = (
    "mamori.screening.text.matcher:TextMatcher",
    "mamori.screening.image.pdq:PdqDetector",
    "mamori.screening.image.local:LocalFeatureDetector",
    "mamori.screening.image.signature:SignatureDetector",
    "mamori.screening.image.embedding:EmbeddingDetector",
    "mamori.screening.image.ocr:OcrDetector",
    "mamori.screening.image.themes:ThemeDetector",
    "mamori.screening.audio.music:ChromaprintDetector",
    "mamori.screening.audio.voice:VoiceDetector",
)


@dataclass(frozen=True)
class MediaKind:
    kind: str  # as mamori.mediatype.kind_of names it: "image", "video", "audio"
    handler: str  # "module:function" taking (path, gate, limits) and returning a MediaResult
    extensions: frozenset[str]  # lower-case, with the dot; used only when the leading bytes say nothing


MEDIA_KINDS: tuple[MediaKind, ...] = (
    MediaKind(
        "image",
        "mamori.screening.image.screen:screen_image_file",
        frozenset(
            {
                ".png",
                ".jpg",
                ".jpeg",
                ".gif",
                ".bmp",
                ".webp",
                ".tif",
                ".tiff",
                ".ico",
                ".ppm",
                ".pgm",
                ".tga",
            }
        ),
    ),
    MediaKind(
        "video",
        "mamori.screening.video.screen:screen_video_file",
        frozenset({".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".mpg", ".mpeg", ".ts", ".flv", ".wmv"}),
    ),
    # the pictures' gate has nothing to do for sound: the audio gate runs after dispatch (screening/audio/hook.py)
    MediaKind(
        "audio",
        "mamori.screening.audio.hook:screen_audio_file",
        frozenset({".wav", ".flac", ".mp3", ".ogg", ".oga", ".opus", ".m4a", ".aac"}),
    ),
)


class DuplicateDetectorName(RuntimeError):
    pass


def _load(spec: str) -> Any:
    module_name, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module_name), attr)


@cache
def detector_classes(kind: str | None = None) -> tuple[type[Detector], ...]:
    """Registered detector classes (those reading `kind`, when given), in registration order."""
    seen: dict[str, str] = {}
    out: list[type[Detector]] = []
    for spec in DETECTORS:
        cls = _load(spec)
        if not (isinstance(cls, type) and issubclass(cls, Detector)):
            raise TypeError(f"{spec} is not a Detector")
        if cls.name in seen:
            raise DuplicateDetectorName(f"detector name {cls.name!r} is used by {seen[cls.name]} and {spec}")
        seen[cls.name] = spec
        if kind is None or kind in cls.kinds:
            out.append(cls)
    return tuple(out)


def media_kind(kind: str) -> MediaKind | None:
    return next((m for m in MEDIA_KINDS if m.kind == kind), None)


@cache
def media_handler(kind: str) -> Any:
    """The screening function registered for a media kind (imported on first use)."""
    mk = media_kind(kind)
    if mk is None:
        raise KeyError(f"no handler registered for media kind {kind!r}")
    return _load(mk.handler)
