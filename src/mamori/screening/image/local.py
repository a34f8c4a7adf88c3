"""Local features (RootSIFT) with geometric verification: finds edited copies PDQ misses.

Build: every reference is normalised to a longest side of `REF_SIDE` px, and SIFT keypoints/descriptors are
extracted from it and from its mirror image (two "views" per reference, so mirrored queries match). Descriptors
are RootSIFT (L1-normalise, square root: unit L2 norm, so inner product is a Hellinger kernel) and all views'
descriptors go into one FAISS inner-product index (`mamori.index.FloatIndex`, IVF when large; its trained state is
kept in the signal cache, `local_index.py`).

Detect: query keypoints vote for reference views through the index (top-k neighbours above a similarity floor);
the best-voted views are verified one by one: Lowe ratio test against that view's descriptors, then RANSAC on a
4-DOF similarity transform (rotation, uniform scale, translation: cv2.estimateAffinePartial2D). A view matches
with at least `MIN_INLIERS` distinct inliers spread over a plausible area at a plausible scale.
This finds crops, letterbox/caption bars, small rotations, mirrors, and the character pasted into a scene.

Weak matches (WEAK_INLIERS..MIN_INLIERS-1 inliers, e.g. another frame of the same animation where only the head
keeps its shape) are reported low in the review band when two checks independent of the grey-level SIFT match
agree: the transform is roughly upright, and the colours around the inliers agree (`_corroborated`); a weak match
inside the region of another character's strong match is dropped.

Strong matches are checked against the reference's paint (`_palette_disagrees`): SIFT reads grey levels, so one line
drawing painted in two palettes (two characters from one template, a recoloured look-alike) matches geometrically;
the colours of the matched region, mapped through the transform and compared in CIELAB after removing a common
offset (a tinted copy), must agree, or the match does not count as that character.

Thresholds: see scripts/calibrate_visual.py (local and weak sections).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import replace
from typing import Any, ClassVar

import cv2
import numpy as np

from mamori.index import FloatIndex
from mamori.screening.base import IMAGE, Corpus, Detector, ReferenceImage, SignalCache
from mamori.screening.image import local_verify as V
from mamori.screening.image.common import cached_signals
from mamori.screening.image.loading import as_rgb
from mamori.screening.image.local_features import (
    COLOUR_RADIUS,
    REF_FEATURES,
    REF_SIDE,
    QueryFeatures,
    Verified,
    View,
    extract,
    extract_with_response,
    gray_of,
    inside,
    reference_signal,
    reference_views,
    resize_to,
    root_sift,
)
from mamori.screening.image.local_index import build_index
from mamori.screening.image.local_verify import (
    MIN_SPREAD,
    RATIO,
    SCALE_RANGE,
    VOTE_RATIO,
    VOTE_SIM,
    WEAK_COLOUR_AGREE,
    WEAK_MAX_ROTATION,
)
from mamori.screening.image.palette import WEAK_COLOUR_DE, WEAK_MIN_CHROMA, patch_colours
from mamori.types import Evidence, Match, Rule

__all__ = [  # names other modules and the calibration scripts read from here
    "COLOUR_RADIUS",
    "MIN_INLIERS",
    "MIN_SPREAD",
    "RATIO",
    "REF_FEATURES",
    "REF_SIDE",
    "SCALE_RANGE",
    "VOTE_RATIO",
    "VOTE_SIM",
    "WEAK_COLOUR_AGREE",
    "WEAK_COLOUR_DE",
    "WEAK_INLIERS",
    "WEAK_MAX_ROTATION",
    "WEAK_MIN_CHROMA",
    "LocalFeatureDetector",
    "QueryFeatures",
    "Verified",
    "extract",
    "extract_with_response",
    "match_score",
    "patch_colours",
    "root_sift",
    "weak_score",
]

QUERY_MAX_SIDE = 1024  # queries larger than this are downscaled (768 missed sprites at 35% of a scene)
QUERY_MIN_SIDE = 640  # ... and smaller ones upscaled (at most 2.5x): small sprites need it
QUERY_FEATURES = 1500
# The scout (a FIND step before the full query): a query larger than SCOUT_SIDE * SCOUT_GAIN is first matched at
# SCOUT_SIDE, its best-voted views verified by RANSAC with a low floor; only where one reaches SCOUT_INLIERS distinct
# inliers does the full-size query run. It costs ~55-65% of a full 1024 px pass (SIFT grows with area; the vote
# search and RANSAC do not), so a picture with nothing registered in it saves ~35-45% of SIFT's cost and one with a
# character pays ~1.6x. Vote counts alone do not tell (synthetic scenes get as many votes as characters pasted into
# them). scripts/scout_curve.py on the visual_bench tiers: every case the full pass finds had >= 14 scout inliers,
# 44 of 48 negatives <= 4 (crowds of drawn faces 14-19: they pay for both passes); at 512 px, or with 700 keypoints,
# characters pasted into scenes fell to 3-9.
SCOUT_SIDE = 640
SCOUT_GAIN = 1.25
SCOUT_INLIERS = 5
SCOUT_FLOOR = 3  # RANSAC results below this many inliers count as 0
SCOUT_FEATURES = QUERY_FEATURES  # keypoints of the scout query (the vote search's cost grows with them)
VOTE_K = 4  # neighbours per query descriptor in the global vote
CANDIDATES = 6  # views verified per query
# scripts/calibrate_visual.py: copy/edited tiers >= 35 inliers; negatives max 4 against 8 references, but against
# 1000 (synthetic look-alikes added, --scale 1000) one drawn figure reaches 14 on a same-template synthetic figure.
MIN_INLIERS = 12
WEAK_INLIERS = 7  # 7-11 inliers: a weak match, reported (review band) only if corroborated


def match_score(inliers: int) -> float:
    """0.49 at 12 inliers (review band), 0.74 at 20, 0.89 at 30, 0.99 at 60. See calibrate_visual.py."""
    return float(max(0.0, 1.0 - math.exp(-(inliers - 4) / 12.0)))


def weak_score(inliers: int) -> float:
    """A corroborated weak match (WEAK_INLIERS..MIN_INLIERS-1 inliers): 0.42-0.46, low in the review band."""
    return 0.42 + 0.01 * max(0, min(inliers, MIN_INLIERS - 1) - WEAK_INLIERS)


class LocalFeatureDetector(Detector):
    name: ClassVar[str] = "local"
    kinds: ClassVar[frozenset[str]] = frozenset({IMAGE})
    version: ClassVar[str] = "4"  # 4: one SIFT pass per reference, the mirror view derived
    cost: ClassVar[float] = 150.0  # ms at 1024x768: SIFT on up to 1024 px + RANSAC

    def __init__(
        self,
        refs: list[ReferenceImage],
        views: list[View],
        min_inliers: int = MIN_INLIERS,
        query_features: int = QUERY_FEATURES,
        weak_inliers: int = WEAK_INLIERS,
        cache: SignalCache | None = None,
    ) -> None:
        self.refs = refs
        self.views = views
        self.min_inliers = min_inliers
        self.weak_inliers = weak_inliers  # >= min_inliers turns weak matches off
        self.measure_colour = False  # scripts/calibrate_visual.py: colour agreement on every verified view
        self.query_features = query_features
        self.scout_inliers = SCOUT_INLIERS  # 0: no scout, every query at full size (calibration)
        self.scout_side = SCOUT_SIDE
        self.scout_features = SCOUT_FEATURES
        char_ids: dict[str, int] = {}
        self._view_char = np.array(
            [
                char_ids.setdefault(refs[v.ref].character or f"\0{refs[v.ref].ref_id}", len(char_ids))
                for v in views
            ],
            np.int64,
        )
        # IVF past ~200 references; its trained state is reused from `cache` for an unchanged set of views
        self.index: FloatIndex = build_index(refs, views, self.version, cache)

    @classmethod
    def build(cls, corpus: Corpus) -> LocalFeatureDetector:
        def compute(ref: ReferenceImage) -> dict[str, np.ndarray]:
            return reference_signal(ref.pixels)

        refs: list[ReferenceImage] = []
        views: list[View] = []
        for ref, sig in cached_signals(corpus, cls.name, cls.version, compute):
            views.extend(reference_views(len(refs), sig))
            refs.append(ref)
        return cls(refs, views, cache=corpus.cache)

    # -- detection -------------------------------------------------------------------------------------------

    def query_gray(self, pixels: Any) -> np.ndarray:
        """The grey query image features are extracted from: large images downscaled to QUERY_MAX_SIDE, small
        ones upscaled towards QUERY_MIN_SIDE."""
        gray = gray_of(pixels)
        h, w = gray.shape[:2]
        if max(h, w) > QUERY_MAX_SIDE:
            gray, _ = resize_to(gray, QUERY_MAX_SIDE, 1.0)
        elif max(h, w) < QUERY_MIN_SIDE:
            gray, _ = resize_to(gray, QUERY_MIN_SIDE, 2.5)
        return gray

    def scout(self, gray: np.ndarray) -> bool:
        """Whether the full query of `gray` (from `query_gray`) is worth running: True for a query too small to
        scout, else whether the query shrunk to SCOUT_SIDE verifies `scout_inliers` inliers on some view."""
        if self.scout_inliers <= 0 or max(gray.shape[:2]) <= self.scout_side * SCOUT_GAIN:
            return True
        small = resize_to(gray, self.scout_side, 1.0)[0]
        return self.scout_best(small, stop_at=self.scout_inliers) >= self.scout_inliers

    def scout_best(self, small: np.ndarray, stop_at: int = 0) -> int:
        """Most distinct RANSAC inliers on any of the CANDIDATES best-voted views for a grey image (0: none);
        `stop_at` > 0: the first view to reach it ends the search (the scout's answer is already yes)."""
        xy, desc, _ = extract_with_response(small, self.scout_features)
        sims, ids = self.search(desc)
        votes = self._votes(sims, ids)
        best = 0
        for vi, _ in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))[:CANDIDATES]:
            r = V.verify_view(self.views[vi], vi, xy, desc, max(small.shape[:2]), SCOUT_FLOOR)
            best = max(best, r.inliers if r is not None else 0)
            if 0 < stop_at <= best:
                break
        return best

    def search(self, desc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(similarities, view ids), each (n, VOTE_K): the global vote search of query descriptors."""
        if len(desc) == 0 or len(self.index) == 0:
            return np.zeros((len(desc), VOTE_K), np.float32), np.full((len(desc), VOTE_K), -1, np.int64)
        sims, ids = self.index.search(desc, VOTE_K)
        return sims, ids

    def query(self, gray: np.ndarray) -> QueryFeatures:
        """Keypoints of a whole query gray image (from `query_gray`) and their vote search."""
        xy, desc, resp = extract_with_response(gray, self.query_features)
        sims, ids = self.search(desc)
        full = self.query_features > 0 and len(resp) >= self.query_features
        return QueryFeatures(
            xy, desc, resp, sims, ids, (gray.shape[0], gray.shape[1]), float(resp.min()) if full else 0.0
        )

    def colour_distances(self, r: Verified, qrgb: np.ndarray, qxy: np.ndarray) -> np.ndarray:
        """Colour distance of each inlier pair: reference keypoint surroundings vs the mapped query surroundings."""
        return V.colour_distances(self.views[r.view], r, qrgb, qxy)

    def verify(self, pixels: Any, features: QueryFeatures | None = None) -> list[Verified]:
        """Geometrically verified reference views for an image, best first. `features`: the image's
        `QueryFeatures` when the caller already has them (a video frame assembled from reused keypoints).

        A view with `min_inliers` or more inliers is a match. One with `weak_inliers` up to `min_inliers - 1` is a
        weak match, kept only when two checks that are independent of the grey-level SIFT match both agree
        (`_corroborated`): the transform is roughly upright and the colours around the inliers agree. Weak
        matches carry `colour` (their agreement); strong ones leave it None.
        """
        if not self.views or len(self.index) == 0:
            return []
        floor = min(self.weak_inliers, self.min_inliers)
        if features is None:
            gray = self.query_gray(pixels)
            if not self.scout(gray):
                return []
            features = self.query(gray)
        q = features
        qxy, qdesc, sims, ids = q.xy, q.desc, q.sims, q.ids
        if len(qdesc) < floor:
            return []
        votes = self._votes(sims, ids)
        cands = [
            v for v, n in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0])) if n >= self.min_inliers // 2
        ]
        qside = max(q.shape)
        qrgb: list[
            np.ndarray
        ] = []  # the query in colour at the size of the query gray, made only when needed

        def colour_query() -> np.ndarray:
            if not qrgb:
                rgb = as_rgb(pixels)
                if rgb.shape[:2] != q.shape:
                    rgb = cv2.resize(rgb, q.shape[::-1], interpolation=cv2.INTER_AREA)
                qrgb.append(rgb)
            return qrgb[0]

        def corroborate(r: Verified) -> Verified | None:
            if self.measure_colour:  # calibration: every result gets its colour agreement, none is dropped
                return replace(r, colour=self._colour_agreement(r, colour_query(), qxy))
            if r.inliers >= self.min_inliers:
                return None if self._palette_disagrees(r, colour_query(), qxy) else r
            if r.colour is not None:
                return r
            return self._corroborated(r, colour_query(), qxy)

        verified = []
        for vi in cands[:CANDIDATES]:
            r = self._verify_view(qxy, qdesc, qside, vi, floor, q)
            if r is not None and (r := corroborate(r)) is not None:
                verified.append(r)
        verified.sort(key=lambda r: -r.inliers)
        # Explaining away: a query keypoint is evidence for one character only. Shared props or style elements
        # (the same broom drawn for two characters) must not make a second character match on the same pixels.
        # A weak match also gives way to the region of another character's strong match: one figure, one character
        # (look-alike designs share small structures, e.g. a face drawn from the same template).
        out: list[Verified] = []
        used: dict[str, set[int]] = {}
        strong_boxes: dict[str, list[tuple[float, float, float, float]]] = {}
        for r in verified:
            ch = self.refs[self.views[r.view].ref].character
            taken = set().union(*(pts for c, pts in used.items() if c != ch)) if used else set()
            remaining = len(r.query_points - taken)
            if remaining < floor:
                continue
            if min(remaining, r.inliers) < self.min_inliers and not self.measure_colour:
                pts = qxy[sorted(r.query_points - taken)]
                boxes = [b for c, bs in strong_boxes.items() if c != ch for b in bs]
                if any(inside(pts, b) >= 0.5 for b in boxes):
                    continue
            if remaining < r.inliers:
                left = r.query_points - taken
                pairs = tuple(p for p in r.pairs if p[1] in left)
                r = corroborate(replace(r, inliers=remaining, query_points=left, pairs=pairs))  # type: ignore[assignment]
                if r is None:
                    continue
            out.append(r)
            used.setdefault(ch, set()).update(r.query_points)
            if r.inliers >= self.min_inliers:
                p = qxy[sorted(r.query_points)]
                box = (float(p[:, 0].min()), float(p[:, 1].min()), float(p[:, 0].max()), float(p[:, 1].max()))
                strong_boxes.setdefault(ch, []).append(box)
        out.sort(key=lambda r: -r.inliers)
        return out

    def _corroborated(self, r: Verified, qrgb: np.ndarray, qxy: np.ndarray) -> Verified | None:
        """`r` with its colour agreement if a weak match passes both independent checks, else None.

        Upright: |rotation| <= WEAK_MAX_ROTATION (mirrored views cover flips; a rotated copy of real art is a
        strong match anyway). Colour: SIFT reads grey levels only, so the mean colour around each inlier (reference
        keypoint vs the query point, at the transform's scale) is evidence a chance geometric agreement between
        two differently painted drawings does not have; at least WEAK_COLOUR_AGREE of the pairs must lie within
        WEAK_COLOUR_DE. Both calibrated in scripts/calibrate_visual.py (weak section).
        """
        if abs(r.rotation) > WEAK_MAX_ROTATION:
            return None
        agree = self._colour_agreement(r, qrgb, qxy)
        if agree < WEAK_COLOUR_AGREE or self._palette_disagrees(r, qrgb, qxy):
            return None
        return replace(r, colour=agree)

    def _palette_disagrees(self, r: Verified, qrgb: np.ndarray, qxy: np.ndarray) -> bool:
        return V.region_disagrees(self.views[r.view], r, qrgb, qxy)

    def _colour_agreement(self, r: Verified, qrgb: np.ndarray, qxy: np.ndarray) -> float:
        return V.colour_agreement(self.views[r.view], r, qrgb, qxy)

    def _votes(self, sims: np.ndarray, ids: np.ndarray) -> dict[int, int]:
        return V.votes(sims, ids, self._view_char)

    def _verify_view(
        self,
        qxy: np.ndarray,
        qdesc: np.ndarray,
        qside: int,
        vi: int,
        floor: int,
        features: QueryFeatures | None = None,
    ) -> Verified | None:
        view = self.views[vi]
        ratio = (
            V.cached_ratio_test(view, vi, features) if features is not None and len(view.desc) >= 2 else None
        )
        return V.verify_view(view, vi, qxy, qdesc, qside, floor, ratio)

    def detect(self, content: Any, features: QueryFeatures | None = None) -> list[Match]:
        best: dict[str, Verified] = {}
        for r in self.verify(content, features):
            ch = self.refs[self.views[r.view].ref].character
            if ch not in best or r.inliers > best[ch].inliers:
                best[ch] = r
        out = []
        for ch, r in sorted(best.items()):
            view = self.views[r.view]
            ref = self.refs[view.ref]
            score = match_score(r.inliers) if r.inliers >= self.min_inliers else weak_score(r.inliers)
            ev = Evidence(
                rule=str(Rule.LOCAL),
                score=score,
                detail=(
                    f"{r.inliers} geometrically verified keypoints ({r.matches} candidate matches) to reference "
                    f"{ref.ref_id}{' (mirrored)' if view.mirrored else ''}, scale {r.scale:.2f}, "
                    f"rotation {r.rotation:+.1f} deg"
                    + (
                        f"; weak match, upright and colour agrees around {r.colour:.0%} of the keypoints"
                        if r.colour is not None
                        else ""
                    )
                ),
                extra={
                    "reference": ref.ref_id,
                    "inliers": r.inliers,
                    "mirrored": view.mirrored,
                    **({"colour_agreement": round(r.colour, 3)} if r.colour is not None else {}),
                },
            )
            out.append(
                Match(work=ref.work, character=ch, score=score, evidence=(ev,), signals={self.name: score})
            )
        return out

    @classmethod
    def examples(cls) -> Iterator[tuple[Corpus, Any, set[str]]]:
        from mamori.screening.image.examples import example_cases

        yield from example_cases(edited=True)
