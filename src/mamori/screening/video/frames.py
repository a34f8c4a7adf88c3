"""Cheap per-frame pictures for video sampling: tiny luma thumbnails (shot changes, reuse), a motion thumbnail and
the camera-translation test, the upright RGB frame handed to the detectors. Pure functions of decoded PyAV frames
and numpy arrays; `video/screen.py` decides with them which frames to analyse."""

from __future__ import annotations

from typing import Any

import numpy as np

THUMB = (18, 32)  # rows, cols of the tiny luma thumbnail used for shot changes and reuse
MOTION_SIDE = 128  # longest side of the (area-averaged) luma thumbnail on which camera motion is estimated


def y_plane(frame: Any) -> np.ndarray | None:
    """The frame's luma plane as a (h, w) uint8 view without a copy or colour conversion, when its pixel format
    stores luma first (YUV, NV12/21, grey); else None."""
    if not frame.format.name.startswith(("yuv", "yuvj", "nv12", "nv21", "gray")):
        return None
    plane = frame.planes[0]
    h, w = plane.height, plane.width
    buf = np.frombuffer(plane, np.uint8)
    if buf.size < h * plane.line_size:
        return None
    return buf[: h * plane.line_size].reshape(h, plane.line_size)[:, :w]


def luma_thumb(frame: Any) -> np.ndarray:
    """A (18, 32) float32 luma thumbnail, from a strided view of the Y plane when the format allows."""
    y = y_plane(frame)
    if y is not None:
        h, w = y.shape
        sy, sx = max(1, h // THUMB[0]), max(1, w // THUMB[1])
        t = y[: sy * THUMB[0] : sy, : sx * THUMB[1] : sx].astype(np.float32)
        if t.shape == THUMB:
            return t
    small = frame.reformat(width=THUMB[1], height=THUMB[0], format="gray").to_ndarray()
    return small.astype(np.float32)


def motion_thumb(frame: Any) -> np.ndarray:
    """An area-averaged float32 luma thumbnail (longest side `MOTION_SIDE`) for camera-motion estimation."""
    import cv2

    y = y_plane(frame)
    if y is None:
        y = frame.to_ndarray(format="gray")
    h, w = y.shape[:2]
    s = MOTION_SIDE / max(h, w)
    size = (max(8, round(w * s)), max(8, round(h * s)))
    return cv2.resize(y, size, interpolation=cv2.INTER_AREA).astype(np.float32)


def shifted_copy(a: np.ndarray, b: np.ndarray, threshold: float, max_shift: float) -> bool:
    """True when thumbnail `b` is thumbnail `a` moved by a camera pan/tilt of at most `max_shift` (fraction of
    each side) with almost nothing else changed in the part both frames show.

    The translation is estimated by phase correlation; `a` is moved onto `b` and the overlap (less a margin) is
    compared with the same test as `near_identical`, on 32x18 cells. Content newly revealed at the edge is at
    most `max_shift` of the frame: a character entering there is analysed once the camera has moved further
    (the comparison is always with the last *analysed* frame, so small shifts cannot accumulate unseen)."""
    import cv2

    if max_shift <= 0 or a.shape != b.shape:
        return False
    h, w = a.shape
    (dx, dy), _ = cv2.phaseCorrelate(a, b)
    if abs(dx) > max_shift * w or abs(dy) > max_shift * h:
        return False
    moved = cv2.warpAffine(
        a,
        np.array([[1, 0, dx], [0, 1, dy]], dtype=np.float32),
        (w, h),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )
    mx, my = int(np.ceil(abs(dx))) + 1, int(np.ceil(abs(dy))) + 1
    if 2 * mx >= w or 2 * my >= h:
        return False
    diff = np.abs(moved - b)[my : h - my, mx : w - mx]
    cells = cv2.resize(diff, (THUMB[1], THUMB[0]), interpolation=cv2.INTER_AREA)
    return float(cells.mean()) < threshold and float((cells > 3 * threshold).mean()) < 0.01


def luma_hist(thumb: np.ndarray) -> np.ndarray:
    """16-bin luma histogram (bins of 16 grey levels), normalised; bincount: ~10x cheaper than np.histogram,
    and it runs on every decoded frame."""
    bins = np.clip(thumb, 0, 255).astype(np.uint8) >> 4
    return np.bincount(bins.ravel(), minlength=16).astype(np.float32) / max(1, thumb.size)


def rotation_ccw(frame: Any, stream: Any) -> int:
    """Counter-clockwise degrees (multiple of 90) to turn a decoded frame upright."""
    rot = 0
    try:
        rot = int(round(float(getattr(frame, "rotation", 0) or 0)))
    except (TypeError, ValueError):
        rot = 0
    if rot == 0:
        tag = (stream.metadata or {}).get("rotate")
        if tag:
            try:
                rot = -int(float(tag))  # legacy tag: clockwise degrees
            except ValueError:
                rot = 0
    return int(round(rot / 90.0)) % 4 * 90


def to_rgb(frame: Any, width: int, rot: int) -> np.ndarray:
    w, h = frame.width, frame.height
    if w > width:
        nh = max(2, int(round(h * width / w / 2)) * 2)
        rgb = frame.reformat(width=width, height=nh, format="rgb24").to_ndarray()
    else:
        rgb = frame.to_ndarray(format="rgb24")
    if rot:
        rgb = np.ascontiguousarray(np.rot90(rgb, k=rot // 90))
    return rgb


def near_identical(a: np.ndarray, b: np.ndarray, threshold: float) -> bool:
    """Reuse a frame's result only when almost nothing changed anywhere: a small mean difference is not enough,
    because a character entering a fifth of the frame moves the mean of the whole thumbnail very little."""
    diff = np.abs(a - b)
    return float(diff.mean()) < threshold and float((diff > 3 * threshold).mean()) < 0.01
