"""The local-feature detector's descriptor index, with its trained IVF state kept in the signal cache.

Past `IVF_MIN` descriptors (about 200 references) the RootSIFT descriptors of every reference view go into a FAISS
IVF index. Training its centroids (k-means) and assigning ~1,000,000 descriptors to them costs tens of CPU-seconds
and used to be paid on every rebuild, even over a full signal cache. The trained state (centroids and each
descriptor's list, `mamori.index.IvfState`) is stored in the same signal cache as the per-reference signals, under
a digest of everything that decides it:

- the detector version and this module's format, the IVF parameters, the OpenCV and FAISS versions;
- every view in index order: its reference's content hash (a reference's signal is a function of its bytes and the
  detector version), mirrored or not, and its descriptor count;
- a checksum of a strided sample of the descriptors themselves (a cache entry computed elsewhere must agree).

An unchanged registry therefore rebuilds its index by copying vectors into their lists (no training, no
assignment); a changed one (a reference added, removed or reordered) trains anew and stores a new state. A stored
state that does not fit (damaged, other shape) is ignored and rebuilt.

Training uses the mirror views (`mirror_trained_state`): every reference has a picture view and a mirror view
whose descriptors are the picture's with elements permuted (`local_features.MIRROR`, an involution). The
centroids are made mirror-closed (pairs c, c[MIRROR] and symmetric singles, by a k-means that keeps that
symmetry: `symmetric_kmeans`), so a mirror descriptor's nearest centroid is the mirror of its picture
descriptor's: only the picture views are assigned, the other half follows. Same number of lists, same search;
k-means runs on the picture half of the sample and the assignment on half the descriptors.
"""

from __future__ import annotations

import hashlib
import logging

import numpy as np

from mamori.index import IVF_TRAIN_ITER, IVF_TRAIN_PER_LIST, FloatIndex, IvfState, ivf_lists
from mamori.screening.base import ReferenceImage, SignalCache
from mamori.screening.image.common import pack_arrays, unpack_arrays
from mamori.screening.image.local_features import MIRROR, View

log = logging.getLogger("mamori.screening.image")

FORMAT = "2"  # 2: mirror-closed centroids (mirror_trained_state)
IVF_MIN = 200_000  # descriptors past which the index is IVF (below: exact)
NPROBE = 8
CACHE_NAME = "local-ivf"  # the signal cache's detector column for the stored state
CHECK_STRIDE = 997  # every n-th descriptor goes into the checksum


def _views_checksum(views: list[View]) -> float:
    """Sum of every CHECK_STRIDE-th descriptor of the views in index order (not concatenated: a GB at 10,000
    views)."""
    total, at = 0.0, 0
    for v in views:
        n = len(v.desc)
        if n:
            total += float(v.desc[(-at) % CHECK_STRIDE :: CHECK_STRIDE].astype(np.float64).sum())
            at += n
    return total


def index_digest(refs: list[ReferenceImage], views: list[View], version: str) -> str:
    import cv2
    import faiss

    h = hashlib.blake2b(digest_size=32)
    h.update(f"{FORMAT}\0{version}\0{IVF_MIN}\0{NPROBE}\0{cv2.__version__}\0{faiss.__version__}\0".encode())
    h.update(str(_nlist(views)).encode())
    for v in views:
        h.update(f"{refs[v.ref].sha256}\0{int(v.mirrored)}\0{len(v.desc)}\n".encode())
    return h.hexdigest()


def build_index(
    refs: list[ReferenceImage], views: list[View], version: str, cache: SignalCache | None
) -> FloatIndex:
    """The descriptor index over every view (ids: view numbers), its IVF state reused from `cache` when stored
    under this registry's digest, and stored there when trained anew."""
    index = FloatIndex(128, approximate=True, ivf_min=IVF_MIN, nprobe=NPROBE)
    for vi, v in enumerate(views):
        if len(v.desc):
            index.add(v.desc, np.full(len(v.desc), vi))
    n = len(index)
    if n < IVF_MIN:
        index.build()
        return index
    check = _views_checksum(views)
    key = index_digest(refs, views, version)
    stored = _load(cache, key, version, check) if cache is not None else None
    trained = stored is None
    if stored is None:
        stored = mirror_trained_state(views)  # None unless the views come in (picture, mirror) pairs
    index.build(stored)  # without a state (or one that does not fit) the index trains its own
    if cache is not None and index.ivf_state is not None and (trained or not index.ivf_reused):
        state = index.ivf_state
        lists = state.lists.astype(np.uint16 if len(state.centroids) <= 65536 else np.int32)
        payload = pack_arrays(centroids=state.centroids, lists=lists, check=np.array([check]))
        try:
            cache.put_signal(key, CACHE_NAME, _cache_version(version), payload)
            drop = getattr(
                cache, "drop_signals", None
            )  # the states of earlier registries are never read again
            if drop is not None:
                drop(CACHE_NAME, key)
        except Exception as exc:  # noqa: BLE001 - a cache that cannot store only costs the next rebuild time
            log.warning("local: the trained index could not be stored in the signal cache: %s", exc)
    log.info(
        "local: descriptor index over %d descriptors, %s",
        n,
        "IVF state reused from the cache" if index.ivf_reused and not trained else "IVF trained",
    )
    return index


def _paired(views: list[View]) -> bool:
    """Whether the views are (picture, mirror) pairs of one reference each, as `reference_views` makes them."""
    return len(views) % 2 == 0 and all(
        not a.mirrored and b.mirrored and a.ref == b.ref and len(a.desc) == len(b.desc)
        for a, b in zip(views[::2], views[1::2], strict=True)
    )


def _nlist(views: list[View]) -> int:
    """Inverted lists of the index over `views`: `ivf_lists` of the descriptor count."""
    return ivf_lists(sum(len(v.desc) for v in views))


def mirror_trained_state(views: list[View], seed: int = 0) -> IvfState | None:
    """The IVF state (centroids, each descriptor's list in index order) of mirror-closed centroids for paired views
    (None otherwise), trained by `symmetric_kmeans` on a sample of the picture views' descriptors. Picture
    descriptors are assigned to their nearest centroid; a mirror view's descriptors take the mirror of their picture
    descriptor's list (exact: MIRROR is an orthogonal involution, so <P d, c> = <d, P c>)."""
    if not _paired(views):
        return None
    pictures = [v.desc for v in views[::2] if len(v.desc)]
    if not pictures:
        return None
    data = np.ascontiguousarray(np.concatenate(pictures), dtype=np.float32)
    total = _nlist(views)
    rng = np.random.default_rng(seed)
    # as many sample vectors per list as a plain training draws: the picture half, its mirror images the other
    size = min(len(data), max(1, total * IVF_TRAIN_PER_LIST // 2))
    sample = data[np.sort(rng.choice(len(data), size=size, replace=False))]
    centroids, mirror_of = symmetric_kmeans(sample, total, MIRROR, IVF_TRAIN_ITER, seed)
    assigned = _nearest(data, centroids)
    mirrored = mirror_of[assigned]
    lists, at = [], 0
    for picture, _ in zip(views[::2], views[1::2], strict=True):
        n = len(picture.desc)
        if n:
            lists += [assigned[at : at + n], mirrored[at : at + n]]
            at += n
    return IvfState(centroids, np.concatenate(lists).astype(np.int32))


def _nearest(data: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Index of each row's nearest centroid by inner product (int64 (n,))."""
    import faiss

    quant = faiss.IndexFlatIP(centroids.shape[1])
    quant.add(np.ascontiguousarray(centroids, dtype=np.float32))
    _, idx = quant.search(np.ascontiguousarray(data, dtype=np.float32), 1)
    return idx[:, 0].astype(np.int64)


SELF_SYMMETRIC = (
    0.97  # cosine of a centroid with its own mirror image above which the pair becomes one centroid
)


def symmetric_kmeans(
    x: np.ndarray, total: int, perm: np.ndarray, iters: int, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Spherical k-means of unit vectors `x` (n, d) into `total` centroids closed under mirroring (`perm`, an
    involution permuting coordinates): (centroids (total, d), mirror_of (total,): the index of each centroid's
    mirror image, itself for a symmetric one).

    Equivalent to k-means on the mirror-closed data set (x and x[:, perm]) constrained to a mirror-closed solution.
    Centroids are pairs (c, c[perm]) and symmetric singles (c == c[perm]). A vector goes to its nearest centroid and
    counts for the pair's first member mirrored when the image is nearer, symmetrised for a single. Many descriptors
    are nearly symmetric themselves (blobs, flat cartoon shapes): a pair whose members converge (cosine above
    SELF_SYMMETRIC) becomes one single, and every two centroids freed so seed a new pair at the vectors farthest
    from their centroids, so no list is spent on a duplicate. Empty centroids are re-seeded the same way."""
    import faiss

    n, d = x.shape
    rng = np.random.default_rng(seed)
    kp = total // 2
    pairs = x[rng.choice(n, size=kp, replace=n < kp)].astype(np.float32)
    xm = np.ascontiguousarray(x[:, perm])
    xs = 0.5 * (x + xm)  # a vector's contribution to a symmetric centroid
    singles = _unit(xs[rng.choice(n, size=total - 2 * kp, replace=n < total - 2 * kp)])
    rounds = max(1, iters)
    for it in range(rounds):
        kp, ks = len(pairs), len(singles)
        quant = faiss.IndexFlatIP(d)
        quant.add(np.ascontiguousarray(np.concatenate([pairs, pairs[:, perm], singles]), dtype=np.float32))
        sims, idx = quant.search(x, 1)
        a = idx[:, 0]
        slot = np.where(a < kp, a, np.where(a < 2 * kp, a - kp, a - kp))  # pairs 0..kp-1, singles kp..
        pts = np.where((a < kp)[:, None], x, np.where((a < 2 * kp)[:, None], xm, xs))
        counts = np.bincount(slot, minlength=kp + ks)
        order = np.argsort(slot, kind="stable")
        sums = np.zeros((kp + ks, d), np.float64)
        nonempty = np.nonzero(counts)[0]
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        sums[nonempty] = np.add.reduceat(pts[order].astype(np.float64), starts[nonempty], axis=0)
        far = iter(np.argsort(sims[:, 0]))  # the vectors worst served, for re-seeding
        for j in np.nonzero(counts == 0)[0]:
            v = next(far)
            sums[j] = x[v] if j < kp else xs[v]
        c = _unit(sums)
        pairs, singles = c[:kp], c[kp:]
        if it == rounds - 1:
            break
        merge = (pairs * pairs[:, perm]).sum(axis=1) > SELF_SYMMETRIC
        if merge.any():
            merged = _unit(pairs[merge] + pairs[merge][:, perm])
            pairs, singles = pairs[~merge], np.concatenate([singles, merged])
            freed = int(merge.sum())
            seeds = [next(far) for _ in range(freed)]
            pairs = np.concatenate([pairs, x[seeds[: freed // 2]]])
            if freed % 2:
                singles = np.concatenate([singles, _unit(xs[seeds[-1:]])])
    kp, ks = len(pairs), len(singles)
    centroids = np.ascontiguousarray(np.concatenate([pairs, pairs[:, perm], singles]), dtype=np.float32)
    mirror_of = np.concatenate([np.arange(kp, 2 * kp), np.arange(kp), np.arange(2 * kp, 2 * kp + ks)])
    return centroids, mirror_of.astype(np.int64)


def _unit(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, np.float64)
    return (v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)).astype(np.float32)


def _cache_version(version: str) -> str:
    return f"{version}.{FORMAT}"


def _load(cache: SignalCache, key: str, version: str, check: float) -> IvfState | None:
    try:
        payload = cache.get_signal(key, CACHE_NAME, _cache_version(version))
        if payload is None:
            return None
        arrays = unpack_arrays(payload)
        if abs(float(arrays["check"][0]) - check) > 1e-6 * max(1.0, abs(check)):
            log.warning("local: a stored index state does not match the descriptors; training anew")
            return None
        return IvfState(arrays["centroids"].astype(np.float32), arrays["lists"].astype(np.int32))
    except Exception as exc:  # noqa: BLE001 - a damaged entry is only rebuilt
        log.warning("local: stored index state unreadable (%s); training anew", exc)
        return None
