"""The one place detectors are registered. A new signal is a Detector subclass plus one line here.

Classes are named as "module:Class" strings and imported on first use, so a prompt-only process never imports
OpenCV or ONNX Runtime. Names are checked for uniqueness when the classes are loaded.
"""

from __future__ import annotations

import importlib
from functools import cache

from mamori.screening.base import Detector

DETECTORS: tuple[str, ...] = (
    "mamori.screening.text.matcher:TextMatcher",
    "mamori.screening.image.pdq:PdqDetector",
    "mamori.screening.image.local:LocalFeatureDetector",
    "mamori.screening.image.embedding:EmbeddingDetector",
    "mamori.screening.audio.music:ChromaprintDetector",
    "mamori.screening.audio.voice:VoiceDetector",
)


class DuplicateDetectorName(RuntimeError):
    pass


@cache
def detector_classes(kind: str | None = None) -> tuple[type[Detector], ...]:
    """Registered detector classes (those reading `kind`, when given), in registration order."""
    seen: dict[str, str] = {}
    out: list[type[Detector]] = []
    for spec in DETECTORS:
        module_name, _, class_name = spec.partition(":")
        cls = getattr(importlib.import_module(module_name), class_name)
        if not (isinstance(cls, type) and issubclass(cls, Detector)):
            raise TypeError(f"{spec} is not a Detector")
        if cls.name in seen:
            raise DuplicateDetectorName(f"detector name {cls.name!r} is used by {seen[cls.name]} and {spec}")
        seen[cls.name] = spec
        if kind is None or kind in cls.kinds:
            out.append(cls)
    return tuple(out)
