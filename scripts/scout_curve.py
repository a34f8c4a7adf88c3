"""The local-feature scout's speed/recall curve (screening/image/local.py: SCOUT_SIDE, SCOUT_INLIERS).

A query larger than SCOUT_SIDE * SCOUT_GAIN is first matched shrunk to SCOUT_SIDE (best-voted views verified by
RANSAC with a low floor); the full-size SIFT pass runs only where some view reaches SCOUT_INLIERS inliers. This
script runs every scouted case of the visual_bench tiers (and the visual_speed inputs) through the local-feature
detector with the scout off, and prints per case the scout's best inlier count and whether the full pass found the
expected character (for a negative: anything); then, per threshold, the positives the scout would lose, the
negatives whose full pass it saves, and the CPU time of each pass.

    python scripts/scout_curve.py                # the 8 testdata references
    python scripts/scout_curve.py --speed        # images per CPU-second, scout off vs on, alternating, one process
    python scripts/scout_curve.py --scale 250    # plus synthetic look-alike references (look-alikes make chance inliers likelier)

Test data: ../shared/testdata (see SOURCES.md there).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.visual_bench import TESTDATA, big_gate, references, tiers  # noqa: E402
from benchmarks.visual_speed import speed_inputs  # noqa: E402

from mamori.screening.base import Corpus  # noqa: E402
from mamori.screening.image import local as L  # noqa: E402
from mamori.screening.image.examples import example_registry  # noqa: E402
from mamori.screening.image.fusion import VisualGate  # noqa: E402
from mamori.screening.image.loading import load_image  # noqa: E402
from mamori.screening.image.local_features import resize_to  # noqa: E402

THRESHOLDS = (3, 4, 5, 6, 7, 8, 10, 12)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=int, default=0, help="references in the gate (0: the testdata ones only)")
    ap.add_argument("--side", type=int, default=L.SCOUT_SIDE, help="the scout's longest side")
    ap.add_argument("--features", type=int, default=L.SCOUT_FEATURES, help="the scout's SIFT keypoints")
    ap.add_argument(
        "--speed", action="store_true", help="only the scout off/on speed lines (visual_speed inputs)"
    )
    args = ap.parse_args(argv)
    if not TESTDATA.is_dir():
        print(f"test data not found at {TESTDATA}", file=sys.stderr)
        return 2
    cv2.setNumThreads(1)
    refs = references()
    gate = (
        big_gate(refs, args.scale) if args.scale > len(refs) else VisualGate(Corpus(example_registry(), refs))
    )
    local = gate.detector("local")
    assert isinstance(local, L.LocalFeatureDetector)
    if args.speed:
        speed(gate, local)
        return 0
    local.scout_inliers = 0  # the full pass everywhere: the baseline the scout is measured against
    local.scout_side, local.scout_features = args.side, args.features
    cases = tiers()
    cases["speed"] = [
        (k, load_image(v), {"copy": "sintel", "character": "pepper"}.get(k.split()[0]))
        for k, v in speed_inputs().items()
    ]
    rows = []  # (tier, label, expected, found by the full pass, scout inliers, scout CPU s, full CPU s)
    for tier, items in cases.items():
        for label, px, expected in items:
            gray = local.query_gray(px)
            if max(gray.shape) <= args.side * L.SCOUT_GAIN:
                continue  # not scouted: the full pass runs as before
            c0 = time.process_time()
            small, _ = resize_to(gray, args.side, 1.0)
            best = local.scout_best(small)
            c1 = time.process_time()
            found = {m.character for m in local.detect(px)}
            c2 = time.process_time()
            hit = expected in found if expected else bool(found)
            rows.append((tier, label, expected, hit, best, c1 - c0, c2 - c1))
            print(
                f"{tier:<13} {label[:34]:<34} expected {expected or '-':<8} full pass "
                f"{'found' if hit else '-':<5} scout inliers {best:>4}  scout {1000 * (c1 - c0):4.0f} ms, "
                f"full {1000 * (c2 - c1):4.0f} ms",
                flush=True,
            )
    pos = [r for r in rows if r[2] is not None and r[3]]
    neg = [r for r in rows if r[2] is None]
    print(
        f"\nscouted cases: {len(rows)} (positives the full pass finds: {len(pos)}, negatives: {len(neg)}); "
        f"mean CPU ms: scout {1000 * np.mean([r[5] for r in rows]):.0f}, full {1000 * np.mean([r[6] for r in rows]):.0f}"
    )
    print(
        f"{'inliers >=':>10} | {'positives lost':>14} | {'negatives saved':>15} | {'FP of the full pass kept':>24}"
    )
    for t in THRESHOLDS:
        lost = [r[1] for r in pos if r[4] < t]
        saved = sum(1 for r in neg if r[4] < t)
        fp_kept = sum(1 for r in neg if r[3] and r[4] >= t)
        print(
            f"{t:>10} | {len(lost):>14} | {saved:>6}/{len(neg):<8} | {fp_kept:>24}"
            + (f"  lost: {', '.join(lost[:4])}" if lost else "")
        )
    return 0


def speed(gate: VisualGate, local: L.LocalFeatureDetector, rounds: int = 2) -> None:
    """Images per CPU-second (decode included, one core) of the visual_speed inputs with the scout off and on,
    alternating `rounds` times; the best round of each and every round's figure."""
    from benchmarks.visual_speed import speed_images

    for label, data in speed_inputs().items():
        runs: dict[bool, list[float]] = {False: [], True: []}
        for _ in range(rounds):
            for on in (False, True):
                local.scout_inliers = L.SCOUT_INLIERS if on else 0
                runs[on].append(speed_images(gate, data, 3.0)[0])
        print(
            f"{label:<26} scout off {max(runs[False]):6.2f}/s per CPU-s {[round(x, 2) for x in runs[False]]}, "
            f"on {max(runs[True]):6.2f} {[round(x, 2) for x in runs[True]]}",
            flush=True,
        )
    local.scout_inliers = L.SCOUT_INLIERS


if __name__ == "__main__":
    raise SystemExit(main())
