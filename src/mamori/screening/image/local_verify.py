"""Verification of local-feature candidates (see `mamori.screening.image.local`): the cross-character vote, the
ratio test and RANSAC on one reference view, and the colour checks SIFT's grey levels cannot make.

Thresholds: see scripts/calibrate_visual.py (local and weak sections).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from mamori.screening.image.local_features import COLOUR_RADIUS, QueryFeatures, Verified, View
from mamori.screening.image.palette import (
    WEAK_COLOUR_DE,
    WEAK_MIN_CHROMA,
    colour_distance,
    palette_disagrees,
    patch_colours,
)

VOTE_SIM = 0.80  # RootSIFT inner product needed to vote (Hellinger distance ~0.63)
VOTE_RATIO = 0.9  # ... and a distance below this fraction of the nearest other character's (see votes)
RATIO = 0.8  # Lowe ratio test (on Hellinger distances)
SCALE_RANGE = (0.05, 10.0)  # plausible reference->query scale
MIN_SPREAD = 0.08  # inliers must span at least this fraction of the reference's side, in both axes
WEAK_MAX_ROTATION = 20.0  # degrees
WEAK_COLOUR_AGREE = 0.8  # fraction of a weak match's inlier pairs that must agree in colour


def votes(sims: np.ndarray, ids: np.ndarray, view_char: np.ndarray) -> dict[int, int]:
    """Votes per view from each query descriptor's k nearest reference descriptors (`view_char`: view ->
    character number).

    A descriptor votes only when it is distinctive for one character: its nearest neighbour is clearly closer
    than the nearest neighbour of any *other* character (a ratio test across characters). Generic texture
    (foliage, grain, soft gradients) is close to many references at once; without this test it piles up
    votes for richly textured references and pushes the true character out of the candidates verified.
    """
    valid = (ids >= 0) & (sims >= VOTE_SIM)
    chars = np.where(ids >= 0, view_char[np.maximum(ids, 0)], -1)
    c1 = chars[:, :1]
    other = (ids >= 0) & (chars != c1)
    # No other character among the k neighbours: the k-th neighbour bounds it (it is at least that far).
    s_other = np.where(other.any(axis=1), np.where(other, sims, -np.inf).max(axis=1), sims[:, -1])
    d1 = np.sqrt(np.maximum(0.0, 2.0 - 2.0 * sims[:, 0]))
    d_other = np.sqrt(np.maximum(0.0, 2.0 - 2.0 * np.clip(s_other, -1.0, 1.0)))
    keep = valid[:, 0] & (d1 < VOTE_RATIO * d_other)
    out: dict[int, int] = {}
    for row_i, row_ok, row_c in zip(ids[keep], valid[keep], chars[keep], strict=True):
        for v in {int(i) for i, ok, c in zip(row_i, row_ok, row_c, strict=True) if ok and c == row_c[0]}:
            out[v] = out.get(v, 0) + 1
    return out


def ratio_test(view: View, qdesc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(nearest view keypoint (n,) int64, passes Lowe's ratio test (n,) bool) of each query descriptor against one
    reference view's descriptors (at least two). Each row depends on its own descriptor only."""
    if len(qdesc) == 0:
        return np.zeros(0, np.int64), np.zeros(0, bool)
    sim = qdesc @ view.desc.T  # (nq, nv)
    rows = np.arange(len(sim))
    best = sim.argmax(axis=1)
    s1 = sim[rows, best].copy()
    sim[rows, best] = -1.0
    s2 = sim.max(axis=1)
    d1 = np.sqrt(np.maximum(0.0, 2.0 - 2.0 * s1))
    d2 = np.sqrt(np.maximum(0.0, 2.0 - 2.0 * s2))
    return best.astype(np.int64), d1 < RATIO * d2


def cached_ratio_test(view: View, vi: int, q: QueryFeatures) -> tuple[np.ndarray, np.ndarray]:
    """`ratio_test` of every keypoint of `q` against view `vi`, kept in `q.ratios`; the rows of keypoints carried
    from an earlier frame that verified the same view are copied from it (same descriptors, same results)."""
    got = q.ratios.get(vi)
    if got is not None:
        return got
    before = q.parent_ratios.get(vi) if q.parent_ratios is not None and q.carried is not None else None
    if before is not None and q.carried is not None:
        m = len(q.carried)
        best_new, ok_new = ratio_test(view, q.desc[m:])
        got = (
            np.concatenate([before[0][q.carried], best_new]),
            np.concatenate([before[1][q.carried], ok_new]),
        )
    else:
        got = ratio_test(view, q.desc)
    q.ratios[vi] = got
    return got


def verify_view(
    view: View,
    vi: int,
    qxy: np.ndarray,
    qdesc: np.ndarray,
    qside: int,
    floor: int,
    ratio: tuple[np.ndarray, np.ndarray] | None = None,
) -> Verified | None:
    """Lowe ratio test against one reference view's descriptors (`ratio`: its results when the caller has them,
    `cached_ratio_test`), then RANSAC on a 4-DOF similarity transform; None unless at least `floor` distinct
    inliers spread over a plausible area at a plausible scale."""
    if len(view.desc) < 2:
        return None
    best, passes = ratio if ratio is not None else ratio_test(view, qdesc)
    good = np.nonzero(passes)[0]
    if len(good) < floor:
        return None
    src = view.xy[best[good]].astype(np.float32)
    dst = qxy[good].astype(np.float32)
    thr = max(4.0, 0.008 * qside)
    cv2.setRNGSeed(0)  # RANSAC samples from OpenCV's RNG: same input -> same verdict, on any worker/thread
    model, mask = cv2.estimateAffinePartial2D(
        src,
        dst,
        method=cv2.RANSAC,
        ransacReprojThreshold=thr,
        maxIters=2000,
        confidence=0.995,
        refineIters=10,
    )
    if model is None or mask is None:
        return None
    inl = mask.ravel().astype(bool)
    # distinct on both sides, so many-to-one matches cannot inflate the count
    n_in = min(len(np.unique(best[good][inl])), len(np.unique(good[inl])))
    if n_in < floor:
        return None
    a, b = float(model[0, 0]), float(model[1, 0])
    scale = math.hypot(a, b)
    if not SCALE_RANGE[0] <= scale <= SCALE_RANGE[1]:
        return None
    pts = src[inl]
    w, h = view.size
    if np.ptp(pts[:, 0]) < MIN_SPREAD * w or np.ptp(pts[:, 1]) < MIN_SPREAD * h:
        return None
    qpts = frozenset(int(i) for i in good[inl])
    pairs = tuple((int(r), int(q)) for r, q in zip(best[good][inl], good[inl], strict=True))
    return Verified(vi, int(n_in), int(len(good)), scale, math.degrees(math.atan2(b, a)), qpts, pairs)


def _pair_index(r: Verified) -> tuple[np.ndarray, np.ndarray]:
    return np.array([p[0] for p in r.pairs], np.int64), np.array([p[1] for p in r.pairs], np.int64)


def colour_distances(view: View, r: Verified, qrgb: np.ndarray, qxy: np.ndarray) -> np.ndarray:
    """Colour distance of each inlier pair: reference keypoint surroundings vs the mapped query surroundings."""
    ri, qi = _pair_index(r)
    qcol = patch_colours(qrgb, qxy[qi], COLOUR_RADIUS * r.scale)
    return colour_distance(view.colours[ri], qcol)


def region_disagrees(view: View, r: Verified, qrgb: np.ndarray, qxy: np.ndarray) -> bool:
    """True when the region the match covers is painted otherwise in the query (`palette.palette_disagrees`)."""
    ri, qi = _pair_index(r)
    if len(ri) < 2:
        return False
    return palette_disagrees(view.thumb, view.xy[ri], qxy[qi], r.scale, r.rotation, qrgb)


def colour_agreement(view: View, r: Verified, qrgb: np.ndarray, qxy: np.ndarray) -> float:
    """Fraction of the inlier pairs that have colour (chroma >= WEAK_MIN_CHROMA on either side) and agree.

    Grey pairs (black outlines on white, grey scenery) count against: they agree whatever the paint, so they
    are no evidence (two line-art figures from one template agree there).
    """
    ri, qi = _pair_index(r)
    if not len(ri):
        return 0.0
    rc = view.colours[ri]
    qc = patch_colours(qrgb, qxy[qi], COLOUR_RADIUS * r.scale)
    chroma = np.maximum(np.hypot(rc[:, 1], rc[:, 2]), np.hypot(qc[:, 1], qc[:, 2]))
    agree = (colour_distance(rc, qc) < WEAK_COLOUR_DE) & (chroma >= WEAK_MIN_CHROMA)
    return float(agree.mean())
