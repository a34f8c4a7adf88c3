"""Visual gate benchmark: recall per tier vs a PDQ-only baseline, and false positives (speed:
benchmarks/visual_speed.py, its own suite in `make bench`).

    python -m benchmarks.visual_bench            # tiers, and the at-scale rows
    python -m benchmarks.visual_bench --quick    # the same (kept for scripts that pass it)
    python -m benchmarks.visual_bench --quick --scale 250   # smaller at-scale tier (default 1000 references)

The "@N" rows re-run the negative and variant tiers against a gate of N references: the real ones plus synthetic
drawn characters (`big_gate`) that look like the drawn figures among the negatives, so false positives that only
appear when many look-alike references are registered are counted in the same run. Reference signals for it are
cached on disk (MAMORI_BENCH_CACHE, default a folder in the temp dir); the first run computes them (minutes).

Test data: ../shared/testdata (see SOURCES.md there; CC-BY, Pepper&Carrot by David Revoy, Blender Foundation).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from mamori.screening.base import Corpus, ReferenceImage
from mamori.screening.image import synth
from mamori.screening.image import transforms as T
from mamori.screening.image.examples import example_registry, reference_image
from mamori.screening.image.fusion import REVIEW, VisualGate
from mamori.screening.image.loading import load_image
from mamori.screening.image.pdq import PdqDetector
from mamori.screening.image.signature import face_corpus, redraw

TESTDATA = (
    Path(os.environ.get("MAMORI_SHARED") or Path(__file__).resolve().parents[1].parent / "shared")
    / "testdata"
)
SPRITES = TESTDATA / "pepper-carrot" / "game-sprites"
REVOY = TESTDATA / "pepper-carrot" / "revoy-art"

REGISTERED = {
    "pepper": ["idle_01", "run_01", "attack_01"],
    "carrot": ["idle_01", "run_01"],
}


def video_frame(path: Path, t: float) -> np.ndarray:
    import av

    with av.open(str(path)) as c:
        s = c.streams.video[0]
        for f in c.decode(s):
            if f.time is not None and f.time >= t:
                return f.to_ndarray(format="rgb24")
    raise ValueError(f"{path} has no frame at {t}")


def references() -> list[ReferenceImage]:
    refs = [
        reference_image(f"{c}_{n}", c, "pepper-and-carrot", load_image(SPRITES / f"{c}_{n}.png"))
        for c, names in REGISTERED.items()
        for n in names
    ]
    refs.append(
        reference_image(
            "sintel_0016", "sintel", "sintel", load_image(TESTDATA / "sintel-frames/frame_0016.png")
        )
    )
    bbb = TESTDATA / "videos/bbb-60s-640x360-encode-a.mp4"
    for t in (5.0, 30.0):
        refs.append(reference_image(f"bbb_a_{t:.0f}s", "bunny", "bbb", video_frame(bbb, t)))
    refs += list(face_corpus(FACES)[0].references)  # drawn characters told apart by colour (signature)
    return refs


FACES = 6  # synthetic drawn-face characters registered beside the testdata ones


def rgba(name: str) -> np.ndarray:
    return np.asarray(Image.open(SPRITES / f"{name}.png").convert("RGBA"))


def tiers() -> dict[str, list[tuple[str, np.ndarray, str | None]]]:
    """tier -> [(label, pixels, expected character or None)]."""
    out: dict[str, list[tuple[str, np.ndarray, str | None]]] = {
        k: [] for k in ("copy", "edited", "variant", "other-pose", "new drawing", "negative", "hard negative")
    }
    reg = [(c, n) for c, names in REGISTERED.items() for n in names]
    for c, n in reg:
        img = load_image(SPRITES / f"{c}_{n}.png")
        out["copy"] += [
            (f"{c}_{n} png", T.png_roundtrip(img), c),
            (f"{c}_{n} x0.5", T.resize(img, 0.5), c),
            (f"{c}_{n} x1.7", T.resize(img, 1.7), c),
            (f"{c}_{n} jpeg50", T.jpeg(img, 50), c),
            (f"{c}_{n} colour", T.colour_shift(img), c),
        ]
        sprite = rgba(f"{c}_{n}")
        out["edited"] += [
            (f"{c}_{n} crop10", T.crop(img, 0.1), c),
            (f"{c}_{n} crop20", T.crop(img, 0.2), c),
            (f"{c}_{n} crop30-left", T.crop(img, 0.3, "left"), c),
            (f"{c}_{n} crop30-top", T.crop(img, 0.3, "top"), c),
            (f"{c}_{n} mirror", T.mirror(img), c),
            (f"{c}_{n} rot+5", T.rotate(img, 5), c),
            (f"{c}_{n} rot-5", T.rotate(img, -5), c),
            (f"{c}_{n} letterbox", T.letterbox(img), c),
            (f"{c}_{n} caption", T.caption(img), c),
            (f"{c}_{n} scene35", T.paste_in_scene(sprite, 1, 0.35), c),
            (f"{c}_{n} scene45", T.paste_in_scene(sprite, 2, 0.45, x_frac=0.7), c),
            (f"{c}_{n} scene60", T.paste_in_scene(sprite, 3, 0.6, x_frac=0.2), c),
            (f"{c}_{n} mirror+scene50", T.mirror(T.paste_in_scene(sprite, 4, 0.5)), c),
        ]
    # another frame of a registered animation (same art, next frames)
    for c, names in REGISTERED.items():
        for n in names:
            anim = n.rsplit("_", 1)[0]
            for f in sorted(SPRITES.glob(f"{c}_{anim}_*.png")):
                if f.stem != f"{c}_{n}":
                    out["variant"].append((f.stem, load_image(f), c))
    for f in sorted(SPRITES.glob("*.png")):  # other animations (poses) of the same art
        c, anim = f.stem.split("_")[0], f.stem.split("_")[1]
        if anim not in {n.rsplit("_", 1)[0] for n in REGISTERED[c]}:
            out["other-pose"].append((f.stem, load_image(f), c))
    for t in (5.0, 30.0):  # independent encode of the same movie frames
        out["copy"].append(
            (
                f"bbb encode-b {t:.0f}s",
                video_frame(TESTDATA / "videos/bbb-60s-640x360-encode-b.mp4", t),
                "bunny",
            )
        )
    for i in range(17, 26):
        out["variant"].append(
            (f"sintel frame_{i:04d}", load_image(TESTDATA / f"sintel-frames/frame_{i:04d}.png"), "sintel")
        )
    out["new drawing"].append(("revoy pepper.jpg", load_image(REVOY / "pepper.jpg"), "pepper"))
    out["new drawing"].append(
        (
            "revoy chaosah family",
            load_image(REVOY / "2015-09-15_witches-of-chaosah-family_by-David-Revoy.jpg"),
            "pepper",
        )
    )
    _, palettes = face_corpus(FACES)
    for i, pal in enumerate(palettes):  # redrawn: other proportions, background, shifted colours, in a scene
        out["new drawing"].append((f"face-{i} redrawn", redraw(pal, 50 + i, 300), f"face-{i}"))
        scene = synth.paste(synth.draw_scene(60 + i, (1024, 768)), redraw(pal, 70 + i, 360), 0.55, 0.3)
        out["new drawing"].append((f"face-{i} redrawn in scene", scene, f"face-{i}"))
    for i, (hair, eye, skin) in enumerate(palettes):  # same hair colour, another character
        other = (hair, tuple(255 - c for c in eye), tuple(max(0, c - 70) for c in skin))
        out["hard negative"].append((f"face-{i} hair, other face", synth.draw_face(other, 80 + i, 320), None))  # type: ignore[arg-type]
    for i in range(FACES - 1):  # halfway between two registered palettes
        mixed = tuple(
            tuple((a + b) // 2 for a, b in zip(pa, pb, strict=True))
            for pa, pb in zip(palettes[i], palettes[i + 1], strict=True)
        )
        out["hard negative"].append((f"faces {i}/{i + 1} mixed", synth.draw_face(mixed, 90 + i, 320), None))  # type: ignore[arg-type]
    for i in range(4):  # a crowd of unregistered drawn faces
        crowd = synth.draw_scene(100 + i, (1024, 768))
        for k in range(3):
            face = synth.draw_face(synth.face_palette(200 + 3 * i + k), 110 + k, 300)
            crowd = synth.paste(crowd, face, 0.4, 0.1 + 0.4 * k)
        out["hard negative"].append((f"crowd {i}", crowd, None))
    for name in (
        "cumin.jpg",
        "thyme.jpg",
        "the_sage.jpg",
        "2015-02-17_shichimi-concept-art_by-David-Revoy.jpg",
        "2015-05-13_coriander_concept-art_by-David-Revoy.jpg",
    ):
        out["negative"].append((f"revoy {name[:30]}", load_image(REVOY / name), None))
    for seed in range(30):
        out["negative"].append((f"scene {seed}", synth.draw_scene(500 + seed, (960, 640)), None))
    for seed in range(10):
        out["negative"].append(
            (
                f"drawn figure in scene {seed}",
                synth.paste(synth.draw_scene(700 + seed, (960, 640)), synth.draw_character(900 + seed), 0.5),
                None,
            )
        )
    out["negative"].append(
        ("sintel snow (other scene)", video_frame(TESTDATA / "videos/sintel-2s-854x480-snow.mp4", 1.0), None)
    )
    return out


def evaluate(
    gate: VisualGate, cases: dict[str, list[tuple[str, np.ndarray, str | None]]]
) -> dict[str, tuple[int, int, int, int]]:
    """tier -> (found, review-or-better total, false positives, n)."""
    res = {}
    for tier, items in cases.items():
        found = present = fp = 0
        for _, px, expected in items:
            ms = gate.screen_image(px, floor=REVIEW)
            chars = {m.character for m in ms}
            if expected in chars:
                found += 1
                if max(m.score for m in ms if m.character == expected) >= 0.7:
                    present += 1
            fp += len(chars - {expected})
        res[tier] = (found, present, fp, len(items))
    return res


class DirCache:
    """A SignalCache in a folder (one file per signal), so the at-scale gate is built once per signal version."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def _path(self, sha256: str, detector: str, version: str) -> Path:
        return self.folder / f"{detector}-{version}-{sha256}"

    def get_signal(self, sha256: str, detector: str, version: str) -> bytes | None:
        p = self._path(sha256, detector, version)
        return p.read_bytes() if p.is_file() else None

    def put_signal(self, sha256: str, detector: str, version: str, payload: bytes) -> None:
        p = self._path(sha256, detector, version)
        tmp = p.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(payload)
        tmp.replace(p)


def bench_cache() -> DirCache:
    folder = os.environ.get("MAMORI_BENCH_CACHE") or str(
        Path(tempfile.gettempdir()) / "mamori-visual-bench-cache"
    )
    return DirCache(Path(folder))


def big_refs(base: list[ReferenceImage], n: int) -> list[ReferenceImage]:
    """`n` references: the real ones plus synthetic drawn characters (4 references per character)."""
    refs = list(base)
    i = 0
    while len(refs) < n:
        px = synth.flatten(synth.draw_character(5000 + i, (200 + (i % 5) * 20, 280)))
        refs.append(reference_image(f"synthetic_{i}", f"synthetic_{i // 4}", "synthetic", px))
        i += 1
    return refs


def big_gate(base: list[ReferenceImage], n: int, cache: Any = None) -> VisualGate:
    """A gate over `big_refs(base, n)`."""
    refs = big_refs(base, n)
    if cache is None:
        return VisualGate(Corpus(example_registry(), refs))
    return VisualGate(Corpus(example_registry(), refs, cache=cache))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="accepted; speed is benchmarks.visual_speed")
    ap.add_argument(
        "--scale", type=int, default=1000, help="references in the at-scale gate (@N rows; 0: skip them)"
    )
    args = ap.parse_args(argv)
    if not TESTDATA.is_dir():
        print(f"test data not found at {TESTDATA}", file=sys.stderr)
        return 2
    refs = references()
    corpus = Corpus(example_registry(), refs)
    gate = VisualGate(corpus)
    baseline = VisualGate(corpus, detector_classes=(PdqDetector,))
    cases = tiers()
    full, base = evaluate(gate, cases), evaluate(baseline, cases)
    print(f"registered: {len(refs)} references; signals: {gate.signal_names} (no learned model)")
    print(
        f"{'tier':<12} {'n':>4} | {'gate found':>10} {'(>=0.7)':>8} {'FP':>3} | {'PDQ found':>9} {'FP':>3} | ratio"
    )
    for tier in cases:
        f, p, fp, n = full[tier]
        bf, _, bfp, _ = base[tier]
        ratio = f"{f / bf:.1f}x" if bf else ("inf" if f else "-")
        print(
            f"{tier:<12} {n:>4} | {100 * f / max(1, n):>9.0f}% {100 * p / max(1, n):>7.0f}% {fp:>3} | "
            f"{100 * bf / max(1, n):>8.0f}% {bfp:>3} | {ratio}"
        )
    if args.scale > len(refs):
        t0 = time.perf_counter()
        big = big_gate(refs, args.scale, bench_cache())
        build_s = time.perf_counter() - t0
        at_scale = {t: cases[t] for t in ("negative", "variant")}
        for tier, (f, p, fp, n) in evaluate(big, at_scale).items():
            print(
                f"{tier + '@' + str(args.scale):<12} {n:>4} | {100 * f / max(1, n):>9.0f}% {100 * p / max(1, n):>7.0f}% "
                f"{fp:>3} |"
            )
        print(
            f"  (@{args.scale}: {args.scale - len(refs)} synthetic look-alike references added; build {build_s:.0f} s)"
        )
    misses = [
        (tier, label)
        for tier, items in cases.items()
        if tier in ("copy", "edited")
        for label, px, e in items
        if e not in {m.character for m in gate.screen_image(px)}
    ]
    if misses:
        print("misses (copy/edited):", misses)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
