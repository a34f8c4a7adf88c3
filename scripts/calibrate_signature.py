"""Calibrate the part-based signature (screening/image/signature.py): distances and palette overlaps of faces that
are the registered character (redrawn, also under a warm or cool colour cast) against hard negatives (same hair
colour on another face, palettes halfway between two characters, crowds of unregistered faces, the last two also
under a cast; other characters in the testdata scenes).

    python scripts/calibrate_signature.py            # prints per-group distances and the chosen thresholds' rates
    python scripts/calibrate_signature.py --decisions decided.jsonl [--only-decisions]   # rightsholders' decisions

`--decisions` reads `mamori media-matches export` output: every match a rightsholder upheld (the character was
there) or released (it was not, or the use is allowed), with each signal's score, and prints per signal how often
it fired on upheld and on released matches and the released share at each score band: the field data that says
whether a signal's thresholds hold outside the synthetic and testdata groups above.

Test data: ../shared/testdata (Pepper&Carrot art by David Revoy and Anna Dorokhova, CC-BY 4.0).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np

from mamori.screening.image import synth
from mamori.screening.image.loading import load_image
from mamori.screening.image.signature import (
    MAX_DISTANCE,
    MIN_OVERLAP,
    face_signatures,
    part_distance,
    redraw,
)

TESTDATA = (
    Path(os.environ.get("MAMORI_SHARED") or Path(__file__).resolve().parents[1].parent / "shared")
    / "testdata"
)
N = 12  # synthetic characters
CASTS = (
    -18.0,
    -9.0,
    9.0,
    18.0,
)  # warm (+) / cool (-) light, levels (synth.colour_cast, video/synth.py's `tint`)


def nearest(
    parts: np.ndarray, hists: np.ndarray, refs: list[tuple[np.ndarray, np.ndarray]]
) -> list[tuple[float, float]]:
    """(distance, overlap) of each query face to the nearest reference face set."""
    out = []
    for qp, qh in zip(parts, hists, strict=True):
        best = min(
            (float(part_distance(qp, rp).min()), float(np.minimum(rh, qh[None]).sum(axis=1).max()))
            for rp, rh in refs
            if len(rp)
        )
        out.append(best)
    return out


def decisions_report(path: Path) -> None:
    """Per signal: fired on upheld / released decided matches, median scores, released share per band."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    print(f"decisions: {len(rows)} from {path} ({sum(r['label'] for r in rows)} upheld)")
    names = sorted({k for r in rows for k in (r.get("signals") or {})})
    print(
        f"{'signal':<12} {'upheld':>6} {'released':>8} {'med up':>7} {'med rel':>7} {'rel <0.7':>8} {'rel >=0.7':>9}"
    )
    for name in names:
        up = [float(r["signals"][name]) for r in rows if r["label"] and name in r["signals"]]
        rel = [float(r["signals"][name]) for r in rows if not r["label"] and name in r["signals"]]
        low = [v for v in up + rel if v < 0.7]
        high = [v for v in up + rel if v >= 0.7]
        rel_low = sum(1 for v in rel if v < 0.7) / max(1, len(low))
        rel_high = sum(1 for v in rel if v >= 0.7) / max(1, len(high))
        med = lambda xs: f"{np.median(xs):.2f}" if xs else "-"  # noqa: E731
        print(
            f"{name:<12} {len(up):>6} {len(rel):>8} {med(up):>7} {med(rel):>7} {rel_low:>8.0%} {rel_high:>9.0%}"
        )


def main() -> int:
    if "--decisions" in sys.argv:
        i = sys.argv.index("--decisions")
        if i + 1 >= len(sys.argv):
            print("--decisions needs a file (mamori media-matches export --out FILE)", file=sys.stderr)
            return 2
        decisions_report(Path(sys.argv[i + 1]))
        if "--only-decisions" in sys.argv:
            return 0
    palettes = [synth.face_palette(i) for i in range(N)]
    refs = [face_signatures(synth.draw_face(p, seed=1000 + i))[:2] for i, p in enumerate(palettes)]
    groups: dict[str, list[tuple[float, float]]] = {
        "redrawn": [],
        "redrawn, colour cast": [],
        "hard: same hair": [],
        "hard: mixed": [],
        "hard: mixed, colour cast": [],
        "hard: crowd": [],
        "hard: crowd, colour cast": [],
    }

    def add(group: str, img: np.ndarray, among: list[tuple[np.ndarray, np.ndarray]]) -> None:
        p, h, _ = face_signatures(img)
        groups[group] += nearest(p, h, among)

    for i, pal in enumerate(palettes):
        for seed in range(3):
            img = redraw(pal, 300 + 10 * i + seed, 260 + 40 * seed, shift=4 + 2 * seed)
            add("redrawn", img, [refs[i]])
            for c in CASTS:
                add("redrawn, colour cast", synth.colour_cast(img, c), [refs[i]])
        hair, eye, skin = pal
        other = (hair, tuple(255 - c for c in eye), tuple(max(0, c - 70) for c in skin))
        add("hard: same hair", synth.draw_face(other, 400 + i, 320), refs)  # type: ignore[arg-type]
        mixed = tuple(
            tuple((a + b) // 2 for a, b in zip(x, y, strict=True))
            for x, y in zip(pal, palettes[(i + 1) % N], strict=True)
        )
        img = synth.draw_face(mixed, 500 + i, 320)  # type: ignore[arg-type]
        add("hard: mixed", img, refs)
        crowd = synth.draw_face(synth.face_palette(700 + i), 600 + i, 320)
        add("hard: crowd", crowd, refs)
        for c in (-CASTS[-1], CASTS[-1]):
            add("hard: mixed, colour cast", synth.colour_cast(img, c), refs)
            add("hard: crowd, colour cast", synth.colour_cast(crowd, c), refs)
    if TESTDATA.is_dir():
        sprites = TESTDATA / "pepper-carrot/game-sprites"
        art = TESTDATA / "pepper-carrot/revoy-art"
        pepper = [
            face_signatures(load_image(sprites / f"pepper_{n}.png"))[:2] for n in ("idle_01", "attack_01")
        ]
        groups["testdata: pepper redrawn"] = []
        groups["testdata: other witches"] = []
        for name in ("pepper.jpg", "2015-09-15_witches-of-chaosah-family_by-David-Revoy.jpg"):
            p, h, _ = face_signatures(load_image(art / name))
            groups["testdata: pepper redrawn"] += nearest(p, h, pepper)
        p, h, _ = face_signatures(load_image(art / "pepper_and_carrot_panel.jpg"))
        groups["testdata: other witches"] += nearest(p, h, pepper)
    print(f"thresholds: distance <= {MAX_DISTANCE}, overlap >= {MIN_OVERLAP}")
    print(f"{'group':<26} {'n':>3} {'dist p50':>8} {'min':>6} {'max':>6} {'ovl p50':>8} {'accepted':>8}")
    for name, vals in groups.items():
        if not vals:
            print(f"{name:<26}   0")
            continue
        d = np.array([v[0] for v in vals])
        o = np.array([v[1] for v in vals])
        acc = float(((d <= MAX_DISTANCE) & (o >= MIN_OVERLAP)).mean())
        print(
            f"{name:<26} {len(vals):>3} {np.median(d):>8.1f} {d.min():>6.1f} {d.max():>6.1f} {np.median(o):>8.2f} {acc:>8.0%}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
