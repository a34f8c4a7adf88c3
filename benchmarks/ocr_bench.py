"""Text in frames and forbidden themes on outputs: what the OCR and theme signals find, miss and cost.

    python -m benchmarks.ocr_bench            # every testdata picture
    python -m benchmarks.ocr_bench --quick    # a third of them

Rows (same run, same pictures):
- prefilter: how often `textlike.text_likely` fires on the openly licensed art in ../shared/testdata (no writing
  added) and on the same art with a name or title written on it (Latin and Japanese, 20-72 px, dark/light), ms.
- OCR: names/titles found with the prefilter (the cascade) and without it (OCR on every picture), wrong
  characters on the plain art, ms per picture read; PDQ's ms on the same pictures as the cheap baseline.
- NudeNet (when the optional extra is installed): pictures of the plain art where it saw a `sexual` theme at the
  thresholds in use (false positives: none of this art is explicit), the highest exposed-class score, ms.

Test data: ../shared/testdata (CC-BY, Pepper&Carrot by David Revoy, Blender Foundation; see SOURCES.md there).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from mamori.screening.image.examples import example_corpus as image_corpus
from mamori.screening.image.ocr import OcrDetector
from mamori.screening.image.pdq import PdqDetector
from mamori.screening.image.textdraw import draw_text, example_corpus, font
from mamori.screening.image.textlike import text_likely

TESTDATA = (
    Path(os.environ.get("MAMORI_SHARED") or Path(__file__).resolve().parents[1].parent / "shared")
    / "testdata"
)
WRITTEN = (
    ("Mirai Hoshino", False, "mirai"),
    ("STARLIGHT ACADEMY", False, None),
    ("星野みらい", True, "mirai"),
)


def art(limit: int | None) -> list[np.ndarray]:
    files = sorted(p for p in TESTDATA.rglob("*") if p.suffix.lower() in (".png", ".jpg", ".jpeg", ".webp"))
    out = []
    for p in files[:limit]:
        with Image.open(p) as im:
            im.draft("RGB", (1024, 1024))
            rgb = im.convert("RGB").resize((1024, 768))
        out.append(np.asarray(rgb))
    return out


def written(pictures: list[np.ndarray], n: int) -> list[tuple[np.ndarray, str]]:
    rng = np.random.default_rng(7)
    out = []
    for i in range(n):
        text, ja, _ = WRITTEN[i % len(WRITTEN)]
        if ja and font(20, japanese=True) is None:
            continue
        size = (20, 28, 44, 72)[(i // len(WRITTEN)) % 4]
        dark = (i // 12) % 2 == 0
        bg = pictures[int(rng.integers(len(pictures)))]
        at = (int(rng.integers(10, 300)), int(rng.integers(10, 650)))
        px = draw_text(
            text, size, at, background=bg, japanese=ja, colour=(15, 15, 25) if dark else (250, 250, 245)
        )
        out.append((px, "mirai" if WRITTEN[i % len(WRITTEN)][2] else "w"))
    return out


class _Clock:
    """Wall and CPU time (all threads) of a stretch: on a shared machine the wall time says how busy it was."""

    def __enter__(self) -> _Clock:
        self.w, self.c = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.w, time.process_time() - self.c

    def per(self, n: int) -> str:
        return f"{1000 * self.wall / max(1, n):.1f} ms wall, {1000 * self.cpu / max(1, n):.1f} ms CPU"


def ocr_rows(plain: list[np.ndarray], texts: list[tuple[np.ndarray, str]]) -> None:
    ocr = OcrDetector.build(example_corpus())
    pdq = PdqDetector.build(image_corpus())  # two registered drawn characters
    if not ocr.enabled:
        print("OCR off (rapidocr not installed): no OCR rows")
        return
    with _Clock() as pref:
        fires_plain = [text_likely(p) for p in plain]
    fires_text = [text_likely(p) for p, _ in texts]
    print(
        f"prefilter: fires on {sum(fires_plain)}/{len(plain)} plain art pictures, "
        f"{sum(fires_text)}/{len(texts)} with writing; {pref.per(len(plain))}/picture"
    )
    with _Clock() as base:
        for p in plain:
            pdq.detect(p)
    print(f"baseline PDQ (decoded pictures, 2 references): {base.per(len(plain))}/picture")
    every = OcrDetector(ocr.text_screen, ocr.engine, prefilter=False)  # the same engine, no prefilter

    def hit(found: list[Any], want: str) -> bool:
        got = {m.character or m.work for m in found}
        return want in got or (want == "w" and bool(got))

    with _Clock() as casc:
        found_cascade = sum(hit(ocr.detect(p), w) if ocr.wants(p, []) else False for p, w in texts)
    with _Clock() as full:
        found_all = sum(hit(every.detect(p), w) for p, w in texts)
    print(
        f"OCR on pictures with writing: names/titles found {found_cascade}/{len(texts)} in the cascade "
        f"(prefilter first), {casc.per(len(texts))}/picture; "
        f"{found_all}/{len(texts)} reading every whole picture, {full.per(len(texts))}/picture"
    )
    with _Clock() as casc_plain:
        wrong_cascade = sum(bool(ocr.detect(p)) if ocr.wants(p, []) else False for p in plain)
    with _Clock() as full_plain:
        wrong_all = sum(bool(every.detect(p)) for p in plain)
    print(
        f"OCR on plain art: a registered name read on {wrong_cascade}/{len(plain)} in the cascade, "
        f"{casc_plain.per(len(plain))}/picture; {wrong_all}/{len(plain)} reading every picture, "
        f"{full_plain.per(len(plain))}/picture"
    )


def nudenet_rows(plain: list[np.ndarray]) -> None:
    try:
        from mamori.screening.image.themes import NudeNetModel

        model = NudeNetModel()
    except ImportError:
        print("NudeNet: not installed (pip install 'mamori[nudenet]'); no theme rows")
        return
    flagged = 0
    with _Clock() as clock:
        for p in plain:
            flagged += bool(model.detect(p))
    top = 0.0
    for p in plain:
        raw: list[dict[str, Any]] = model._det.detect(np.dstack([p, np.full(p.shape[:2], 255, np.uint8)]))
        top = max([top] + [float(d["score"]) for d in raw if str(d["class"]) in model.SEXUAL])
    print(
        f"NudeNet (AGPL-3.0 weights): 'sexual' seen on {flagged}/{len(plain)} plain art pictures (false positives); "
        f"highest score of a sexual class {top:.2f} (thresholds 0.5-0.6); {clock.per(len(plain))}/picture"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args(argv if argv is not None else [])
    if not TESTDATA.is_dir():
        print(f"no test data at {TESTDATA}; skipped")
        return 0
    plain = art(25 if args.quick else None)
    texts = written(plain, 12 if args.quick else 36)
    print(f"{len(plain)} testdata pictures at 1024x768, {len(texts)} with a name or title written on them")
    ocr_rows(plain, texts)
    nudenet_rows(plain)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
