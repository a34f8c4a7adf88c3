"""Colour checks for local-feature matches: patch colours in CIELAB, and the paint of a matched region.

SIFT reads grey levels only, so one line drawing painted in two palettes (two characters from one template, a
recoloured look-alike) matches geometrically. `palette_disagrees` compares the paint of the region a match covers,
reference vs query, so such a match does not count as the reference's character (see local.py).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

WEAK_COLOUR_DE = 15.0  # colour_distance below which two patches agree in colour
WEAK_MIN_CHROMA = 6.0  # CIELAB chroma below which a patch is grey: no colour evidence
# Calibrated on benchmarks/visual_bench.py (hard-negative and new-drawing tiers; copy/edited must stay at 100%).
PALETTE_MIN_CELLS = 12
PALETTE_COHERENT = 0.8  # fraction of a disagreeing area's query cells sharing one colour: a repaint
PALETTE_PAD = 0.5  # the matched region: the inliers' box grown by this fraction of its size on each side
PALETTE_BIN = np.array([25.0, 16.0, 16.0], np.float32)  # CIELAB bin of one paint area
PALETTE_MAJOR = 0.08  # a paint area of at least this fraction of the compared cells ...
PALETTE_AREA_AGREE = 0.5  # ... must agree at least this much
PALETTE_DE = 15.0  # CIELAB distance (lightness at full weight) below which a cell agrees
PALETTE_CELL = 8  # px of the normalised reference per cell of its colour thumbnail
PALETTE_MAX_OFFSET = 20.0  # a larger common offset (colour_distance units) is another palette, not a tint


def patch_colours(rgb: np.ndarray, xy: np.ndarray, radius: float | np.ndarray) -> np.ndarray:
    """Mean CIELAB colour (n, 3) of the square of half-side `radius` around each point (integral image).

    Only the box that holds the squares is converted and integrated (a match covers part of a scene; converting
    the whole 1024 px query to float CIELAB cost more than the rest of the colour checks)."""
    if len(xy) == 0:
        return np.zeros((0, 3), np.float32)
    h, w = rgb.shape[:2]
    r = np.maximum(1.0, np.broadcast_to(np.asarray(radius, np.float64), (len(xy),)))
    x0 = np.clip(np.floor(xy[:, 0] - r), 0, w - 1).astype(np.int64)
    y0 = np.clip(np.floor(xy[:, 1] - r), 0, h - 1).astype(np.int64)
    x1 = np.clip(np.ceil(xy[:, 0] + r) + 1, x0 + 1, w).astype(np.int64)
    y1 = np.clip(np.ceil(xy[:, 1] + r) + 1, y0 + 1, h).astype(np.int64)
    bx, by = int(x0.min()), int(y0.min())
    crop = rgb[by : int(y1.max()), bx : int(x1.max())]
    lab = cv2.cvtColor(crop.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)
    ii = cv2.integral(lab)  # (h+1, w+1, 3) over the crop, float64
    x0, x1, y0, y1 = x0 - bx, x1 - bx, y0 - by, y1 - by
    sums = ii[y1, x1] - ii[y0, x1] - ii[y1, x0] + ii[y0, x0]
    area = ((x1 - x0) * (y1 - y0)).astype(np.float64)
    return (sums / area[:, None]).astype(np.float32)


def colour_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """CIELAB distance with lightness at half weight (exposure changes more than hue between renderings)."""
    d = (a - b).astype(np.float32)
    return np.sqrt((0.5 * d[:, 0]) ** 2 + d[:, 1] ** 2 + d[:, 2] ** 2)


def lab_thumb(rgb: np.ndarray) -> np.ndarray:
    """Mean CIELAB per PALETTE_CELL x PALETTE_CELL cell of a normalised reference (its paint, kept small)."""
    h, w = rgb.shape[:2]
    size = (max(1, w // PALETTE_CELL), max(1, h // PALETTE_CELL))
    small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(small.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)


def _flat_cells(thumb: np.ndarray) -> np.ndarray:
    """(h, w) bool: cells whose four neighbours share their colour. A cell on an outline mixes two paints (and, once
    the figure is pasted into a scene, the scene's), so only the inside of painted areas is compared."""
    pad = np.pad(thumb, ((1, 1), (1, 1), (0, 0)), mode="edge")
    c = thumb.reshape(-1, 3)
    flat = np.ones(thumb.shape[:2], bool)
    for dy, dx in ((0, 1), (2, 1), (1, 0), (1, 2)):
        n = pad[dy : dy + thumb.shape[0], dx : dx + thumb.shape[1]].reshape(-1, 3)
        flat &= (colour_distance(c, n) < WEAK_COLOUR_DE).reshape(thumb.shape[:2])
    return flat


def palette_disagrees(
    thumb: np.ndarray, src: np.ndarray, dst: np.ndarray, scale: float, rotation: float, qrgb: np.ndarray
) -> bool:
    """True when the region a match covers is painted otherwise in the query than in the reference.

    `thumb`: the reference's `lab_thumb`; `src`/`dst`: inlier points (reference, query); `scale`/`rotation`:
    the match's similarity transform; `qrgb`: the query in RGB at the size of its keypoints.

    The matched region is the box of the reference's inliers; each chromatic cell of the reference's colour
    thumbnail there is mapped through the match's similarity transform and compared with the query's mean
    colour at that place. Keypoints alone are not enough: they match where both drawings agree (outlines on
    the shared skin), while the hair and eyes that tell two palettes apart hold none. The cells' median CIELAB
    offset is removed first: a tinted or exposure-shifted copy moves every cell alike, a palette swap moves
    them apart. Too few chromatic cells (line art, grey scenery) is no evidence either way.
    """
    if len(src) < 2:
        return False
    src, dst = src.astype(np.float64), dst.astype(np.float64)
    th = math.radians(rotation)
    rot = scale * np.array([[math.cos(th), -math.sin(th)], [math.sin(th), math.cos(th)]])
    shift = np.median(dst - src @ rot.T, axis=0)
    th_, tw_ = thumb.shape[:2]
    gy, gx = np.mgrid[0:th_, 0:tw_]
    centres = np.stack([(gx.ravel() + 0.5) * PALETTE_CELL, (gy.ravel() + 0.5) * PALETTE_CELL], axis=1)
    lo, hi = src.min(axis=0), src.max(axis=0)
    # the inliers sit where the drawings agree; the paint around them is the test
    grow = PALETTE_PAD * (hi - lo)
    (x0, y0), (x1, y1) = lo - grow, hi + grow
    ref_lab = thumb.reshape(-1, 3)
    in_box = (centres[:, 0] >= x0) & (centres[:, 0] <= x1) & (centres[:, 1] >= y0) & (centres[:, 1] <= y1)
    t = thumb
    border = np.concatenate([t[0], t[-1], t[:, 0], t[:, -1]])
    backdrop = colour_distance(ref_lab, np.median(border, axis=0)[None]) < WEAK_COLOUR_DE  # not the figure
    chromatic = (
        (np.hypot(ref_lab[:, 1], ref_lab[:, 2]) >= WEAK_MIN_CHROMA) & _flat_cells(t).ravel() & ~backdrop
    )
    mapped = centres @ rot.T + shift
    qh, qw = qrgb.shape[:2]
    on_query = (mapped[:, 0] >= 0) & (mapped[:, 0] < qw) & (mapped[:, 1] >= 0) & (mapped[:, 1] < qh)
    keep = in_box & chromatic & on_query
    if int(keep.sum()) < PALETTE_MIN_CELLS:
        return False
    rc = ref_lab[keep]
    qc = patch_colours(qrgb, mapped[keep].astype(np.float32), 0.5 * PALETTE_CELL * scale)
    offset = np.median(qc - rc, axis=0)
    if float(colour_distance(offset[None], np.zeros((1, 3), np.float32))[0]) > PALETTE_MAX_OFFSET:
        return True
    agree = np.linalg.norm(rc + offset - qc, axis=1) < PALETTE_DE  # CIE76: a darker skin is another paint
    # Per paint area (cells of one coarse CIELAB bin): a swap repaints whole areas (the hair), which a large
    # area that still agrees (the skin) would outvote in the overall fraction.
    _, group = np.unique(np.floor(rc / PALETTE_BIN).astype(np.int64), axis=0, return_inverse=True)
    group = group.ravel()
    sizes = np.bincount(group)
    agreeing = np.bincount(group, weights=agree.astype(np.float64))
    major = sizes >= max(PALETTE_MIN_CELLS, PALETTE_MAJOR * len(rc))
    # A repainted area turns into one other paint; a limb moved in another frame of the same art lands on
    # scattered colours (backdrop, other parts), which is no evidence of another palette.
    for g in np.nonzero(major & (agreeing < PALETTE_AREA_AGREE * sizes))[0]:
        got = qc[group == g]
        if np.mean(np.linalg.norm(got - np.median(got, axis=0), axis=1) < PALETTE_DE) >= PALETTE_COHERENT:
            return True
    return False
