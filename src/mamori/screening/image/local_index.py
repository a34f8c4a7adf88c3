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
"""

from __future__ import annotations

import hashlib
import logging

import numpy as np

from mamori.index import FloatIndex, IvfState, ivf_lists
from mamori.screening.base import ReferenceImage, SignalCache
from mamori.screening.image.common import pack_arrays, unpack_arrays
from mamori.screening.image.local_features import View

log = logging.getLogger("mamori.screening.image")

FORMAT = "1"
IVF_MIN = 200_000  # descriptors past which the index is IVF (below: exact)
NPROBE = 8
CACHE_NAME = "local-ivf"  # the signal cache's detector column for the stored state
CHECK_STRIDE = 997  # every n-th descriptor goes into the checksum


def _checksum(data: np.ndarray) -> float:
    return float(data[::CHECK_STRIDE].astype(np.float64).sum()) if len(data) else 0.0


def index_digest(refs: list[ReferenceImage], views: list[View], version: str) -> str:
    import cv2
    import faiss

    h = hashlib.blake2b(digest_size=32)
    h.update(f"{FORMAT}\0{version}\0{IVF_MIN}\0{NPROBE}\0{cv2.__version__}\0{faiss.__version__}\0".encode())
    h.update(str(ivf_lists(sum(len(v.desc) for v in views))).encode())
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
    if cache is None or n < IVF_MIN:
        index.build()
        return index
    data = np.concatenate([v.desc for v in views if len(v.desc)])
    check = _checksum(data)
    key = index_digest(refs, views, version)
    stored = _load(cache, key, version, check)
    index.build(stored)
    if index.ivf_state is not None and not index.ivf_reused:
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
        "IVF state reused from the cache" if index.ivf_reused else "IVF trained",
    )
    return index


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
