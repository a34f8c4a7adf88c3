"""Helpers shared by the image detectors: per-reference signal caching and array (de)serialisation."""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from mamori.screening.base import Corpus, ReferenceImage, SignalCache

log = logging.getLogger("mamori.screening.image")


def pack_arrays(**arrays: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)  # type: ignore[arg-type]  # numpy stubs mistype **kwds
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
    refs = _refs(corpus.references)
    found: list[dict[str, np.ndarray] | None] = []
    for ref in refs:
        payload = cache.get_signal(ref.sha256, detector, version)
        arrays: dict[str, np.ndarray] | None = None
        if payload is not None:
            try:
                arrays = unpack_arrays(payload)
            except Exception:  # noqa: BLE001 - any corrupt payload is just recomputed
                log.warning("%s: corrupt cached signal for %s; recomputing", detector, ref.ref_id)
        found.append(arrays)

    def safe(ref: ReferenceImage) -> dict[str, np.ndarray] | Exception:
        try:
            return compute(ref)
        except Exception as exc:  # noqa: BLE001
            return exc

    # Misses are computed on a thread pool (OpenCV, numpy and FAISS release the GIL), once per content hash (a
    # picture registered twice, for two characters or works, is one computation); the cache is written from this
    # thread only, in reference order, once per hash.
    todo = [i for i, a in enumerate(found) if a is None]
    first: dict[str, int] = {}
    unique = [i for i in todo if first.setdefault(refs[i].sha256, i) == i]
    workers = min(len(unique), max(1, min(8, _cpus())))
    if workers > 1:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mamori-build") as pool:
            computed = list(pool.map(safe, [refs[i] for i in unique]))
    else:
        computed = [safe(refs[i]) for i in unique]
    by_hash = {refs[i].sha256: r for i, r in zip(unique, computed, strict=True)}
    stored: set[str] = set()
    out: list[tuple[ReferenceImage, dict[str, np.ndarray]]] = []
    for i, ref in enumerate(refs):
        got = found[i]
        if got is None:
            r = by_hash[ref.sha256]
            if isinstance(r, Exception):
                log.warning("%s: reference %s skipped: %s", detector, ref.ref_id, r)
                continue
            got = r
            if ref.sha256 not in stored:
                stored.add(ref.sha256)
                cache.put_signal(ref.sha256, detector, version, pack_arrays(**got))
        out.append((ref, got))
    return out


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


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
