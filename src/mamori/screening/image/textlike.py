"""A cheap text-likelihood prefilter: is there a line of writing in this picture worth an OCR pass?

Classic morphological text localisation, no model: the morphological gradient of a reduced grey image is
thresholded (a fixed contrast: legible writing stands out from its ground; `PASSES` may add Otsu passes),
closed along the line direction (horizontal, and vertical for Japanese columns) so the letters of a word join,
and each joined region is kept when it is shaped like a line of writing: long and thin, densely filled, and
crossed by many strokes (edge rises per line height). About 6 ms of CPU for a 1024x768 picture; its recall and
how often it fires on drawn art are measured in `benchmarks/ocr_bench.py`. It is a heuristic that misses about
half the writing on busy art: `ocr_prefilter=false` trades the cost for reading every picture.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

# (longest side analysed, closing length in px at that size, gradient threshold or None for Otsu)
PASSES: tuple[tuple[int, int, int | None], ...] = ((512, 7, 96), (256, 7, 96))  # the second: large writing
MIN_ASPECT = 2.0  # a word or longer: length / thickness
MIN_FILL = 0.45  # share of the region's box its pixels fill
MIN_RISES = 3  # strokes crossed by the region's middle scan lines
MIN_RISES_PER_HEIGHT = 0.6  # strokes per line height along the line
_GRAD = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))


def _gray(pixels: Any) -> np.ndarray:
    a = np.asarray(pixels)
    if a.ndim == 2:
        return a.astype(np.uint8, copy=False)
    if a.shape[2] == 4:
        return cv2.cvtColor(a, cv2.COLOR_RGBA2GRAY)
    return cv2.cvtColor(a, cv2.COLOR_RGB2GRAY)


def _pass(gray: np.ndarray, side: int, close: int, thr: int | None) -> list[tuple[int, int, int, int]]:
    h, w = gray.shape
    s = min(1.0, side / max(h, w))
    small = cv2.resize(gray, (max(1, int(w * s)), max(1, int(h * s))), interpolation=cv2.INTER_AREA)
    grad = cv2.morphologyEx(small, cv2.MORPH_GRADIENT, _GRAD)
    if thr is None:
        _, bw = cv2.threshold(grad, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    else:
        _, bw = cv2.threshold(grad, thr, 255, cv2.THRESH_BINARY)
    on = bw > 0
    out: list[tuple[int, int, int, int]] = []
    for horizontal in (True, False):
        kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (close, 1) if horizontal else (1, close))
        closed = cv2.morphologyEx(bw, cv2.MORPH_CLOSE, kernel)
        _, _, stats, _ = cv2.connectedComponentsWithStats(closed, connectivity=8)
        for x, y, bwid, bh, area in stats[1:]:
            long_, short = (bwid, bh) if horizontal else (bh, bwid)
            if short < 5 or short > 100 or long_ < MIN_ASPECT * short:
                continue
            if area / float(bwid * bh) < MIN_FILL:
                continue
            sub = on[y : y + bh, x : x + bwid]
            if not horizontal:
                sub = sub.T
            rises = (sub[:, 1:] & ~sub[:, :-1]).sum(axis=1)
            n = len(rises)
            mid = rises[n // 4 : max(n // 4 + 1, 3 * n // 4)]
            strokes = float(np.median(mid))
            if strokes < MIN_RISES or strokes / (long_ / short) < MIN_RISES_PER_HEIGHT:
                continue
            out.append((int(x / s), int(y / s), int(bwid / s), int(bh / s)))
    return out


def text_regions(pixels: Any) -> list[tuple[int, int, int, int]]:
    """Boxes (x, y, w, h, in the picture's pixels) shaped like lines of writing; empty when none is likely."""
    gray = _gray(pixels)
    if gray.size == 0 or min(gray.shape[:2]) < 8:
        return []
    out: list[tuple[int, int, int, int]] = []
    for side, close, thr in PASSES:
        out.extend(_pass(gray, side, close, thr))
    return out


def text_likely(pixels: Any) -> bool:
    return bool(text_regions(pixels))
