"""The visual gate's fusion moved to `mamori.screening.fusion` (one cascade for every content kind); these names
stay importable from here."""

from mamori.screening.fusion import (
    PRESENT,
    REVIEW,
    Gate,
    Screened,
    VisualGate,
    band,
    default_detector_classes,
    fuse,
    noisy_or,
)

__all__ = [
    "PRESENT",
    "REVIEW",
    "Gate",
    "Screened",
    "VisualGate",
    "band",
    "default_detector_classes",
    "fuse",
    "noisy_or",
]
