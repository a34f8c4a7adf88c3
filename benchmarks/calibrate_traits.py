"""Calibrate the trait-specificity bands (traits.GENERIC_ZIPF, traits.DISTINCTIVE_ZIPF) on data.

    python -m benchmarks.calibrate_traits

For a grid of the two Zipf bars, rebuilds the matcher on the dev registry and prints: descriptive prompts of
../shared/eval-dev caught (must stay 100 %), and everyday prompts flagged on the generated corpus's generic-trait
class and on the hard sample's benign prompts. Chosen: the lowest flagged counts with every description caught,
and the distinctive bar at wordfreq's small-list floor (3.0), which keeps 'hairpin'-like words distinctive.
Runs in pure Python (the compiled build binds the constants at compile time).
"""

from __future__ import annotations

import json
import os
import sys

os.environ["MAMORI_PURE_PYTHON"] = "1"

from benchmarks.hard_corpus import generate  # noqa: E402
from benchmarks.text_bench import dev_registry_path  # noqa: E402
from mamori.registry.fileformat import load_file  # noqa: E402
from mamori.screening.text import TextMatcher, traits  # noqa: E402

GRID_GENERIC = (3.5, 4.0, 4.5)
GRID_DISTINCTIVE = (2.0, 2.6, 3.0, 3.5)


def main() -> int:
    path = dev_registry_path()
    if path is None:
        print("calibrate traits: no dev registry; skipped")
        return 0
    reg = load_file(path, check_files=False)
    dev = path.parent
    labels = {
        r["id"]: r for r in map(json.loads, (dev / "labels.jsonl").read_text(encoding="utf-8").splitlines())
    }
    descriptive = [
        (r["text"], set(labels[r["id"]]["refs"]))
        for r in map(json.loads, (dev / "prompts.jsonl").read_text(encoding="utf-8").splitlines())
        if labels[r["id"]]["tier"] == "descriptive"
    ]
    hard_labels = {
        r["id"]: r
        for r in map(json.loads, (dev / "hard-labels.jsonl").read_text(encoding="utf-8").splitlines())
    }
    benign = [
        r["text"]
        for r in map(json.loads, (dev / "hard-prompts.jsonl").read_text(encoding="utf-8").splitlines())
        if hard_labels[r["id"]]["tier"] == "benign"
    ]
    generic = [p.text for p in generate(reg) if p.tier == "traits"]
    print(f"{'generic':>8} {'distinct':>8}  descriptive caught  corpus traits flagged  hard benign flagged")
    for g in GRID_GENERIC:
        for d in GRID_DISTINCTIVE:
            traits.GENERIC_ZIPF, traits.DISTINCTIVE_ZIPF = g, d
            m = TextMatcher(reg)
            caught = sum(bool(refs & {x.character for x in m.detect(t)}) for t, refs in descriptive)
            flagged = sum(bool(m.detect(t)) for t in generic)
            hard = sum(bool(m.detect(t)) for t in benign)
            print(
                f"{g:8.1f} {d:8.1f}  {caught:8d}/{len(descriptive):<9d} {flagged:10d}/{len(generic):<10d}"
                f" {hard:8d}/{len(benign)}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
