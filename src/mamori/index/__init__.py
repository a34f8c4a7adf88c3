"""Small vector/binary index interface backed by FAISS.

- `BinaryIndex`: 256-bit (or any multiple of 8) binary codes, exact Hamming search (IndexBinaryFlat),
  with `range_search(queries, max_distance)` for "everything within d bits"; with `multihash=(nhash, bits)`
  (or past `MULTIHASH_MIN` codes) a FAISS IndexBinaryMultiHash, as Meta's HMA runs PDQ at scale: a code is
  found when one of its `nhash` substrings matches exactly (every code within nhash - 1 bits; measured on
  1,000,000 PDQ hashes, (16, 16): 97 % of those 16-31 bits away, ~1 ms for 8 dihedral queries).
- `FloatIndex`: float32 vectors, inner-product search (IndexFlatIP; IVF when large and `approximate=True`). A built
  IVF index exports its trained state (`ivf_state`: the centroids and every vector's list) and a later build over
  the same vectors takes it back (`build(ivf=...)`): no k-means training and no assignment, only copying vectors
  into their lists (a caller keys the state by a digest of what it indexed; see screening/image/local.py).

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


__all__ = ["BinaryIndex", "FloatIndex", "IvfState", "RangeHit", "bits_to_bytes", "ivf_lists"]


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


IVF_TRAIN_PER_LIST = 32  # k-means sample: vectors per inverted list (FAISS warns below 39)
IVF_TRAIN_ITER = 10  # k-means iterations (FAISS default 25)


@dataclass(frozen=True)
class IvfState:
    """A trained IVF index's reusable state: centroids (nlist, dim) float32 and each vector's inverted list
    (n,) int32, in the order the vectors were added."""

    centroids: np.ndarray
    lists: np.ndarray


def ivf_lists(n: int) -> int:
    """Inverted lists for `n` vectors: 2 sqrt(n). A query scans the nlist centroids, then nprobe lists of n / nlist
    vectors; at nprobe 8 that is least near sqrt(8 n), and 2 sqrt(n) costs the same per query as the 4 sqrt(n)
    used before while its lists are twice as large (better recall), training takes a quarter and assigning the
    vectors half the time."""
    return int(min(4096, max(64, 2 * np.sqrt(n))))


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
        self._pending_n = 0  # rows in _pending (len() is called per add: no sum over thousands of arrays)
        self._ids: list[np.ndarray] = []
        self._index = None
        self._idmap = np.zeros(0, np.int64)
        self.ivf_state: IvfState | None = None  # set by a build that made an IVF index
        self.ivf_reused = False  # whether that build took a given state instead of training

    def __len__(self) -> int:
        return self._pending_n + (int(self._index.ntotal) if self._index else 0)

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
            self._pending_n += int(self._index.ntotal)
            self._ids.insert(0, self._idmap)
            self._index = None
        self._pending.append(v)
        self._pending_n += len(v)
        self._ids.append(idarr)

    def build(self, ivf: IvfState | None = None) -> None:
        """Index everything added so far. `ivf`: the state of an earlier IVF build over the very same vectors
        (same order); it is used when its shape fits (right count, dim and list numbers), else ignored."""
        import faiss

        if self._index is not None and not self._pending:
            return
        data = np.concatenate(self._pending) if self._pending else np.zeros((0, self.dim), np.float32)
        self._idmap = np.concatenate(self._ids) if self._ids else np.zeros(0, np.int64)
        n = len(data)
        self.ivf_state, self.ivf_reused = None, False
        if self.approximate and n >= self.ivf_min:
            lists: np.ndarray | None = None
            if ivf is not None and self._fits(ivf, n):
                centroids, lists = ivf.centroids.astype(np.float32), ivf.lists.astype(np.int64)
                self.ivf_reused = True
            else:
                centroids = self._train(data, ivf_lists(n))
            nlist = len(centroids)
            quant = faiss.IndexFlatIP(self.dim)
            quant.add(centroids)
            index: Any = faiss.IndexIVFFlat(quant, self.dim, nlist, faiss.METRIC_INNER_PRODUCT)
            index.is_trained = True
            if lists is None:
                _, assigned = quant.search(data, 1)
                lists = np.ascontiguousarray(assigned[:, 0], dtype=np.int64)
            lists = np.ascontiguousarray(lists, dtype=np.int64)
            index.add_core(n, faiss.swig_ptr(data), None, faiss.swig_ptr(lists))
            index.nprobe = self.nprobe
            self.ivf_state = IvfState(centroids, lists.astype(np.int32))
        else:
            index = faiss.IndexFlatIP(self.dim)
            index.add(data)
        self._index = index
        self._pending = []
        self._pending_n = 0
        self._ids = []

    def _fits(self, ivf: IvfState, n: int) -> bool:
        c, lists = ivf.centroids, ivf.lists
        return bool(
            c.ndim == 2
            and c.shape[1] == self.dim
            and 0 < len(c) <= 65536
            and lists.shape == (n,)
            and (n == 0 or (int(lists.min()) >= 0 and int(lists.max()) < len(c)))
        )

    def _train(self, data: np.ndarray, nlist: int) -> np.ndarray:
        """k-means centroids (nlist, dim) over a bounded sample (IVF_TRAIN_PER_LIST per list, seeded)."""
        import faiss

        rng = np.random.default_rng(0)
        n = len(data)
        sample = data[np.sort(rng.choice(n, size=min(n, nlist * IVF_TRAIN_PER_LIST), replace=False))]
        km = faiss.Kmeans(self.dim, nlist, niter=IVF_TRAIN_ITER, seed=1, spherical=True, verbose=False)
        km.cp.min_points_per_centroid = 1  # the bounded sample is deliberate: no warning
        km.train(sample)
        return np.ascontiguousarray(km.centroids, dtype=np.float32)

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
