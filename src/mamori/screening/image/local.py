"""Local features (RootSIFT) with geometric verification: finds edited copies PDQ misses.

Build: every reference is normalised to a longest side of `REF_SIDE` px, and SIFT keypoints/descriptors are
extracted from it and from its mirror image (two "views" per reference, so mirrored queries match). Descriptors
are RootSIFT (L1-normalise, square root: unit L2 norm, so inner product is a Hellinger kernel) and all views'
descriptors go into one FAISS inner-product index (`mamori.index.FloatIndex`, IVF when large).

Detect: query keypoints vote for reference views through the index (top-k neighbours above a similarity floor);
the best-voted views are verified one by one: Lowe ratio test against that view's descriptors, then RANSAC on a
4-DOF similarity transform (rotation, uniform scale, translation: cv2.estimateAffinePartial2D). A view matches
with at least `MIN_INLIERS` distinct inliers spread over a plausible area at a plausible scale.
This finds crops, letterbox/caption bars, small rotations, mirrors, and the character pasted into a scene.

Thresholds: see scripts/calibrate_visual.py (local section).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

import cv2
import numpy as np

from mamori.index import FloatIndex
from mamori.screening.base import IMAGE, Corpus, Detector, ReferenceImage
from mamori.screening.image.common import cached_signals
from mamori.screening.image.loading import as_rgb
from mamori.types import Evidence, Match, Rule

REF_SIDE = 512  # references are scaled (up to 4x up, any amount down) to this longest side
REF_FEATURES = 500  # SIFT keypoints kept per reference view
QUERY_MAX_SIDE = 1024  # queries larger than this are downscaled (768 missed sprites at 35% of a scene)
QUERY_MIN_SIDE = 640  # ... and smaller ones upscaled (at most 2.5x): small sprites need it
QUERY_FEATURES = 1500
VOTE_K = 4  # neighbours per query descriptor in the global vote
VOTE_SIM = 0.80  # RootSIFT inner product needed to vote (Hellinger distance ~0.63)
VOTE_RATIO = 0.9  # ... and a distance below this fraction of the nearest other character's (see _votes)
CANDIDATES = 6  # views verified per query
RATIO = 0.8  # Lowe ratio test (on Hellinger distances)
MIN_INLIERS = 12  # scripts/calibrate_visual.py: negatives max 7-9 inliers, positives mostly >= 20
SCALE_RANGE = (0.05, 10.0)  # plausible reference->query scale
MIN_SPREAD = 0.08  # inliers must span at least this fraction of the reference's side, in both axes


def match_score(inliers: int) -> float:
    """0.49 at 12 inliers (review band), 0.74 at 20, 0.89 at 30, 0.99 at 60. See calibrate_visual.py."""
    return float(max(0.0, 1.0 - math.exp(-(inliers - 4) / 12.0)))


def root_sift(desc: np.ndarray) -> np.ndarray:
    d = desc.astype(np.float32)
    d /= d.sum(axis=1, keepdims=True) + 1e-7
    return np.sqrt(d)


def _gray(pixels: Any) -> np.ndarray:
    rgb = as_rgb(pixels)
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)


def _resize_to(
    gray: np.ndarray, side: int, max_up: float, down_only_above: int | None = None
) -> tuple[np.ndarray, float]:
    h, w = gray.shape[:2]
    s = min(side / max(h, w), max_up)
    if down_only_above is not None:
        s = min(s, 1.0) if max(h, w) > down_only_above else s
    if abs(s - 1.0) < 1e-3:
        return gray, 1.0
    interp = cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR
    return cv2.resize(gray, (max(1, round(w * s)), max(1, round(h * s))), interpolation=interp), s


def extract(gray: np.ndarray, n_features: int) -> tuple[np.ndarray, np.ndarray]:
    """(xy float32 (n, 2), RootSIFT float32 (n, 128)) of the strongest `n_features` SIFT keypoints."""
    if gray.shape[0] < 16 or gray.shape[1] < 16:
        return np.zeros((0, 2), np.float32), np.zeros((0, 128), np.float32)
    sift = cv2.SIFT_create(nfeatures=n_features)  # type: ignore[attr-defined]
    kps, desc = sift.detectAndCompute(gray, None)
    if desc is None or not kps:
        return np.zeros((0, 2), np.float32), np.zeros((0, 128), np.float32)
    xy = np.array([k.pt for k in kps], np.float32)
    return xy, root_sift(desc)


@dataclass
class _View:
    ref: int  # index into refs
    mirrored: bool
    xy: np.ndarray
    desc: np.ndarray
    size: tuple[int, int]  # (w, h) of the normalised reference


@dataclass(frozen=True)
class Verified:
    view: int
    inliers: int
    matches: int
    scale: float
    rotation: float
    query_points: frozenset[int] = frozenset()  # query keypoint indices that are inliers


class LocalFeatureDetector(Detector):
    name: ClassVar[str] = "local"
    kinds: ClassVar[frozenset[str]] = frozenset({IMAGE})
    version: ClassVar[str] = "1"

    def __init__(
        self,
        refs: list[ReferenceImage],
        views: list[_View],
        min_inliers: int = MIN_INLIERS,
        query_features: int = QUERY_FEATURES,
    ) -> None:
        self.refs = refs
        self.views = views
        self.min_inliers = min_inliers
        self.query_features = query_features
        char_ids: dict[str, int] = {}
        self._view_char = np.array(
            [
                char_ids.setdefault(refs[v.ref].character or f"\0{refs[v.ref].ref_id}", len(char_ids))
                for v in views
            ],
            np.int64,
        )
        self.index = FloatIndex(128, approximate=True, ivf_min=200_000, nprobe=8)
        for vi, v in enumerate(views):
            if len(v.desc):
                self.index.add(v.desc, np.full(len(v.desc), vi))
        self.index.build()

    @classmethod
    def build(cls, corpus: Corpus) -> LocalFeatureDetector:
        def compute(ref: ReferenceImage) -> dict[str, np.ndarray]:
            gray, _ = _resize_to(_gray(ref.pixels), REF_SIDE, 4.0)
            out: dict[str, np.ndarray] = {"size": np.array(gray.shape[::-1], np.int32)}
            for tag, img in (("0", gray), ("1", np.ascontiguousarray(gray[:, ::-1]))):
                xy, desc = extract(img, REF_FEATURES)
                out["xy" + tag] = xy
                out["d" + tag] = desc.astype(np.float16)
            return out

        refs: list[ReferenceImage] = []
        views: list[_View] = []
        for ref, sig in cached_signals(corpus, cls.name, cls.version, compute):
            ri = len(refs)
            refs.append(ref)
            size = (int(sig["size"][0]), int(sig["size"][1]))
            for tag in ("0", "1"):
                views.append(_View(ri, tag == "1", sig["xy" + tag], sig["d" + tag].astype(np.float32), size))
        return cls(refs, views)

    # -- detection -------------------------------------------------------------------------------------------

    def query_features_of(self, pixels: Any) -> tuple[np.ndarray, np.ndarray, int]:
        gray = _gray(pixels)
        h, w = gray.shape[:2]
        if max(h, w) > QUERY_MAX_SIDE:
            gray, _ = _resize_to(gray, QUERY_MAX_SIDE, 1.0)
        elif max(h, w) < QUERY_MIN_SIDE:
            gray, _ = _resize_to(gray, QUERY_MIN_SIDE, 2.5)
        xy, desc = extract(gray, self.query_features)
        return xy, desc, max(gray.shape[:2])

    def verify(self, pixels: Any) -> list[Verified]:
        """Geometrically verified reference views for an image, best first."""
        if not self.views or len(self.index) == 0:
            return []
        qxy, qdesc, qside = self.query_features_of(pixels)
        if len(qdesc) < self.min_inliers:
            return []
        sims, ids = self.index.search(qdesc, VOTE_K)
        votes = self._votes(sims, ids)
        cands = [
            v for v, n in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0])) if n >= self.min_inliers // 2
        ]
        verified = []
        for vi in cands[:CANDIDATES]:
            r = self._verify_view(qxy, qdesc, qside, vi)
            if r is not None:
                verified.append(r)
        verified.sort(key=lambda r: -r.inliers)
        # Explaining away: a query keypoint is evidence for one character only. Shared props or style elements
        # (the same broom drawn for two characters) must not make a second character match on the same pixels.
        out: list[Verified] = []
        used: dict[str, set[int]] = {}
        for r in verified:
            ch = self.refs[self.views[r.view].ref].character
            taken = set().union(*(pts for c, pts in used.items() if c != ch)) if used else set()
            remaining = len(r.query_points - taken)
            if remaining < self.min_inliers:
                continue
            if remaining < r.inliers:
                r = Verified(r.view, remaining, r.matches, r.scale, r.rotation, r.query_points - taken)
            out.append(r)
            used.setdefault(ch, set()).update(r.query_points)
        out.sort(key=lambda r: -r.inliers)
        return out

    def _votes(self, sims: np.ndarray, ids: np.ndarray) -> dict[int, int]:
        """Votes per view from each query descriptor's `VOTE_K` nearest reference descriptors.

        A descriptor votes only when it is distinctive for one character: its nearest neighbour is clearly closer
        than the nearest neighbour of any *other* character (a ratio test across characters). Generic texture
        (foliage, grain, soft gradients) is close to many references at once; without this test it piles up
        votes for richly textured references and pushes the true character out of the `CANDIDATES` verified.
        """
        valid = (ids >= 0) & (sims >= VOTE_SIM)
        chars = np.where(ids >= 0, self._view_char[np.maximum(ids, 0)], -1)
        c1 = chars[:, :1]
        other = (ids >= 0) & (chars != c1)
        # No other character among the k neighbours: the k-th neighbour bounds it (it is at least that far).
        s_other = np.where(other.any(axis=1), np.where(other, sims, -np.inf).max(axis=1), sims[:, -1])
        d1 = np.sqrt(np.maximum(0.0, 2.0 - 2.0 * sims[:, 0]))
        d_other = np.sqrt(np.maximum(0.0, 2.0 - 2.0 * np.clip(s_other, -1.0, 1.0)))
        keep = valid[:, 0] & (d1 < VOTE_RATIO * d_other)
        votes: dict[int, int] = {}
        for row_i, row_ok, row_c in zip(ids[keep], valid[keep], chars[keep], strict=True):
            for v in {int(i) for i, ok, c in zip(row_i, row_ok, row_c, strict=True) if ok and c == row_c[0]}:
                votes[v] = votes.get(v, 0) + 1
        return votes

    def _verify_view(self, qxy: np.ndarray, qdesc: np.ndarray, qside: int, vi: int) -> Verified | None:
        view = self.views[vi]
        if len(view.desc) < 2:
            return None
        sim = qdesc @ view.desc.T  # (nq, nv)
        rows = np.arange(len(sim))
        best = sim.argmax(axis=1)
        s1 = sim[rows, best].copy()
        sim[rows, best] = -1.0
        s2 = sim.max(axis=1)
        d1 = np.sqrt(np.maximum(0.0, 2.0 - 2.0 * s1))
        d2 = np.sqrt(np.maximum(0.0, 2.0 - 2.0 * s2))
        good = np.nonzero(d1 < RATIO * d2)[0]
        if len(good) < self.min_inliers:
            return None
        src = view.xy[best[good]].astype(np.float32)
        dst = qxy[good].astype(np.float32)
        thr = max(4.0, 0.008 * qside)
        cv2.setRNGSeed(
            0
        )  # RANSAC samples from OpenCV's RNG: same input -> same verdict, on any worker/thread
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
        if n_in < self.min_inliers:
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
        return Verified(vi, int(n_in), int(len(good)), scale, math.degrees(math.atan2(b, a)), qpts)

    def detect(self, content: Any) -> list[Match]:
        best: dict[str, Verified] = {}
        for r in self.verify(content):
            ch = self.refs[self.views[r.view].ref].character
            if ch not in best or r.inliers > best[ch].inliers:
                best[ch] = r
        out = []
        for ch, r in sorted(best.items()):
            view = self.views[r.view]
            ref = self.refs[view.ref]
            score = match_score(r.inliers)
            ev = Evidence(
                rule=str(Rule.LOCAL),
                score=score,
                detail=(
                    f"{r.inliers} geometrically verified keypoints ({r.matches} candidate matches) to reference "
                    f"{ref.ref_id}{' (mirrored)' if view.mirrored else ''}, scale {r.scale:.2f}, "
                    f"rotation {r.rotation:+.1f} deg"
                ),
                extra={"reference": ref.ref_id, "inliers": r.inliers, "mirrored": view.mirrored},
            )
            out.append(
                Match(work=ref.work, character=ch, score=score, evidence=(ev,), signals={self.name: score})
            )
        return out

    @classmethod
    def examples(cls) -> Iterator[tuple[Corpus, Any, set[str]]]:
        from mamori.screening.image.examples import example_cases

        yield from example_cases(edited=True)
