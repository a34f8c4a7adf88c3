"""Local-feature building blocks: SIFT extraction as RootSIFT, image resizing, and the records the detector
(`mamori.screening.image.local`) and the video tracker pass around (query features, reference views, verified
matches). Reference signals are computed here (`reference_signal`), so the detector module only indexes and
verifies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from mamori.screening.image.loading import as_rgb
from mamori.screening.image.palette import lab_thumb, patch_colours

REF_SIDE = 512  # references are scaled (up to 4x up, any amount down) to this longest side
REF_FEATURES = 500  # SIFT keypoints kept per reference view
COLOUR_RADIUS = 5.0  # half-side (px at REF_SIDE) of the square averaged around a keypoint


def root_sift(desc: np.ndarray) -> np.ndarray:
    d = desc.astype(np.float32)
    d /= d.sum(axis=1, keepdims=True) + 1e-7
    return np.sqrt(d)


def inside(pts: np.ndarray, box: tuple[float, float, float, float]) -> float:
    """Fraction of points (n, 2) inside an (x0, y0, x1, y1) box."""
    x0, y0, x1, y1 = box
    ok = (pts[:, 0] >= x0) & (pts[:, 0] <= x1) & (pts[:, 1] >= y0) & (pts[:, 1] <= y1)
    return float(ok.mean()) if len(pts) else 0.0


def gray_of(pixels: Any) -> np.ndarray:
    rgb = as_rgb(pixels)
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)


def resize_to(
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
    xy, desc, _ = extract_with_response(gray, n_features)
    return xy, desc


def extract_with_response(gray: np.ndarray, n_features: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`extract` plus each keypoint's detector response (float32 (n,)); `n_features` 0 keeps every keypoint."""
    if gray.shape[0] < 16 or gray.shape[1] < 16:
        return np.zeros((0, 2), np.float32), np.zeros((0, 128), np.float32), np.zeros(0, np.float32)
    sift = cv2.SIFT_create(nfeatures=n_features)  # type: ignore[attr-defined]
    kps, desc = sift.detectAndCompute(gray, None)
    if desc is None or not kps:
        return np.zeros((0, 2), np.float32), np.zeros((0, 128), np.float32), np.zeros(0, np.float32)
    xy = np.array([k.pt for k in kps], np.float32)
    return xy, root_sift(desc), np.array([k.response for k in kps], np.float32)


@dataclass
class QueryFeatures:
    """A query image's keypoints and their global vote search, in the coordinates of `LocalFeatureDetector.query_gray(pixels)`.

    `min_response`: the weakest response kept when the keypoint budget (`query_features`) was full, else 0; a
    partial re-extraction (mamori.screening.video.tracking) keeps new keypoints above it, so a frame assembled
    from reused and new keypoints follows the same selection rule as one extracted whole."""

    xy: np.ndarray  # (n, 2) float32
    desc: np.ndarray  # (n, 128) float32 RootSIFT
    response: np.ndarray  # (n,) float32
    sims: np.ndarray  # (n, k) similarities of the nearest reference descriptors
    ids: np.ndarray  # (n, k) their view ids
    shape: tuple[int, int]  # (h, w) of the query gray image
    min_response: float = 0.0
    # Lowe ratio-test results by view (`local_verify.ratio_test`: nearest view keypoint, passes), filled as views
    # are verified. A video frame assembled from reused keypoints (video/tracking.py) names the earlier frame's
    # dict and which of its keypoints it carried (its first rows): their results are copied, not recomputed.
    ratios: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    parent_ratios: dict[int, tuple[np.ndarray, np.ndarray]] | None = None
    # (m,) int64: the indices in the earlier frame of this frame's first m keypoints
    carried: np.ndarray | None = None


@dataclass
class View:
    ref: int  # index into refs
    mirrored: bool
    xy: np.ndarray
    desc: np.ndarray
    size: tuple[int, int]  # (w, h) of the normalised reference
    colours: np.ndarray  # (n, 3) mean CIELAB colour around each keypoint (see patch_colours)
    thumb: np.ndarray  # (h, w, 3) CIELAB, one cell per palette.PALETTE_CELL px of the normalised reference


@dataclass(frozen=True)
class Verified:
    view: int
    inliers: int
    matches: int
    scale: float
    rotation: float
    query_points: frozenset[int] = frozenset()  # query keypoint indices that are inliers
    pairs: tuple[tuple[int, int], ...] = ()  # (reference keypoint, query keypoint) of each inlier
    colour: float | None = None  # fraction of inlier pairs whose surroundings agree in colour (weak matches)


def _mirror_permutation() -> np.ndarray:
    """Where each SIFT descriptor element goes when the image is mirrored left-right.

    A SIFT descriptor is a 4 x 4 grid of 8-bin gradient-orientation histograms in the keypoint's own frame (rotated
    to its orientation). Mirroring maps a keypoint's orientation a to 180 - a; in its new frame the grid's rows
    swap (r -> 3 - r) and every gradient's angle relative to the keypoint is negated (bin o -> -o mod 8). So the
    mirror image's descriptor at the mirrored keypoint is the original's with elements permuted (measured on the
    references: mean |difference| 3 against mean element 24, against 22-34 for every other row/column/orientation
    permutation: the rest is sampling)."""
    grid = np.arange(128).reshape(4, 4, 8)[::-1]
    return np.ascontiguousarray(grid[:, :, (8 - np.arange(8)) % 8].reshape(-1))


MIRROR = _mirror_permutation()


def mirror_keypoints(xy: np.ndarray, desc: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """(xy, desc) of the mirror image's view from the picture's own: x -> width - 1 - x, descriptors permuted."""
    out = np.array(xy, np.float32, copy=True)
    if len(out):
        out[:, 0] = width - 1 - out[:, 0]
    return out, np.ascontiguousarray(desc[:, MIRROR])


def reference_signal(pixels: Any) -> dict[str, np.ndarray]:
    """One reference's cached local-feature signal: its normalised size, its keypoints, RootSIFT descriptors
    (float16), CIELAB colours around each keypoint and CIELAB colour thumbnails of the picture ("t0") and of its
    mirror image ("t1"). SIFT runs once: the mirror image's view is derived from the picture's (`reference_views`:
    `mirror_keypoints`; the colours around a mirrored keypoint are the same square's)."""
    rgb = as_rgb(pixels)
    gray, s = resize_to(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), REF_SIDE, 4.0)
    if s != 1.0:
        rgb = cv2.resize(rgb, gray.shape[::-1], interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR)
    xy, desc = extract(gray, REF_FEATURES)
    return {
        "size": np.array(gray.shape[::-1], np.int32),
        "xy0": xy,
        "d0": desc.astype(np.float16),
        "c0": patch_colours(rgb, xy, COLOUR_RADIUS).astype(np.float16),
        "t0": lab_thumb(rgb).astype(np.float16),
        "t1": lab_thumb(np.ascontiguousarray(rgb[:, ::-1])).astype(np.float16),
    }


def reference_views(ri: int, sig: dict[str, np.ndarray]) -> tuple[View, View]:
    """The two views (picture, mirror image) of reference number `ri` from its cached signal."""
    size = (int(sig["size"][0]), int(sig["size"][1]))
    xy, desc = sig["xy0"].astype(np.float32), sig["d0"].astype(np.float32)
    colours = sig["c0"].astype(np.float32)
    mxy, mdesc = mirror_keypoints(xy, desc, size[0])
    return (
        View(ri, False, xy, desc, size, colours, sig["t0"].astype(np.float32)),
        View(ri, True, mxy, mdesc, size, colours, sig["t1"].astype(np.float32)),
    )
