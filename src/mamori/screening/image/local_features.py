"""Local-feature building blocks: SIFT extraction as RootSIFT, image resizing, and the records the detector
(`mamori.screening.image.local`) and the video tracker pass around (query features, reference views, verified
matches). Reference signals are computed here (`reference_signal`), so the detector module only indexes and
verifies.
"""

from __future__ import annotations

from dataclasses import dataclass
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


def reference_signal(pixels: Any) -> dict[str, np.ndarray]:
    """One reference's cached local-feature signal: its normalised size, and for the picture and its mirror image
    (views "0" and "1") keypoints, RootSIFT descriptors (float16), CIELAB colours around each keypoint and a
    CIELAB colour thumbnail."""
    rgb = as_rgb(pixels)
    gray, s = resize_to(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), REF_SIDE, 4.0)
    if s != 1.0:
        rgb = cv2.resize(rgb, gray.shape[::-1], interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR)
    out: dict[str, np.ndarray] = {"size": np.array(gray.shape[::-1], np.int32)}
    for tag, img, col in (
        ("0", gray, rgb),
        ("1", np.ascontiguousarray(gray[:, ::-1]), np.ascontiguousarray(rgb[:, ::-1])),
    ):
        xy, desc = extract(img, REF_FEATURES)
        out["xy" + tag] = xy
        out["d" + tag] = desc.astype(np.float16)
        out["c" + tag] = patch_colours(col, xy, COLOUR_RADIUS).astype(np.float16)
        out["t" + tag] = lab_thumb(col).astype(np.float16)
    return out
