"""Calibrate the pooled naming of a video face track (`SignatureDetector.name_pooled`, `POOLED_DISTANCE` and
`POOLED_MARGIN`): registered drawn characters walking through clips in outfits no reference shows, under a warm /
cool light cycle of several strengths, against hard negatives walking the same way (another character with a
registered character's hair colour, palettes halfway between two registered characters, unregistered palettes).

Per clip the frames the video gate samples (2 a second while the figure is on screen) are analysed at the video
gate's analysis width, the figure's face is taken in each, and the track's median part colours are compared with
every reference face: the distance to the nearest character and the margin to the next one. It prints both per
group and how many clips each (distance, margin) rule accepts.

    python scripts/calibrate_tracks.py              # 12 characters (about 3 minutes on 2 cores)
    python scripts/calibrate_tracks.py --faces 24   # more characters and negatives
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np

from mamori.screening.image import synth
from mamori.screening.image.signature import (
    POOLED_DISTANCE,
    POOLED_MARGIN,
    face_corpus,
    face_signatures,
    part_distance,
)
from mamori.screening.mediabase import VideoLimits
from mamori.screening.video.frames import to_rgb
from mamori.screening.video.synth import OUTFITS, figure_sprite, make_clip

VISIBLE = (1.0, 5.0)


def pooled_parts(path: Path) -> np.ndarray | None:
    """The median part colours (4, 3) of the largest face in each frame sampled at 2/s while on screen."""
    import av

    width = VideoLimits().analysis_width
    found = []
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            t = float(frame.time or 0.0)
            if not (VISIBLE[0] <= t <= VISIBLE[1]) or abs(2 * t - round(2 * t)) > 0.02:
                continue
            parts, _, boxes = face_signatures(to_rgb(frame, width, 0))
            if len(parts):
                found.append(parts[int(np.argmax(boxes[:, 2]))])
    return np.median(np.stack(found), axis=0) if len(found) >= 3 else None


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--faces", type=int, default=12)
    args = ap.parse_args()
    corpus, palettes = face_corpus(args.faces)
    ref_parts = {r.character: face_signatures(np.asarray(r.pixels))[0] for r in corpus.references}
    ref_parts = {c: p for c, p in ref_parts.items() if len(p)}
    rows: list[tuple[str, float, float]] = []  # group, distance to the expected/nearest character, margin

    def measure(
        group: str, sprite: np.ndarray, expected: str | None, seed: int, tint: float, d: Path
    ) -> None:
        path = d / f"c{len(rows)}.mp4"
        make_clip(path, 5.5, 24, (960, 540), sprite, [VISIBLE], 0.7, seed=seed, walk=0.5, tint=tint)
        med = pooled_parts(path)
        path.unlink()
        if med is None:
            rows.append((group + " (no track)", np.inf, 0.0))
            return
        dist = {c: float(part_distance(med, p).min()) for c, p in ref_parts.items()}
        ranked = sorted(dist, key=dist.__getitem__)
        who = expected if expected in dist else ranked[0]
        runner = min(v for c, v in dist.items() if c != who)
        rows.append((group, dist[who], runner - dist[who]))

    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        for i, pal in enumerate(palettes):
            if f"face-{i}" not in ref_parts:
                continue
            for k, tint in enumerate((0.0, 12.0, 18.0, 24.0)):
                outfit = OUTFITS[(i + k) % 3]
                measure(
                    f"registered, cast {tint:.0f}",
                    figure_sprite(pal, outfit, 300 + i + 7 * k, 160),
                    f"face-{i}",
                    i + k,
                    tint,
                    d,
                )
            hair, eye, skin = pal
            other = (hair, tuple(255 - c for c in eye), tuple(max(0, c - 70) for c in skin))
            mixed = tuple(
                tuple((a + b) // 2 for a, b in zip(x, y, strict=True))
                for x, y in zip(pal, palettes[(i + 1) % len(palettes)], strict=True)
            )
            for tint in (0.0, 24.0):
                for group, p, s in (("hard: same hair", other, 390), ("hard: mixed", mixed, 392)):
                    measure(
                        f"{group}, cast {tint:.0f}",
                        figure_sprite(p, OUTFITS[i % 3], s + i, 160),
                        None,
                        50 + i,
                        tint,
                        d,
                    )  # type: ignore[arg-type]
                crowd = synth.face_palette(700 + i)
                measure(
                    f"hard: unregistered, cast {tint:.0f}",
                    figure_sprite(crowd, OUTFITS[i % 3], 391 + i, 160),
                    None,
                    60 + i,
                    tint,
                    d,
                )
    groups = sorted({g for g, _, _ in rows})
    print(f"now: pooled distance <= {POOLED_DISTANCE}, margin >= {POOLED_MARGIN}")
    rules = [(dd, POOLED_MARGIN) for dd in (8.0, 9.0, 10.0, 11.0, 12.0)]
    print(
        f"{'group':<34} {'n':>3} {'dist p50':>8} {'min':>6} {'max':>6} {'margin min':>10} | accepted at distance <="
    )
    print(f"{'':<72}" + " ".join(f"{dd:>5.0f}" for dd, _ in rules))
    for g in groups:
        vals = [(x, m) for gg, x, m in rows if gg == g]
        dist = np.array([v[0] for v in vals])
        marg = np.array([v[1] for v in vals])
        fin = dist[np.isfinite(dist)]
        acc = " ".join(f"{int(((dist <= dd) & (marg >= mm)).sum()):>5}" for dd, mm in rules)
        if len(fin):
            print(
                f"{g:<34} {len(vals):>3} {np.median(fin):>8.1f} {fin.min():>6.1f} {fin.max():>6.1f} {marg.min():>10.1f} | {acc}"
            )
        else:
            print(f"{g:<34} {len(vals):>3} {'-':>8} {'':>6} {'':>6} {'':>10} | {acc}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
