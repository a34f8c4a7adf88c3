"""What the drawn-face detector's scan parameters trade: faces kept against CPU time (screening/image/faces.py:
STEP, SCALE_FACTOR, MIN_WINDOW).

The nvxs detector slides a window over the picture at every scale from MIN_WINDOW up, moving it STEP x the scale's
factor each time; SCALE_FACTOR is the ratio between scales. Its largest window is 32 x (shorter side) / MIN_WINDOW,
so a larger minimum also lowers the maximum: big faces are lost, not only small ones. This script runs the
detector with the shipped values on every picture of the visual_bench tiers, 60 of the bench's synthetic
references and 24 drawn faces (plain and redrawn, `scripts/calibrate_signature.py`'s), then with other values,
and prints per setting the CPU time and how many of the shipped setting's faces (likelihood >= 0.5) are still
found (same place: IoU > 0.4), by tier. A face the shipped setting does not find but another does is counted as
new: the detector's answer moves with its window grid.

    python scripts/face_scan_sweep.py

Test data: ../shared/testdata (see SOURCES.md there).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import calibrate_signature  # noqa: E402
from benchmarks.visual_bench import TESTDATA, tiers  # noqa: E402

from mamori.screening.image import faces, synth  # noqa: E402

SETTINGS = [  # (STEP, SCALE_FACTOR, MIN_WINDOW); the first is the shipped one
    (faces.STEP, faces.SCALE_FACTOR, faces.MIN_WINDOW),
    (5.0, faces.SCALE_FACTOR, faces.MIN_WINDOW),
    (faces.STEP, 1.15, faces.MIN_WINDOW),
    (4.5, 1.12, faces.MIN_WINDOW),
    (5.0, 1.15, faces.MIN_WINDOW),
    (6.0, 1.2, faces.MIN_WINDOW),
    (faces.STEP, faces.SCALE_FACTOR, 50.0),
]


def pictures() -> list[tuple[str, np.ndarray]]:
    out = [(tier, px) for tier, items in tiers().items() for _, px, _ in items]
    out += [
        ("synthetic reference", synth.flatten(synth.draw_character(5000 + i, (200 + (i % 5) * 20, 280))))
        for i in range(60)
    ]
    for i in range(12):
        pal = synth.face_palette(i)
        out.append(("drawn face", synth.draw_face(pal, seed=1000 + i)))
        out.append(("redrawn face", calibrate_signature.redraw(pal, 300 + 10 * i, 300, shift=6)))
    return out


def iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    ix = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    iy = max(0, min(ay + ah, by + bh) - max(ay, by))
    inter = ix * iy
    return inter / max(1e-9, aw * ah + bw * bh - inter)


def scan(
    imgs: list[tuple[str, np.ndarray]], setting: tuple[float, float, float]
) -> tuple[float, list[list[tuple[int, int, int, int]]]]:
    shipped = (faces.STEP, faces.SCALE_FACTOR, faces.MIN_WINDOW)
    faces.STEP, faces.SCALE_FACTOR, faces.MIN_WINDOW = setting
    try:
        t = time.process_time()
        boxes = [[f.box for f in faces.detect_faces(px) if f.likelihood >= 0.5] for _, px in imgs]
        return time.process_time() - t, boxes
    finally:
        faces.STEP, faces.SCALE_FACTOR, faces.MIN_WINDOW = shipped


def main() -> int:
    if not TESTDATA.is_dir():
        print(f"test data not found at {TESTDATA}", file=sys.stderr)
        return 2
    if not faces.available():
        print("the drawn-face detector did not load (animeface wheel)", file=sys.stderr)
        return 2
    imgs = pictures()
    base_s, base = scan(imgs, SETTINGS[0])
    total = sum(len(b) for b in base)
    print(f"{len(imgs)} pictures; shipped setting {SETTINGS[0]}: {total} faces, {base_s:.2f} CPU-s")
    for setting in SETTINGS[1:]:
        s, got = scan(imgs, setting)
        lost: dict[str, int] = {}
        kept = new = 0
        for (tier, _), b, g in zip(imgs, base, got, strict=True):
            for f in b:
                if any(iou(f, h) > 0.4 for h in g):
                    kept += 1
                else:
                    lost[tier] = lost.get(tier, 0) + 1
            new += sum(1 for h in g if not any(iou(f, h) > 0.4 for f in b))
        where = ", ".join(f"{k} {v}" for k, v in sorted(lost.items())) or "none"
        print(f"{setting}: {s:.2f} CPU-s ({base_s / s:.2f}x), kept {kept}/{total}, new {new}; lost: {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
