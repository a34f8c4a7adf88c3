"""The local-feature index's rebuild path: the mirror view derived from one SIFT pass, and the trained IVF state
kept in the signal cache (an unchanged registry rebuilds without training; a changed one trains anew)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from mamori.index import FloatIndex, IvfState
from mamori.screening.base import ReferenceImage
from mamori.screening.image import local_index, synth
from mamori.screening.image.common import InMemoryCache
from mamori.screening.image.local_features import (
    REF_FEATURES,
    View,
    extract,
    mirror_keypoints,
    reference_signal,
    reference_views,
    root_sift,
)


def _units(rng: np.random.Generator, n: int) -> np.ndarray:
    x = rng.random((n, 128), dtype=np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_mirror_view_is_the_mirror_images_sift() -> None:
    """The derived mirror view's descriptors are what SIFT computes on the mirror image at the mirrored keypoints,
    far closer than the unpermuted descriptors."""
    gray = cv2.cvtColor(synth.flatten(synth.draw_character(7, (300, 400))), cv2.COLOR_RGB2GRAY)
    sift = cv2.SIFT_create(nfeatures=REF_FEATURES)  # type: ignore[attr-defined]
    kps, desc = sift.detectAndCompute(gray, None)
    xy, d = np.array([k.pt for k in kps], np.float32), root_sift(desc)
    w = gray.shape[1]
    mirrored = [
        cv2.KeyPoint(w - 1 - k.pt[0], k.pt[1], k.size, (180.0 - k.angle) % 360.0, k.response, k.octave)
        for k in kps
    ]
    got_kps, got = sift.compute(np.ascontiguousarray(gray[:, ::-1]), mirrored)
    assert len(got_kps) == len(kps) > 100
    mxy, md = mirror_keypoints(xy, d, w)
    assert np.allclose(mxy[:, 0], [k.pt[0] for k in got_kps], atol=1e-3)
    err = np.abs(root_sift(got) - md).mean()
    unpermuted = np.abs(root_sift(got) - d).mean()
    assert err < 0.3 * unpermuted


def test_reference_signal_runs_sift_once_and_views_come_in_pairs() -> None:
    px = synth.flatten(synth.draw_character(3))
    sig = reference_signal(px)
    assert "d1" not in sig and len(sig["d0"]) > 50
    plain, mirror = reference_views(0, sig)
    assert not plain.mirrored and mirror.mirrored and len(plain.desc) == len(mirror.desc)
    gray = cv2.resize(cv2.cvtColor(px, cv2.COLOR_RGB2GRAY), (int(sig["size"][0]), int(sig["size"][1])))
    xy, _ = extract(np.ascontiguousarray(gray[:, ::-1]), REF_FEATURES)
    # the derived mirror keypoints lie where SIFT finds keypoints in the mirror image
    near = np.linalg.norm(mirror.xy[:, None] - xy[None], axis=2).min(axis=1) < 1.5
    assert near.mean() > 0.8


def test_ivf_state_rebuilds_the_same_index_without_training() -> None:
    data = _units(np.random.default_rng(0), 6000)
    first = FloatIndex(128, approximate=True, ivf_min=1000, nprobe=4)
    first.add(data)
    first.build()
    assert first.ivf_state is not None and not first.ivf_reused
    again = FloatIndex(128, approximate=True, ivf_min=1000, nprobe=4)
    again.add(data)
    again.build(first.ivf_state)
    assert again.ivf_reused
    q = data[:200]
    assert np.array_equal(first.search(q, 4)[1], again.search(q, 4)[1])
    # a state of another shape (other vector count) is ignored, not trusted
    other = FloatIndex(128, approximate=True, ivf_min=1000, nprobe=4)
    other.add(data[:5000])
    other.build(first.ivf_state)
    assert not other.ivf_reused and other.search(q[:5], 1)[1][:, 0].tolist() == list(range(5))
    broken = IvfState(first.ivf_state.centroids, np.full(6000, 10**6, np.int32))
    bad = FloatIndex(128, approximate=True, ivf_min=1000, nprobe=4)
    bad.add(data)
    bad.build(broken)
    assert not bad.ivf_reused


def _views(rng: np.random.Generator, refs: int) -> tuple[list[ReferenceImage], list[View]]:
    out_refs, views = [], []
    for i in range(refs):
        px = np.full((4, 4, 3), i, np.uint8)
        out_refs.append(ReferenceImage(f"r{i}", f"c{i}", "w", f"{i:064x}", px))
        d = _units(rng, 300)
        views.append(View(i, False, np.zeros((300, 2), np.float32), d, (64, 64), np.zeros((300, 3)), px))
    return out_refs, views


def test_build_index_keeps_its_trained_state_in_the_signal_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(local_index, "IVF_MIN", 1000)
    refs, views = _views(np.random.default_rng(1), 12)
    cache = InMemoryCache()
    first = local_index.build_index(refs, views, "t", cache)
    assert first.ivf_state is not None and not first.ivf_reused and cache.puts == 1
    again = local_index.build_index(refs, views, "t", cache)
    assert again.ivf_reused and cache.puts == 1
    q = views[3].desc[:50]
    assert np.array_equal(first.search(q, 4)[1], again.search(q, 4)[1])
    assert (again.search(q, 1)[1][:, 0] == 3).all()  # ids are view numbers
    # a registry with one reference more is another digest: trained anew and stored
    more_refs, more_views = _views(np.random.default_rng(1), 13)
    grown = local_index.build_index(more_refs, more_views, "t", cache)
    assert not grown.ivf_reused and cache.puts == 2
    # the same reference list with other descriptors (a cache entry made elsewhere) fails the checksum
    _, other_views = _views(np.random.default_rng(2), 12)
    assert not local_index.build_index(refs, other_views, "t", cache).ivf_reused
    # below IVF_MIN nothing is stored
    small = InMemoryCache()
    local_index.build_index(refs[:2], views[:2], "t", small)
    assert small.puts == 0


def test_a_damaged_stored_state_is_rebuilt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(local_index, "IVF_MIN", 1000)
    refs, views = _views(np.random.default_rng(4), 8)
    cache = InMemoryCache()
    local_index.build_index(refs, views, "t", cache)
    for key in list(cache.data):
        cache.data[key] = b"not an npz"
    rebuilt = local_index.build_index(refs, views, "t", cache)
    assert not rebuilt.ivf_reused and len(rebuilt) == 8 * 300


def test_the_store_keeps_only_the_newest_trained_state(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Each registry's state is stored under its own digest; the store drops the earlier ones (never read again)."""
    from sqlalchemy import func, select

    from mamori.storage import schema as t
    from mamori.storage.db import make_engine, migrate
    from mamori.storage.registry_store import RegistryStore

    monkeypatch.setattr(local_index, "IVF_MIN", 1000)
    engine = make_engine(f"sqlite:///{tmp_path / 's.db'}")
    migrate(engine)
    store = RegistryStore(engine)
    store.put_signal("a" * 64, "pdq", "1", b"another detector's signal")

    def states() -> int:
        with engine.connect() as conn:
            q = (
                select(func.count())
                .select_from(t.signals)
                .where(t.signals.c.detector == local_index.CACHE_NAME)
            )
            return int(conn.execute(q).scalar_one())

    for n in (8, 9, 10):
        refs, views = _views(np.random.default_rng(n), n)
        assert not local_index.build_index(refs, views, "t", store).ivf_reused
        assert states() == 1
    assert local_index.build_index(refs, views, "t", store).ivf_reused  # the newest is the one kept
    assert store.get_signal("a" * 64, "pdq", "1") == b"another detector's signal"
    engine.dispose()


def _paired_views(
    rng: np.random.Generator, refs: int, per: int = 300, centres: int = 40
) -> tuple[list[ReferenceImage], list[View]]:
    """(picture, mirror) view pairs as `reference_views` makes them: the mirror view's descriptors are the
    picture's permuted by MIRROR. Descriptors are drawn around shared centres (real SIFT descriptors cluster)."""
    from mamori.screening.image.local_features import MIRROR

    base = _units(rng, centres)
    out_refs, views = [], []
    for i in range(refs):
        px = np.full((4, 4, 3), i, np.uint8)
        out_refs.append(ReferenceImage(f"r{i}", f"c{i}", "w", f"{i:064x}", px))
        d = base[rng.integers(0, centres, per)] + 0.08 * rng.standard_normal((per, 128)).astype(np.float32)
        d = np.abs(d) / np.linalg.norm(d, axis=1, keepdims=True)
        xy = np.zeros((per, 2), np.float32)
        views.append(View(i, False, xy, d, (64, 64), np.zeros((per, 3)), px))
        views.append(View(i, True, xy, np.ascontiguousarray(d[:, MIRROR]), (64, 64), np.zeros((per, 3)), px))
    return out_refs, views


def test_symmetric_kmeans_centroids_are_mirror_closed() -> None:
    """A mirror descriptor's nearest centroid is the mirror image of its picture descriptor's: exactly what lets
    the build assign only the picture views. Nearly symmetric descriptors get one symmetric centroid, not a pair of
    duplicates."""
    from mamori.screening.image.local_features import MIRROR

    rng = np.random.default_rng(5)
    x = _units(rng, 3000)
    sym = _units(rng, 600)
    x[:600] = sym + sym[:, MIRROR]  # a fifth of the data is mirror-symmetric itself
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    c, mirror_of = local_index.symmetric_kmeans(x, 41, MIRROR, 8)
    assert c.shape == (41, 128) and np.allclose(np.linalg.norm(c, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(mirror_of[mirror_of], np.arange(41))  # an involution
    assert np.array_equal(c[mirror_of], c[:, MIRROR])
    assert (mirror_of == np.arange(41)).any()  # symmetric singles exist
    near = c @ c.T - 2 * np.eye(41)
    assert near.max() < 0.999  # no duplicate centroids
    a = local_index._nearest(x, c)
    xm = np.ascontiguousarray(x[:, MIRROR])
    sims = xm @ c.T
    # the mirror's list (mirror_of[a]) is a nearest centroid of the mirrored vector (a symmetric vector ties)
    assert np.allclose(sims[np.arange(len(x)), mirror_of[a]], sims.max(axis=1), atol=1e-5)
    assert np.array_equal(local_index._nearest(xm[600:], c), mirror_of[a[600:]])
    assert len(np.unique(a)) > 30  # the centroids spread over the data


def test_paired_views_train_mirror_closed_lists_with_the_recall_of_plain_training(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(local_index, "IVF_MIN", 1000)
    refs, views = _paired_views(np.random.default_rng(6), 20)
    cache = InMemoryCache()
    index = local_index.build_index(refs, views, "t", cache)
    state = index.ivf_state
    assert state is not None and cache.puts == 1
    c = state.centroids
    partner = (c[:, local_index.MIRROR] @ c.T).argmax(axis=1)  # each centroid's mirror image among them
    assert np.allclose(c[partner], c[:, local_index.MIRROR], atol=1e-6)
    n = len(views[0].desc)
    pic, mir = state.lists[:n], state.lists[n : 2 * n]  # reference 0: its picture view, then its mirror view
    assert np.array_equal(mir, partner[pic])
    # the same vectors with lists trained the plain way (every descriptor, all lists): recall no worse
    plain = FloatIndex(128, approximate=True, ivf_min=1000, nprobe=local_index.NPROBE)
    exact = FloatIndex(128)
    for vi, v in enumerate(views):
        plain.add(v.desc, np.full(len(v.desc), vi))
        exact.add(v.desc, np.full(len(v.desc), vi))
    plain.build()
    q = np.concatenate([views[k].desc[:40] for k in range(0, len(views), 3)])
    q = q + 0.05 * np.random.default_rng(7).standard_normal(q.shape).astype(np.float32)
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    truth = exact.search(q, 1)[1][:, 0]
    mirror_recall = float((index.search(q, 1)[1][:, 0] == truth).mean())
    plain_recall = float((plain.search(q, 1)[1][:, 0] == truth).mean())
    assert mirror_recall >= plain_recall - 0.02 and mirror_recall > 0.9
    # rebuilt over the cache: the stored state is taken back, no training
    again = local_index.build_index(refs, views, "t", cache)
    assert again.ivf_reused and cache.puts == 1
    assert np.array_equal(again.search(q, 4)[1], index.search(q, 4)[1])
