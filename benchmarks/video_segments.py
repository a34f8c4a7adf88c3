"""Video segments tier: characters walking through clips in an outfit or pose no reference shows, under changing
light, found with the time they are on screen: the gate with face tracks, the gate without them, and PDQ alone,
same clips, same run.

    python -m benchmarks.video_segments            # on its own (the visual bench's registered references)

Clips are drawn here (`video/synth.py`): the six drawn-face characters of the visual bench (`face_corpus`) each as
a figure in a new outfit crossing half the frame under a warm/cool light cycle, two Pepper sprites of poses that
are not registered (testdata) walking the same way, and as hard negatives three unregistered drawn characters (one
with a registered character's hair colour, one with colours halfway between two registered ones) walking the same
way. Per clip: found (the expected character at review
or above, nothing else), and coverage: the share of the time on screen that segments at review or above cover.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from mamori.screening.fusion import REVIEW, Gate
from mamori.screening.image import synth
from mamori.screening.image.signature import face_corpus
from mamori.screening.mediabase import VideoLimits
from mamori.screening.video.screen import screen_video
from mamori.screening.video.synth import OUTFITS, figure_sprite, make_clip
from mamori.types import Match

VISIBLE = (1.0, 5.0)
Clip = tuple[str, Path, str | None]  # label, file, expected character


def clips(folder: Path, faces: int, sprites: Sequence[tuple[str, np.ndarray]] = ()) -> list[Clip]:
    _, palettes = face_corpus(faces)
    out: list[Clip] = []

    def clip(label: str, sprite: np.ndarray, expected: str | None, seed: int, tint: float = 18) -> None:
        p = folder / f"clip{len(out):02d}.mp4"
        make_clip(p, 6.0, 24, (960, 540), sprite, [VISIBLE], 0.7, seed=seed, walk=0.5, tint=tint)
        out.append((label, p, expected))

    for i, pal in enumerate(palettes):
        clip(
            f"face-{i} new outfit", figure_sprite(pal, OUTFITS[i % 3], seed=300 + i, head=160), f"face-{i}", i
        )
    for name, rgba in sprites:
        clip(f"{name} walking", rgba, name.split("_")[0], 40 + len(out), tint=0)
    hair, eye, skin = palettes[0]
    other = (hair, tuple(255 - c for c in eye), tuple(max(0, c - 70) for c in skin))
    clip("other face, face-0 hair", figure_sprite(other, OUTFITS[0], seed=390, head=160), None, 50)  # type: ignore[arg-type]
    clip("unregistered character", figure_sprite(synth.face_palette(99), OUTFITS[1], 391, 160), None, 51)
    mixed = tuple(
        tuple((a + b) // 2 for a, b in zip(x, y, strict=True)) for x, y in zip(*palettes[:2], strict=True)
    )
    clip("faces 0/1 mixed", figure_sprite(mixed, OUTFITS[2], seed=392, head=160), None, 52)  # type: ignore[arg-type]
    return out


def coverage(matches: list[Match], character: str) -> float:
    a, b = VISIBLE
    got = 0.0
    for m in matches:
        if m.character != character:
            continue
        for s in m.segments:
            if s.score >= REVIEW:
                got += max(0.0, min(b, s.end) - max(a, s.start))
    return min(1.0, got / (b - a))


def evaluate(
    gate: Gate, items: list[Clip], limits: VideoLimits, detail: list[str] | None = None
) -> tuple[int, int, float, int, int, float]:
    """(positives found, positives, mean coverage of positives, false positives, negatives, seconds); one line per
    clip appended to `detail`."""
    found = fp = pos = neg = 0
    cov: list[float] = []
    t0 = time.perf_counter()
    for label, path, expected in items:
        res = screen_video(path, gate, limits)
        named = {m.character for m in res.matches if m.score >= REVIEW}
        got = ", ".join(
            f"{m.character} {m.score:.2f} {[(round(s.start, 1), round(s.end, 1)) for s in m.segments]}"
            for m in res.matches
        )
        if detail is not None:
            detail.append(f"    {label:<26} expected {expected or '-':<8} got: {got or '-'}")
        if expected is None:
            neg += 1
            fp += bool(named)
            continue
        pos += 1
        found += expected in named
        fp += bool(named - {expected})
        cov.append(coverage(res.matches, expected))
    return found, pos, float(np.mean(cov)) if cov else 0.0, fp, neg, time.perf_counter() - t0


def report(gate: Gate, baseline: Gate, faces: int, sprites: Sequence[tuple[str, np.ndarray]] = ()) -> None:
    with tempfile.TemporaryDirectory() as d:
        items = clips(Path(d), faces, sprites)
        detail: list[str] = []
        rows = {
            "gate + face tracks": evaluate(gate, items, VideoLimits(track_faces=True), detail),
            "gate, no tracks": evaluate(gate, items, VideoLimits(track_faces=False)),
            "PDQ only": evaluate(baseline, items, VideoLimits()),
        }
    print(
        f"video segments: {len(items)} clips of 6 s (960x540, 24 fps), on screen {VISIBLE[0]:.0f}-{VISIBLE[1]:.0f} s"
    )
    print(f"  {'':<20} {'found':>7} {'coverage':>8} {'FP':>6} {'wall s':>7}")
    for name, (f, p, c, fp, n, s) in rows.items():
        print(f"  {name:<20} {f:>3}/{p:<3} {100 * c:>7.0f}% {fp:>2}/{n + p:<3} {s:>7.1f}")
    print("  per clip, gate + face tracks:")
    print("\n".join(detail))


def main() -> int:
    from benchmarks.visual_bench import FACES, REGISTERED, references, rgba
    from mamori.screening.base import Corpus
    from mamori.screening.image.examples import example_registry
    from mamori.screening.image.pdq import PdqDetector

    corpus = Corpus(example_registry(), references())
    unregistered = [
        f"{c}_{pose}"
        for c in REGISTERED
        for pose in ("jump_02", "fall_02")
        if f"{c}_{pose}" not in REGISTERED[c]
    ][:2]
    report(
        Gate(corpus),
        Gate(corpus, detector_classes=(PdqDetector,)),
        FACES,
        [(n, rgba(n)) for n in unregistered],
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
