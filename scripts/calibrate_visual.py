"""Calibrate the visual thresholds: score distributions of positives vs negatives, suggested cut-offs.

    PYTHONPATH=. python scripts/calibrate_visual.py [--out calibration.json]

Positives: the benchmark's copy/edited/variant tiers (transforms of ../shared/testdata made by our code);
negatives: unrelated images (other Revoy characters, generated scenes, drawn figures in scenes, other movie).
For PDQ it reports Hamming distances (best over the 8 dihedral variants); for local features the verified inlier
count of the best view (with the acceptance floor lowered to 4 so the negative tail is visible). Thresholds in
code that cite this script: pdq.MAX_DISTANCE, local.MIN_INLIERS, local.match_score, fusion bands.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.visual_bench import references, tiers  # noqa: E402

from mamori.screening.base import Corpus  # noqa: E402
from mamori.screening.image.examples import example_registry  # noqa: E402
from mamori.screening.image.local import LocalFeatureDetector  # noqa: E402
from mamori.screening.image.pdq import PdqDetector, pdq_hashes  # noqa: E402


def pdq_distance(det: PdqDetector, px: np.ndarray, character: str | None) -> int:
    codes, quality = pdq_hashes(px)
    if quality < 50 or len(det.index) == 0:
        return 256
    d, ids = det.index.search(codes, len(det.index))
    best = 256
    for row_d, row_i in zip(d, ids, strict=True):
        for dist, i in zip(row_d, row_i, strict=True):
            if i >= 0 and (character is None or det.refs[int(i)].character == character):
                best = min(best, int(dist))
    return best


def local_inliers(det: LocalFeatureDetector, px: np.ndarray, character: str | None) -> int:
    best = 0
    for r in det.verify(px):
        ch = det.refs[det.views[r.view].ref].character
        if character is None or ch == character:
            best = max(best, r.inliers)
    return best


def summary(values: list[int]) -> dict[str, float]:
    a = np.array(values or [0])
    return {
        "n": len(values),
        "min": int(a.min()),
        "p05": float(np.percentile(a, 5)),
        "median": float(np.median(a)),
        "p95": float(np.percentile(a, 95)),
        "max": int(a.max()),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    corpus = Corpus(example_registry(), references())
    pdq = PdqDetector.build(corpus)
    local = LocalFeatureDetector.build(corpus)
    local.min_inliers = 4
    cases = tiers()
    report: dict[str, dict[str, dict[str, float]]] = {"pdq_distance": {}, "local_inliers": {}}
    neg_pdq, neg_local = [], []
    for tier, items in cases.items():
        pd = [pdq_distance(pdq, px, exp) for _, px, exp in items]
        li = [local_inliers(local, px, exp) for _, px, exp in items]
        report["pdq_distance"][tier] = summary(pd)
        report["local_inliers"][tier] = summary(li)
        if tier == "negative":
            neg_pdq, neg_local = pd, li
    for kind, per in report.items():
        print(kind)
        for tier, s in per.items():
            print(f"  {tier:<12} " + " ".join(f"{k}={v:g}" for k, v in s.items()))
    suggested = {
        "pdq_max_distance": int(min(31, min(neg_pdq or [256]) - 10)),
        "local_min_inliers": int(max(12, max(neg_local or [0]) + 4)),
    }
    print(
        "suggested:",
        suggested,
        "(negatives must stay clear by a margin: 10 bits for PDQ, 4 inliers for local)",
    )
    if args.out:
        Path(args.out).write_text(json.dumps({"distributions": report, "suggested": suggested}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
