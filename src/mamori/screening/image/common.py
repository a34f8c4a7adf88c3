"""Helpers shared by the image detectors: per-reference signal caching and array (de)serialisation."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterable

import numpy as np

from mamori.screening.base import Corpus, ReferenceImage, SignalCache

log = logging.getLogger("mamori.screening.image")


def pack_arrays(**arrays: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def unpack_arrays(payload: bytes) -> dict[str, np.ndarray]:
    with np.load(io.BytesIO(payload), allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def cached_signals(
    corpus: Corpus,
    detector: str,
    version: str,
    compute: Callable[[ReferenceImage], dict[str, np.ndarray]],
) -> list[tuple[ReferenceImage, dict[str, np.ndarray]]]:
    """For each reference: the cached signal (by sha256, detector, version) or compute-and-store it.

    A corrupt cache entry is recomputed; a reference whose pixels cannot be analysed is skipped with a log line.
    """
    cache: SignalCache = corpus.cache
    out: list[tuple[ReferenceImage, dict[str, np.ndarray]]] = []
    for ref in _refs(corpus.references):
        payload = cache.get_signal(ref.sha256, detector, version)
        arrays: dict[str, np.ndarray] | None = None
        if payload is not None:
            try:
                arrays = unpack_arrays(payload)
            except Exception:  # noqa: BLE001 - any corrupt payload is just recomputed
                log.warning("%s: corrupt cached signal for %s; recomputing", detector, ref.ref_id)
        if arrays is None:
            try:
                arrays = compute(ref)
            except Exception as exc:  # noqa: BLE001
                log.warning("%s: reference %s skipped: %s", detector, ref.ref_id, exc)
                continue
            cache.put_signal(ref.sha256, detector, version, pack_arrays(**arrays))
        out.append((ref, arrays))
    return out


def _refs(refs: Iterable[ReferenceImage]) -> list[ReferenceImage]:
    return list(refs)


def work_of(corpus: Corpus, ref: ReferenceImage) -> str:
    return ref.work


class InMemoryCache:
    """A SignalCache in a dict; counts puts and gets (tests, benchmarks, one-off builds)."""

    def __init__(self) -> None:
        self.data: dict[tuple[str, str, str], bytes] = {}
        self.puts = 0
        self.hits = 0
        self.misses = 0

    def get_signal(self, sha256: str, detector: str, version: str) -> bytes | None:
        v = self.data.get((sha256, detector, version))
        if v is None:
            self.misses += 1
        else:
            self.hits += 1
        return v

    def put_signal(self, sha256: str, detector: str, version: str, payload: bytes) -> None:
        self.puts += 1
        self.data[(sha256, detector, version)] = payload
