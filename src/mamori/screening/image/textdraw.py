"""Pictures with writing drawn by this code (Latin and Japanese), for the OCR detector's examples and tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from mamori.registry.model import Character, Registry, Rightsholder, Work
from mamori.screening.base import Corpus

# Debian's fonts-noto-cjk (installed by .ci/run) and fonts-dejavu-core; Pillow's own font when neither is there
CJK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
)
LATIN_FONTS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",)


def font(size: int, japanese: bool = False) -> Any | None:
    """A TrueType font of `size` px; None when Japanese is asked and no CJK font is installed."""
    for path in CJK_FONTS if japanese else LATIN_FONTS + CJK_FONTS:
        if os.path.exists(path):
            return ImageFont.truetype(path, size)
    return None if japanese else ImageFont.load_default(size)


def draw_text(
    text: str,
    size: int = 48,
    at: tuple[int, int] = (60, 60),
    canvas: tuple[int, int] = (1024, 768),
    background: Any = None,
    japanese: bool = False,
    colour: tuple[int, int, int] = (20, 20, 40),
) -> np.ndarray:
    """RGB pixels: `text` written on a drawn scene (a blob and a band), or on `background` pixels."""
    f = font(size, japanese)
    if f is None:
        raise LookupError("no CJK font installed (Debian: fonts-noto-cjk)")
    if background is None:
        img = Image.new("RGB", canvas, (236, 228, 210))
        d = ImageDraw.Draw(img)
        d.ellipse((canvas[0] // 2, canvas[1] // 4, canvas[0] - 80, canvas[1] - 40), fill=(190, 80, 90))
        d.rectangle((0, canvas[1] - 60, canvas[0], canvas[1]), fill=(90, 130, 70))
    else:
        img = Image.fromarray(np.asarray(background, dtype=np.uint8)).convert("RGB")
        d = ImageDraw.Draw(img)
    d.text(at, text, font=f, fill=colour)
    return np.asarray(img)


@lru_cache(maxsize=1)
def example_registry() -> Registry:
    return Registry(
        rightsholders=(Rightsholder("rh", "Example"),),
        works=(Work("w", "rh", ("Starlight Academy", "スターライト学園")),),
        characters=(Character("mirai", "w", ("Mirai Hoshino", "星野みらい"), ("star hairpin",)),),
    )


def example_corpus(settings: Any = None) -> Corpus:
    from mamori.screening.text import TextMatcher

    reg = example_registry()
    matcher = TextMatcher(reg)
    return Corpus(registry=reg, settings=settings, text_screen=matcher.detect)


def example_text_cases() -> Iterator[tuple[Corpus, Any, set[str]]]:
    corpus = example_corpus()
    yield corpus, draw_text("Mirai Hoshino"), {"mirai"}
    yield corpus, draw_text("Good morning"), set()
