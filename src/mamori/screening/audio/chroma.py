"""Chromaprint raw sub-fingerprints through pyacoustid's ctypes binding to the system's libchromaprint.

Chromaprint (the AcoustID fingerprinter) turns audio at 11,025 Hz into one 32-bit sub-fingerprint per 1,365
samples (~0.124 s): 16 classifiers over a 12-bin chroma image, each giving 2 Gray-coded bits. Two recordings of the
same music give sub-fingerprints that differ in few bits when aligned; unrelated audio differs in about half.

libchromaprint is a system package (Debian `libchromaprint1`); when it is missing, `available()` is False, the
reason is logged once, and the audio music signal is off while everything else works.
"""

from __future__ import annotations

import functools
import logging
from types import ModuleType

import numpy as np

log = logging.getLogger("mamori.screening.audio")

RATE = 11025  # chromaprint's internal rate: feeding it directly skips its own resampler
HOP = 1365  # samples per sub-fingerprint (frame 4096, overlap 4096 - 4096 // 3)
ITEM_SECONDS = HOP / RATE
MIN_SAMPLES = 4096 * 3  # chromaprint needs a few frames before it emits anything


@functools.cache
def _module() -> ModuleType | None:
    try:
        import chromaprint  # type: ignore[import-untyped]  # pyacoustid's ctypes module
    except ImportError as exc:
        log.warning(
            "audio gate: music fingerprints are off (%s); install the system package libchromaprint1 "
            "(Debian/Ubuntu: apt-get install libchromaprint1)",
            exc,
        )
        return None
    return chromaprint  # type: ignore[no-any-return]


def available() -> bool:
    return _module() is not None


def unavailable_reason() -> str:
    return "" if available() else "libchromaprint is not installed (apt-get install libchromaprint1)"


def fingerprint(samples: np.ndarray) -> np.ndarray:
    """Raw sub-fingerprints (uint32) of int16 mono samples at RATE; empty when the audio is too short."""
    cp = _module()
    if cp is None:
        raise RuntimeError(unavailable_reason())
    if samples.size < MIN_SAMPLES:
        return np.zeros(0, np.uint32)
    fp = cp.Fingerprinter()
    fp.start(RATE, 1)
    fp.feed(np.ascontiguousarray(samples, np.int16).tobytes())
    encoded = fp.finish()
    raw, _algorithm = cp.decode_fingerprint(encoded)
    return np.asarray(raw, dtype=np.uint32)
