"""Keypoint reuse between analysed video frames: re-extract local features only where the picture changed.

Consecutive analysed frames of a shot mostly show the same things: the camera pans over the same scenery while
a character moves in front of it. SIFT extraction and the global vote search (`LocalFeatureDetector.query`) cost
~150 ms a 640-px frame; most of that is spent again on scenery that did not change. `FramePlanner` (run in
decoding order, on the query grey images only, so its decisions never depend on thread timing) compares each
frame with the picture its previous keypoints describe:

1. the camera's translation: phase correlation of the whole picture and, when that leaves much of the picture
   unexplained (a character in front of a panning background pulls the single peak its way), the most common
   shift of 4x3 blocks; the one that explains more of the picture wins;
2. that picture moved by the translation, compared cell by cell (`CELL` px): a cell whose mean absolute
   difference exceeds `threshold` (or that the camera has just revealed) changed; changed cells grow by one
   cell (SIFT's support reaches past a keypoint's cell) into the *region*;
3. a *full* extraction when there is no previous picture, the region is over `max_changed` of the frame, the
   translation is over `max_shift` of a side, or `refresh` frames have been assembled since the last full one
   (so approximations cannot pile up); else a *partial* one: SIFT on each connected part of the region (with a
   `MARGIN` of context), keeping the new keypoints inside the region at or above the last full extraction's
   weakest kept response, plus the previous keypoints outside it, moved by the translation (descriptors do not
   change under translation) with their vote search results; of both together at most the detector's budget
   (`query_features`), the strongest, as a whole extraction keeps. Only new keypoints at or above that response are
   searched, before the previous frame's features are ready (`search_new`; the budget then drops a few percent).

The picture the keypoints describe is then the previous one moved, with the region replaced by the new frame,
so slow drifts (lighting, a slow zoom) still accumulate into changed cells against it. Verification, colour
checks and fusion are unchanged; `VideoLimits.reuse_keypoints = False` turns the whole mechanism off.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np

from mamori.screening.image.local import LocalFeatureDetector, QueryFeatures, extract_with_response

CELL = 16  # px of the query grey image per change cell
BLUR = 1.2  # Gaussian sigma (px) both pictures get before they are compared
MARGIN = 24  # px of context around a re-extracted part (SIFT's descriptor window and scale space)


@dataclass(frozen=True)
class FramePlan:
    full: bool
    shift: tuple[float, float] = (0.0, 0.0)  # (dx, dy): previous picture -> this frame
    boxes: tuple[tuple[int, int, int, int], ...] = ()  # (x0, y0, x1, y1) crops to re-extract, query px
    labels: np.ndarray | None = None  # (gh, gw) int32: region part (1..) of each cell, 0 outside the region
    changed: float = 1.0  # fraction of cells in the region

    @property
    def partial(self) -> bool:
        return not self.full


def _shift_image(img: np.ndarray, dx: float, dy: float) -> tuple[np.ndarray, np.ndarray]:
    """`img` translated by (dx, dy) (bilinear) and a mask of the pixels that came from outside it."""
    h, w = img.shape
    m = np.array([[1.0, 0.0, dx], [0.0, 1.0, dy]], np.float32)
    moved = cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    valid = np.zeros((h, w), np.uint8)
    # a pixel is 'from outside' when its source lies over half a pixel beyond the edge (replicated border)
    x0, x1 = max(0, round(dx)), min(w, w + round(dx))
    y0, y1 = max(0, round(dy)), min(h, h + round(dy))
    if x1 > x0 and y1 > y0:
        valid[y0:y1, x0:x1] = 1
    return moved, valid == 0


@functools.lru_cache(maxsize=8)
def _cell_scale(h: int, w: int) -> np.ndarray:
    """Per cell, its area over the pixels of the picture it holds (edge cells of a picture that is not a whole
    number of cells hold fewer)."""
    gh, gw = -(-h // CELL), -(-w // CELL)
    ones = np.zeros((gh * CELL, gw * CELL), np.float32)
    ones[:h, :w] = 1.0
    counts = ones.reshape(gh, CELL, gw, CELL).sum(axis=(1, 3))
    scale = np.asarray(CELL * CELL / np.maximum(counts, 1.0), np.float32)
    scale.flags.writeable = False  # shared by every caller of the cache
    return scale


def _cell_means(a: np.ndarray) -> np.ndarray:
    """The mean of `a` over each CELL x CELL cell (ceil(h / CELL) x ceil(w / CELL) cells) (the picture's own pixels only): OpenCV's area resize of the
    zero-padded picture (an exact box average at a whole-number scale), scaled where an edge cell is partial."""
    h, w = a.shape
    gh, gw = -(-h // CELL), -(-w // CELL)
    pad = cv2.copyMakeBorder(a, 0, gh * CELL - h, 0, gw * CELL - w, cv2.BORDER_CONSTANT, value=0)
    means = cv2.resize(pad, (gw, gh), interpolation=cv2.INTER_AREA)
    return np.asarray(means * _cell_scale(h, w), np.float32)


def _block_shift(a: np.ndarray, b: np.ndarray, ny: int = 3, nx: int = 4) -> tuple[float, float] | None:
    """The translation most blocks agree on (within a pixel), or None when no two blocks agree."""
    h, w = a.shape
    bh, bw = h // ny, w // nx
    if bh < 32 or bw < 32:
        return None
    win = cv2.createHanningWindow((bw, bh), cv2.CV_32F)
    found = []
    for j in range(ny):
        for i in range(nx):
            sa = np.ascontiguousarray(a[j * bh : (j + 1) * bh, i * bw : (i + 1) * bw])
            sb = np.ascontiguousarray(b[j * bh : (j + 1) * bh, i * bw : (i + 1) * bw])
            (dx, dy), _ = cv2.phaseCorrelate(sa, sb, win)
            found.append((dx, dy))
    best: list[tuple[float, float]] = []
    for dx, dy in found:
        near = [(x, y) for x, y in found if abs(x - dx) <= 1.0 and abs(y - dy) <= 1.0]
        if len(near) > len(best):
            best = near
    if len(best) < 2:
        return None
    return float(np.median([x for x, _ in best])), float(np.median([y for _, y in best]))


class FramePlanner:
    """Decides, frame by frame in decoding order, what of the local features must be extracted anew."""

    def __init__(
        self,
        threshold: float = 6.0,
        max_changed: float = 0.5,
        max_shift: float = 0.15,
        refresh: int = 8,
    ) -> None:
        self.threshold = threshold
        self.max_changed = max_changed
        self.max_shift = max_shift
        self.refresh = refresh
        self._picture: np.ndarray | None = None  # float32 grey picture the current keypoints describe
        self._since_full = 0

    def _full(self, gray: np.ndarray) -> FramePlan:
        self._picture = gray.astype(np.float32)
        self._since_full = 0
        return FramePlan(full=True)

    def _changes(self, gray: np.ndarray, dx: float, dy: float) -> tuple[np.ndarray, np.ndarray]:
        """(changed cells, the previous picture moved by (dx, dy))."""
        assert self._picture is not None
        moved, outside = _shift_image(self._picture, dx, dy)
        # compared at SIFT's own base smoothing: sub-pixel resampling of fine texture and coding noise are not
        # changes a keypoint would see
        diff = cv2.absdiff(cv2.GaussianBlur(moved, (0, 0), BLUR), cv2.GaussianBlur(gray, (0, 0), BLUR))
        changed = _cell_means(diff) > self.threshold
        changed |= _cell_means(outside.astype(np.float32)) > 0.25
        return changed, moved

    def plan(self, gray: np.ndarray, full: bool = False) -> FramePlan:
        """The plan for the next analysed frame (`full`: extract it whole, e.g. at a shot change)."""
        g = gray.astype(np.float32)
        prev = self._picture
        if full or prev is None or prev.shape != g.shape or self._since_full >= self.refresh:
            return self._full(g)
        h, w = g.shape
        (dx, dy), _ = cv2.phaseCorrelate(prev, g)
        changed, moved = self._changes(g, dx, dy)
        if changed.mean() > 0.25:
            alt = _block_shift(prev, g)
            if alt is not None and (abs(alt[0] - dx) > 1.0 or abs(alt[1] - dy) > 1.0):
                c2, m2 = self._changes(g, *alt)
                if c2.mean() < changed.mean():
                    (dx, dy), changed, moved = alt, c2, m2
        if abs(dx) > self.max_shift * w or abs(dy) > self.max_shift * h:
            return self._full(g)
        region = cv2.dilate(changed.astype(np.uint8), np.ones((3, 3), np.uint8))
        frac = float(region.mean())
        if frac > self.max_changed:
            return self._full(g)
        n, labels = cv2.connectedComponents(region, connectivity=8)
        boxes = []
        for k in range(1, n):
            ys, xs = np.nonzero(labels == k)
            boxes.append(
                (
                    max(0, int(xs.min()) * CELL - MARGIN),
                    max(0, int(ys.min()) * CELL - MARGIN),
                    min(w, (int(xs.max()) + 1) * CELL + MARGIN),
                    min(h, (int(ys.max()) + 1) * CELL + MARGIN),
                )
            )
        # the picture the assembled keypoints will describe: the previous one moved, the region from this frame
        big = cv2.resize(
            region, (labels.shape[1] * CELL, labels.shape[0] * CELL), interpolation=cv2.INTER_NEAREST
        )
        mask = big[:h, :w].astype(bool)
        moved[mask] = g[mask]
        self._picture = moved
        self._since_full += 1
        return FramePlan(False, (float(dx), float(dy)), tuple(boxes), labels.astype(np.int32), frac)


@dataclass(frozen=True)
class NewKeypoints:
    xy: np.ndarray
    desc: np.ndarray
    response: np.ndarray
    # `search_new`: only the keypoints at or above this response are kept, with their vote search done
    searched_above: float | None = None
    sims: np.ndarray | None = None
    ids: np.ndarray | None = None


def search_new(det: LocalFeatureDetector, new: NewKeypoints, min_response: float) -> NewKeypoints:
    """The new keypoints at or above `min_response` (the last whole extraction's weakest kept response, the same
    for every frame assembled since) with their vote search done: it needs nothing of the previous frame, so it
    runs before that frame's features are ready. `merge` drops those the budget then leaves out (a few percent)."""
    keep = new.response >= min_response
    sims, ids = det.search(new.desc[keep])
    return NewKeypoints(new.xy[keep], new.desc[keep], new.response[keep], min_response, sims, ids)


def partial_features(det: LocalFeatureDetector, gray: np.ndarray, plan: FramePlan) -> NewKeypoints:
    """Keypoints inside the plan's region, each part extracted from its box (with context around it). Runs in
    parallel with the previous frame's analysis: it needs nothing of it."""
    assert plan.labels is not None
    labels = plan.labels
    total = gray.shape[0] * gray.shape[1]
    xys, descs, resps = [], [], []
    for k, (x0, y0, x1, y1) in enumerate(plan.boxes, start=1):
        crop = gray[y0:y1, x0:x1]
        # budget: twice this crop's share of the whole-frame budget; the response floor decides in `merge`
        n = max(64, int(2 * det.query_features * crop.size / total)) if det.query_features > 0 else 0
        xy, desc, resp = extract_with_response(crop, n)
        if not len(xy):
            continue
        xy = xy + np.array([x0, y0], np.float32)
        cx = np.clip((xy[:, 0] // CELL).astype(np.int64), 0, labels.shape[1] - 1)
        cy = np.clip((xy[:, 1] // CELL).astype(np.int64), 0, labels.shape[0] - 1)
        keep = labels[cy, cx] == k
        xys.append(xy[keep])
        descs.append(desc[keep])
        resps.append(resp[keep])
    return NewKeypoints(
        np.concatenate(xys) if xys else np.zeros((0, 2), np.float32),
        np.concatenate(descs) if descs else np.zeros((0, 128), np.float32),
        np.concatenate(resps) if resps else np.zeros(0, np.float32),
    )


def merge(
    det: LocalFeatureDetector, prev: QueryFeatures, new: NewKeypoints, plan: FramePlan, shape: tuple[int, int]
) -> QueryFeatures:
    """The previous frame's keypoints outside the region, moved by the camera translation (with their search
    results), plus the new ones inside it at or above the previous full extraction's weakest kept response
    (searched now, only these, unless `search_new` searched them already). The carried keypoints come first and keep their ratio-test results against the
    views the previous frame verified (`QueryFeatures.parent_ratios`: complete once the previous frame's
    analysis is done, which `video/screen.py` waits for before verifying this one)."""
    assert plan.labels is not None
    labels = plan.labels
    h, w = shape
    dx, dy = plan.shift
    xy = prev.xy + np.array([dx, dy], np.float32)
    inside = (xy[:, 0] >= 0) & (xy[:, 0] < w) & (xy[:, 1] >= 0) & (xy[:, 1] < h)
    cx = np.clip((xy[:, 0] // CELL).astype(np.int64), 0, labels.shape[1] - 1)
    cy = np.clip((xy[:, 1] // CELL).astype(np.int64), 0, labels.shape[0] - 1)
    old = inside & (labels[cy, cx] == 0)
    searched = new.searched_above == prev.min_response and new.sims is not None and new.ids is not None
    fresh = new.response >= prev.min_response
    budget = det.query_features
    if budget > 0 and int(old.sum() + fresh.sum()) > budget:
        # the whole extraction's rule: the `budget` strongest keypoints of the picture. Without it the assembled
        # set grows past a whole one (carried keypoints a fresh extraction would now rank below its budget), and
        # their extra votes can push a verified reference view out of the candidates a whole frame verifies.
        resp = np.concatenate([prev.response[old], new.response[fresh]])
        floor = float(np.sort(resp)[-budget])
        old &= prev.response >= floor
        fresh &= new.response >= floor
    desc = new.desc[fresh]
    if searched:
        assert new.sims is not None and new.ids is not None
        sims, ids = new.sims[fresh], new.ids[fresh]
    else:
        sims, ids = det.search(desc)
    return QueryFeatures(
        np.concatenate([xy[old], new.xy[fresh]]),
        np.concatenate([prev.desc[old], desc]),
        np.concatenate([prev.response[old], new.response[fresh]]),
        np.concatenate([prev.sims[old], sims]),
        np.concatenate([prev.ids[old], ids]),
        shape,
        prev.min_response,
        parent_ratios=prev.ratios,
        carried=np.nonzero(old)[0],
    )
