"""Small vector/binary index interface backed by FAISS.

- `BinaryIndex`: 256-bit (or any multiple of 8) binary codes, exact Hamming search (IndexBinaryFlat),
  with `range_search(queries, max_distance)` for "everything within d bits"; with `multihash=(nhash, bits)`
  (or past `MULTIHASH_MIN` codes) a FAISS IndexBinaryMultiHash, as Meta's HMA runs PDQ at scale: a code is
  found when one of its `nhash` substrings matches exactly (every code within nhash - 1 bits; measured on
  1,000,000 PDQ hashes, (16, 16): 97 % of those 16-31 bits away, ~1 ms for 8 dihedral queries).
- `FloatIndex`: float32 vectors, inner-product search (IndexFlatIP; IVF when large and `approximate=True`).

Both keep a parallel list of integer payload ids (positions into the caller's own tables).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

SMALL_WORK = 20_000_000  # below this many (query x stored) comparisons, search single-threaded


@contextlib.contextmanager
def _threads_for(work: int) -> Iterator[None]:
    """Small searches run on one OpenMP thread: waking (and spinning) a thread pool costs more than the search
    and steals CPU from OpenCV/decoder threads running alongside."""
    import faiss

    if work >= SMALL_WORK:
        yield
        return
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)


__all__ = ["BinaryIndex", "FloatIndex", "RangeHit", "bits_to_bytes"]


def bits_to_bytes(bits: np.ndarray) -> np.ndarray:
    """(n, nbits) 0/1 array -> (n, nbits/8) uint8 codes, MSB first (as FAISS and PDQ hex both expect)."""
    b = np.asarray(bits).astype(np.uint8)
    if b.ndim == 1:
        b = b[None, :]
    return np.packbits(b, axis=1)


@dataclass(frozen=True)
class RangeHit:
    query: int
    id: int
    distance: int


MULTIHASH_MIN = 200_000  # codes past which BinaryIndex(multihash="auto") switches to multi-hash search
MULTIHASH = (16, 16)  # (substrings, bits each) for 256-bit PDQ codes


class BinaryIndex:
    """Hamming index for binary codes (uint8 rows of `nbits/8` bytes): exact (flat) or multi-hash."""

    def __init__(self, nbits: int = 256, multihash: tuple[int, int] | str | None = None) -> None:
        import faiss

        if nbits % 8:
            raise ValueError("nbits must be a multiple of 8")
        self.nbits = nbits
        self._auto = multihash == "auto"
        self.multihash: tuple[int, int] | None = multihash if isinstance(multihash, tuple) else None
        if self.multihash is not None:
            nhash, b = self.multihash
            if nhash * b > nbits:
                raise ValueError(f"{nhash} substrings of {b} bits do not fit in {nbits} bits")
            self._index: Any = faiss.IndexBinaryMultiHash(nbits, nhash, b)
        else:
            self._index = faiss.IndexBinaryFlat(nbits)
        self._ids: list[int] = []

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def add(self, codes: np.ndarray, ids: list[int] | np.ndarray | None = None) -> None:
        codes = self._codes(codes)
        if ids is None:
            ids = list(range(len(self._ids), len(self._ids) + len(codes)))
        if len(ids) != len(codes):
            raise ValueError("ids and codes differ in length")
        if self._auto and self.multihash is None and len(self._ids) + len(codes) >= MULTIHASH_MIN:
            import faiss

            old = self._index.reconstruct_n(0, self._index.ntotal) if self._index.ntotal else None
            self.multihash = MULTIHASH if self.nbits >= 256 else (self.nbits // 16, 16)
            self._index = faiss.IndexBinaryMultiHash(self.nbits, *self.multihash)
            if old is not None:
                self._index.add(old)
        self._index.add(codes)
        self._ids.extend(int(i) for i in ids)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(distances, ids) of shape (nq, k); id -1 where fewer than k codes exist."""
        q = self._codes(queries)
        if len(self) == 0:
            return np.full((len(q), k), self.nbits + 1, np.int32), np.full((len(q), k), -1, np.int64)
        with _threads_for(len(q) * len(self)):
            d, i = self._index.search(q, k)
        ids = np.array(self._ids + [-1], dtype=np.int64)
        return d, ids[np.where(i < 0, len(self._ids), i)]

    def range_search(self, queries: np.ndarray, max_distance: int) -> list[RangeHit]:
        """Every stored code within `max_distance` bits (inclusive) of each query."""
        q = self._codes(queries)
        if len(self) == 0 or len(q) == 0:
            return []
        # FAISS binary range search keeps distances strictly below the radius.
        with _threads_for(len(q) * (len(self) if self.multihash is None else 1000)):
            lims, dist, idx = self._index.range_search(q, int(max_distance) + 1)
        hits = []
        for qi in range(len(q)):
            for j in range(lims[qi], lims[qi + 1]):
                hits.append(RangeHit(qi, self._ids[int(idx[j])], int(dist[j])))
        return hits

    def _codes(self, codes: np.ndarray) -> np.ndarray:
        c = np.ascontiguousarray(codes, dtype=np.uint8)
        if c.ndim == 1:
            c = c[None, :]
        if c.shape[1] != self.nbits // 8:
            raise ValueError(f"codes must have {self.nbits // 8} bytes, got {c.shape[1]}")
        return c


class FloatIndex:
    """Inner-product index over float32 vectors (normalise them yourself for cosine similarity).

    With `approximate=True` and at least `ivf_min` vectors, `build()` trains an IVF index (nprobe tunable);
    otherwise search is exact. Vectors are buffered by `add()` and indexed on the first search or `build()`.
    """

    def __init__(self, dim: int, approximate: bool = False, ivf_min: int = 50_000, nprobe: int = 8) -> None:
        self.dim = dim
        self.approximate = approximate
        self.ivf_min = ivf_min
        self.nprobe = nprobe
        self._pending: list[np.ndarray] = []
        self._ids: list[np.ndarray] = []
        self._index = None
        self._idmap = np.zeros(0, np.int64)

    def __len__(self) -> int:
        return int(sum(len(p) for p in self._pending)) + (int(self._index.ntotal) if self._index else 0)

    def add(self, vectors: np.ndarray, ids: list[int] | np.ndarray | None = None) -> None:
        v = np.ascontiguousarray(vectors, dtype=np.float32)
        if v.ndim == 1:
            v = v[None, :]
        if v.shape[1] != self.dim:
            raise ValueError(f"vectors must have dim {self.dim}, got {v.shape[1]}")
        start = len(self)
        idarr = np.arange(start, start + len(v)) if ids is None else np.asarray(ids, dtype=np.int64)
        if len(idarr) != len(v):
            raise ValueError("ids and vectors differ in length")
        if self._index is not None:  # rebuild lazily with everything
            self._pending.insert(0, self._index.reconstruct_n(0, self._index.ntotal))
            self._ids.insert(0, self._idmap)
            self._index = None
        self._pending.append(v)
        self._ids.append(idarr)

    def build(self) -> None:
        import faiss

        if self._index is not None and not self._pending:
            return
        data = np.concatenate(self._pending) if self._pending else np.zeros((0, self.dim), np.float32)
        self._idmap = np.concatenate(self._ids) if self._ids else np.zeros(0, np.int64)
        n = len(data)
        if self.approximate and n >= self.ivf_min:
            nlist = int(min(4096, max(64, 4 * np.sqrt(n))))
            quant = faiss.IndexFlatIP(self.dim)
            index: Any = faiss.IndexIVFFlat(quant, self.dim, nlist, faiss.METRIC_INNER_PRODUCT)
            rng = np.random.default_rng(0)
            sample = data[rng.choice(n, size=min(n, nlist * 40), replace=False)]
            index.train(sample)
            index.add(data)
            index.nprobe = self.nprobe
        else:
            index = faiss.IndexFlatIP(self.dim)
            index.add(data)
        self._index = index
        self._pending = []
        self._ids = []

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(similarities, ids) of shape (nq, k), best first; id -1 (similarity -inf) where missing."""
        self.build()
        q = np.ascontiguousarray(queries, dtype=np.float32)
        if q.ndim == 1:
            q = q[None, :]
        assert self._index is not None
        if self._index.ntotal == 0 or len(q) == 0:
            return np.full((len(q), k), -np.inf, np.float32), np.full((len(q), k), -1, np.int64)
        work = len(q) * (self._index.ntotal if not hasattr(self._index, "nprobe") else 50_000)
        with _threads_for(work):
            s, i = self._index.search(q, k)
        ids = np.where(i < 0, -1, self._idmap[np.maximum(i, 0)]) if len(self._idmap) else np.full_like(i, -1)
        s = np.where(i < 0, -np.inf, s).astype(np.float32)
        return s, ids
