"""Drawn-face reuse between analysed video frames: run the face detector only where the picture changed.

The signature detector's face scan (`image/faces.py`, a sliding window over the whole picture) was the largest
cost of an analysed frame (~180 ms CPU of a 640x360 frame, whether or not a face is there) and was paid again on
every analysed frame of a panning shot. With keypoint reuse on, `video/tracking.FramePlanner` already knows,
for every partial frame, the camera's translation and the cells that changed against the picture the previous
frame's results describe. Faces follow the same rule as keypoints:

* a face of the previous frame whose head (the face box raised by a third, what the signature samples) lies, after
  the camera's translation, wholly inside the frame and on unchanged cells is *carried*: the same pixels, so the
  same parts and histogram; its identity is looked up again at its new place (`sighting_at`);
* the detector runs on crops around the changed region, each widened by `FACE_MARGIN` px (a face up to that
  size that the region only touches is seen whole), and the faces found there are added;
* the whole frame is scanned instead when the crops would cover more than `MAX_CROPPED` of it, when the frame is
  larger than the detector's own working size (it would be shrunk: crops would be seen at another scale), when a
  face found in a crop touches the crop's edge inside the frame (it may be cut), or when a previous face that the
  region touches is not wholly inside a crop (it may have been cut).

So a face is never assembled from a cut-off scan; a full plan (shot change, big change, `refresh`) scans the whole
frame, which bounds how long an approximation can last. The crops are scanned before the previous frame's faces
are needed (`scan_plan`, then `plan_sightings(..., scanned)`), so consecutive frames' scans overlap on the
workers. `VideoLimits.reuse_keypoints = False` turns this off with keypoint reuse. Pure functions of the frame,
its plan and the previous frame's faces: the outcome never depends on thread timing.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from mamori.screening.image import faces
from mamori.screening.image.signature import FaceSighting, SignatureDetector
from mamori.screening.video.tracking import CELL, FramePlan

FACE_MARGIN = 32  # px of the analysed frame around the changed region scanned for faces
MAX_CROPPED = 0.6  # crops covering more of the frame than this: scan the whole frame
ALIGN = (
    4  # crop origins on multiples of the detector's window step, so windows fall where a whole scan puts them
)
HEAD_RAISE = 0.33  # the signature's head region: the face box raised by a third of its height (signature.py)


Box = tuple[int, int, int, int]  # x0, y0, x1, y1 (exclusive) in the analysed frame's pixels


def _head(box: tuple[int, int, int, int]) -> tuple[float, float, float, float]:
    x, y, w, h = box
    return (float(x), y - HEAD_RAISE * h, float(x + w), float(y + h))


def sighting_at(sig: SignatureDetector, f: FaceSighting, box: tuple[int, int, int, int]) -> FaceSighting:
    """The face `f` (same parts and head histogram) at `box` in the frame: its identity and evidence looked up
    again, so the evidence names where the face is now."""
    if f.hist is None:
        return FaceSighting(box, f.parts)
    found = sig._face_matches(f.parts, f.hist, np.array(box, np.int32))
    if not found:
        return FaceSighting(box, f.parts, hist=f.hist)
    score, ev, ref = found[0]
    return FaceSighting(box, f.parts, ref.work, ref.character, score, ev, f.hist)


def _union_boxes(boxes: list[Box]) -> list[Box]:
    """Overlapping boxes joined until none overlap (a face scan of the overlap twice would find it twice)."""
    out = list(boxes)
    merged = True
    while merged:
        merged = False
        for i in range(len(out)):
            for j in range(i + 1, len(out)):
                a, b = out[i], out[j]
                if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]:
                    out[i] = (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
                    del out[j]
                    merged = True
                    break
            if merged:
                break
    return sorted(out)


def face_crops(
    plan: FramePlan, frame_shape: tuple[int, int], gray_shape: tuple[int, int]
) -> list[Box] | None:
    """The crops of the analysed frame to scan for faces under a partial `plan`, or None: scan the whole frame."""
    if plan.full or plan.labels is None:
        return None
    h, w = frame_shape
    if max(h, w) > faces.DETECT_SIDE:
        return None
    sx, sy = w / gray_shape[1], h / gray_shape[0]
    crops = []
    for x0, y0, x1, y1 in plan.boxes:
        cx0 = max(0, int(np.floor(x0 * sx)) - FACE_MARGIN) // ALIGN * ALIGN
        cy0 = max(0, int(np.floor(y0 * sy)) - FACE_MARGIN) // ALIGN * ALIGN
        cx1 = min(w, int(np.ceil(x1 * sx)) + FACE_MARGIN)
        cy1 = min(h, int(np.ceil(y1 * sy)) + FACE_MARGIN)
        if cx1 > cx0 and cy1 > cy0:
            crops.append((cx0, cy0, cx1, cy1))
    crops = _union_boxes(crops)
    if sum((c[2] - c[0]) * (c[3] - c[1]) for c in crops) > MAX_CROPPED * h * w:
        return None
    return crops


def scan_crops(sig: SignatureDetector, rgb: np.ndarray, crops: Sequence[Box]) -> list[FaceSighting] | None:
    """Faces found in the crops, in frame coordinates; None when one touches a crop edge inside the frame."""
    h, w = rgb.shape[:2]
    out: list[FaceSighting] = []
    for x0, y0, x1, y1 in crops:
        for f in sig.sightings(np.ascontiguousarray(rgb[y0:y1, x0:x1])):
            bx, by, bw, bh = f.box
            hx0, hy0, hx1, hy1 = _head(f.box)
            cut = (
                (x0 > 0 and hx0 <= 1)
                or (y0 > 0 and hy0 <= 1)
                or (x1 < w and hx1 >= x1 - x0 - 1)
                or (y1 < h and hy1 >= y1 - y0 - 1)
            )
            if cut:
                return None
            out.append(sighting_at(sig, f, (bx + x0, by + y0, bw, bh)))
    return out


def carried(
    sig: SignatureDetector,
    prev: Sequence[FaceSighting],
    plan: FramePlan,
    frame_shape: tuple[int, int],
    gray_shape: tuple[int, int],
    crops: Sequence[Box],
) -> list[FaceSighting] | None:
    """The previous frame's faces moved by the camera, those on unchanged cells only; None when a face the region
    touches is not wholly inside one crop (the scan may have seen it cut)."""
    assert plan.labels is not None
    labels = plan.labels
    h, w = frame_shape
    sx, sy = w / gray_shape[1], h / gray_shape[0]
    dx, dy = plan.shift[0] * sx, plan.shift[1] * sy
    out = []
    for f in prev:
        x, y, bw, bh = f.box
        nx, ny = int(round(x + dx)), int(round(y + dy))
        if nx < 0 or ny < 0 or nx + bw > w or ny + bh > h:
            continue  # moved partly out of the frame: not all its pixels are there to carry
        hx0, hy0, hx1, hy1 = _head((nx, ny, bw, bh))
        hy0 = max(0.0, hy0)  # the signature samples the head inside the frame only
        gx0, gy0 = int(hx0 / sx) // CELL, int(hy0 / sy) // CELL
        gx1 = min(labels.shape[1], int(np.ceil(hx1 / sx / CELL)))
        gy1 = min(labels.shape[0], int(np.ceil(hy1 / sy / CELL)))
        if not labels[gy0:gy1, gx0:gx1].any():
            out.append(sighting_at(sig, f, (nx, ny, bw, bh)))
            continue
        if not any(c[0] <= hx0 and c[1] <= hy0 and hx1 <= c[2] and hy1 <= c[3] for c in crops):
            return None
    return out


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    """Intersection over the smaller of two (x, y, w, h) boxes."""
    ix = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    small = max(1, min(a[2] * a[3], b[2] * b[3]))
    return ix * iy / small


CropScan = tuple[list[Box], list[FaceSighting] | None]  # crops of a partial plan, the faces found in them


def scan_plan(
    sig: SignatureDetector, rgb: np.ndarray, plan: FramePlan, gray_shape: tuple[int, int]
) -> CropScan | None:
    """The crops a partial `plan` scans and the faces found there (`scan_crops`), or None: the plan scans the
    whole frame. Needs nothing of the previous frame, so it runs while that frame's faces are still coming."""
    crops = face_crops(plan, (rgb.shape[0], rgb.shape[1]), gray_shape)
    return None if crops is None else (crops, scan_crops(sig, rgb, crops))


def plan_sightings(
    sig: SignatureDetector,
    rgb: np.ndarray,
    plan: FramePlan,
    gray_shape: tuple[int, int],
    prev: Sequence[FaceSighting] | None,
    scanned: CropScan | None = None,
) -> tuple[list[FaceSighting], bool]:
    """(the frame's faces, whether they were assembled from crops and carried faces rather than a whole scan).
    `scanned`: `scan_plan`'s result when the crops were scanned before `prev` was known (the same crops and
    faces this computes otherwise; wasted only when a carried face turns out to need the whole scan)."""
    frame_shape = (rgb.shape[0], rgb.shape[1])
    if scanned is not None:
        crops: list[Box] | None = scanned[0]
    else:
        crops = face_crops(plan, frame_shape, gray_shape) if prev is not None else None
    if crops is not None and prev is not None:
        kept = carried(sig, prev, plan, frame_shape, gray_shape, crops)
        if scanned is not None:
            fresh = scanned[1] if kept is not None else None
        else:
            fresh = scan_crops(sig, rgb, crops) if kept is not None else None
        if kept is not None and fresh is not None:
            # a carried face the margin of a crop saw again is that crop's (fresher) sighting
            kept = [k for k in kept if not any(_overlap(k.box, f.box) > 0.5 for f in fresh)]
            return fresh + kept, True
    return sig.sightings(rgb), False
