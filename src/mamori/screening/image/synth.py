"""Procedural drawings for detector examples, tests and benchmarks (no external data needed).

`draw_character(seed)` draws a cartoon-like figure (hat, face, patterned clothes, outlines) on a transparent
background; `draw_scene(seed)` a busy unrelated background; `paste(scene, sprite, height_frac)` composites one
into the other. Everything is deterministic for a seed.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw


def _col(rng: np.random.Generator, lo: int = 30, hi: int = 230) -> tuple[int, int, int]:
    return tuple(int(x) for x in rng.integers(lo, hi, size=3))  # type: ignore[return-value]


def draw_character(seed: int, size: tuple[int, int] = (240, 320), pose: float = 0.0) -> np.ndarray:
    """RGBA uint8 (H, W, 4): a figure with many distinctive corners and outlines. `pose` shifts a limb a bit."""
    rng = np.random.default_rng(seed)
    w, h = size
    im = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(im)
    ink = (25, 20, 20, 255)
    skin, hat, shirt, shirt2, legs = (_col(rng) for _ in range(5))
    cx = int(w * rng.uniform(0.4, 0.55))
    # hat: a jagged polygon
    pts = [(cx - 0.35 * w, 0.22 * h), (cx + 0.35 * w, 0.22 * h)]
    for t in np.linspace(0.3, -0.3, int(rng.integers(4, 8))):
        pts.append((cx + t * w + rng.normal(0, 0.03 * w), rng.uniform(0.02, 0.16) * h))
    d.polygon(pts, fill=hat + (255,), outline=ink, width=3)
    # head + face
    hr = rng.uniform(0.12, 0.2) * w
    hy = rng.uniform(0.26, 0.34) * h
    d.ellipse([cx - hr, hy - hr, cx + hr, hy + hr], fill=skin + (255,), outline=ink, width=3)
    er, sep = rng.uniform(3, 8), rng.uniform(0.25, 0.5)
    for ex in (-sep, sep):
        x = cx + ex * hr
        d.ellipse([x - er, hy - er - 1, x + er, hy + er - 1], fill=(255, 255, 255, 255), outline=ink, width=2)
        d.ellipse([x - er / 2.5, hy - er / 2, x + er / 2.5, hy + er / 3], fill=ink)
    d.arc([cx - 0.4 * hr, hy, cx + 0.4 * hr, hy + 0.5 * hr], 10, 170, fill=ink, width=2)
    # body with a plaid / stripes pattern
    top, bot = hy + hr + rng.uniform(0.0, 0.04) * h, rng.uniform(0.68, 0.8) * h
    half = rng.uniform(0.17, 0.3) * w
    left, right = cx - half, cx + half
    d.rectangle([left, top, right, bot], fill=shirt + (255,), outline=ink, width=3)
    step = int(rng.integers(9, 16))
    for x in range(int(left) + step // 2, int(right), step):
        d.line([x, top, x, bot], fill=shirt2 + (255,), width=3)
    for y in range(int(top) + step // 2, int(bot), step * 2):
        d.line([left, y, right, y], fill=shirt2 + (255,), width=2)
    for _ in range(int(rng.integers(3, 6))):  # buttons / badges
        bx, by, br = rng.uniform(left + 8, right - 8), rng.uniform(top + 8, bot - 8), rng.uniform(3, 8)
        d.regular_polygon((bx, by, br), int(rng.integers(3, 7)), fill=_col(rng) + (255,), outline=ink)
    for _ in range(int(rng.integers(6, 12))):  # decals: stars, blocks and rings unique to this character
        bx, by = rng.uniform(left, right), rng.uniform(top, bot)
        r = rng.uniform(5, 14)
        kind = int(rng.integers(0, 3))
        if kind == 0:
            d.regular_polygon(
                (bx, by, r),
                int(rng.integers(3, 9)),
                rotation=float(rng.uniform(0, 90)),
                fill=_col(rng) + (255,),
                outline=ink,
            )
        elif kind == 1:
            d.rectangle(
                [bx - r, by - r / 2, bx + r, by + r / 2], fill=_col(rng) + (255,), outline=ink, width=2
            )
        else:
            d.ellipse([bx - r, by - r, bx + r, by + r], outline=_col(rng, 0, 120) + (255,), width=3)
    # arms and legs
    sway = pose * 0.1 * w
    d.line([left, top + 10, left - 0.15 * w, top + 0.2 * h + sway], fill=ink, width=7)
    d.line([right, top + 10, right + 0.15 * w, top + 0.2 * h - sway], fill=ink, width=7)
    for lx in (cx - 0.12 * w, cx + 0.12 * w):
        d.rectangle([lx - 0.06 * w, bot, lx + 0.06 * w, 0.95 * h], fill=legs + (255,), outline=ink, width=3)
        d.polygon(
            [
                (lx - 0.09 * w, 0.95 * h),
                (lx + 0.11 * w, 0.95 * h),
                (lx + 0.09 * w, 0.99 * h),
                (lx - 0.09 * w, 0.99 * h),
            ],
            fill=ink,
        )
    # a held prop: a staff with a random emblem (its shape and side vary per character)
    side = 1 if rng.random() < 0.5 else -1
    px = cx + side * (half + rng.uniform(0.08, 0.16) * w)
    py0 = rng.uniform(0.15, 0.35) * h
    d.line([px, py0, px + sway, 0.9 * h], fill=_col(rng, 60, 160) + (255,), width=int(rng.integers(3, 7)))
    er = rng.uniform(8, 16)
    d.regular_polygon(
        (px, py0, er),
        int(rng.integers(3, 8)),
        rotation=float(rng.uniform(0, 60)),
        fill=_col(rng) + (255,),
        outline=ink,
    )
    return np.asarray(im)


def draw_scene(seed: int, size: tuple[int, int] = (640, 480)) -> np.ndarray:
    """RGB uint8: sky gradient, buildings with windows, trees, blobs; unrelated to any character."""
    rng = np.random.default_rng(10_000 + seed)
    w, h = size
    top, bottom = np.array(_col(rng, 80, 255), np.float32), np.array(_col(rng, 0, 200), np.float32)
    t = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    arr = (top * (1 - t) + bottom * t).repeat(w, axis=1).astype(np.uint8)
    im = Image.fromarray(arr)
    d = ImageDraw.Draw(im)
    for _ in range(int(rng.integers(4, 9))):
        bw, bh = rng.uniform(0.08, 0.2) * w, rng.uniform(0.2, 0.6) * h
        bx = rng.uniform(0, w - bw)
        d.rectangle([bx, h - bh, bx + bw, h], fill=_col(rng, 40, 160))
        for wy in np.arange(h - bh + 8, h - 10, 18):
            for wx in np.arange(bx + 6, bx + bw - 10, 14):
                if rng.random() < 0.7:
                    d.rectangle([wx, wy, wx + 7, wy + 9], fill=_col(rng, 150, 255))
    for _ in range(int(rng.integers(3, 8))):
        tx, tr = rng.uniform(0, w), rng.uniform(10, 40)
        d.line([tx, h, tx, h - 3 * tr], fill=(90, 60, 30), width=5)
        d.ellipse([tx - tr, h - 4 * tr - tr, tx + tr, h - 4 * tr + tr], fill=_col(rng, 20, 140))
    for _ in range(int(rng.integers(5, 15))):
        x, y, r = rng.uniform(0, w), rng.uniform(0, h * 0.6), rng.uniform(3, 25)
        d.ellipse([x - r, y - r * 0.6, x + r, y + r * 0.6], fill=_col(rng, 150, 255))
    return np.asarray(im)


def paste(scene: np.ndarray, sprite_rgba: np.ndarray, height_frac: float, x_frac: float = 0.5) -> np.ndarray:
    """Composite an RGBA sprite (or RGB, pasted opaque) into an RGB scene at `height_frac` of its height."""
    base = Image.fromarray(scene).convert("RGB")
    sp = Image.fromarray(sprite_rgba)
    if sp.mode != "RGBA":
        sp = sp.convert("RGBA")
    th = max(1, int(base.height * height_frac))
    tw = max(1, int(sp.width * th / sp.height))
    sp = sp.resize((tw, th), Image.Resampling.LANCZOS)
    x = int((base.width - tw) * x_frac)
    y = base.height - th - int(0.05 * base.height) if base.height - th > 0.1 * base.height else 0
    base.paste(sp, (max(0, x), max(0, y)), sp)
    return np.asarray(base)


def flatten(rgba: np.ndarray, background: tuple[int, int, int] = (255, 255, 255)) -> np.ndarray:
    """RGBA over a solid background -> RGB uint8."""
    if rgba.ndim == 3 and rgba.shape[2] == 4:
        a = rgba[..., 3:4].astype(np.float32) / 255.0
        bg = np.array(background, np.float32)
        return (rgba[..., :3].astype(np.float32) * a + bg * (1 - a) + 0.5).astype(np.uint8)
    return rgba


Palette = tuple[tuple[int, int, int], tuple[int, int, int], tuple[int, int, int]]  # hair, eyes, skin


def face_palette(seed: int) -> Palette:
    """A character's colours (hair, eyes, skin), fixed by its seed: the part a redrawing keeps."""
    rng = np.random.default_rng(20_000 + seed)
    skin = tuple(int(v) for v in rng.integers((200, 160, 130), (256, 230, 215)))
    return _col(rng, 20, 235), _col(rng, 20, 200), skin  # type: ignore[return-value]


def draw_face(
    palette: Palette, seed: int = 0, size: int = 400, background: tuple[int, int, int] | None = None
) -> np.ndarray:
    """RGB uint8 (size, size, 3): an anime-style head (big eyes with highlights, fringe, pointed chin) in the given
    colours. `seed` varies the drawing (proportions, fringe, eye shape, background): the same palette with another
    seed is the same character drawn again; another palette with the same seed is another character."""
    hair, eye, skin = palette
    rng = np.random.default_rng(30_000 + seed)
    bg = background or _col(rng, 170, 255)
    im = Image.new("RGB", (size, size), bg)
    d = ImageDraw.Draw(im)
    s = size / 400
    ink = (40, 25, 25)
    j = lambda v: v + rng.normal(0, 6)  # noqa: E731 - small per-drawing jitter
    d.ellipse([j(70) * s, j(40) * s, j(330) * s, j(330) * s], fill=hair)
    chin = j(345)
    d.polygon(
        [
            (110 * s, 150 * s),
            (290 * s, 150 * s),
            (j(280) * s, 290 * s),
            (200 * s, chin * s),
            (j(120) * s, 290 * s),
        ],
        fill=skin,
        outline=ink,
    )
    fringe = [(90 * s, 60 * s), (310 * s, 60 * s), (320 * s, 170 * s)]
    for x in np.linspace(270, 130, int(rng.integers(3, 6))):
        fringe += [(x * s, j(130) * s), ((x - 20) * s, j(165) * s)]
    fringe.append((80 * s, 170 * s))
    d.polygon(fringe, fill=hair)
    ew, eh = rng.uniform(24, 32), rng.uniform(30, 38)
    for ex in (150, 250):
        d.ellipse(
            [(ex - ew) * s, (220 - eh) * s, (ex + ew) * s, (220 + eh) * s], fill=(255, 255, 255), outline=ink
        )
        d.ellipse([(ex - 0.7 * ew) * s, (230 - 0.8 * eh) * s, (ex + 0.7 * ew) * s, (220 + eh) * s], fill=eye)
        d.ellipse([(ex - 0.35 * ew) * s, 212 * s, (ex + 0.35 * ew) * s, 242 * s], fill=(20, 20, 30))
        d.ellipse([(ex - 12) * s, 200 * s, (ex - 2) * s, 212 * s], fill=(255, 255, 255))
        d.line(
            [(ex - 32) * s, (218 - eh) * s, (ex + 30) * s, (214 - eh) * s], fill=ink, width=max(1, int(5 * s))
        )
    d.line([195 * s, 280 * s, 205 * s, 282 * s], fill=(120, 60, 60), width=max(1, int(3 * s)))
    d.arc([180 * s, 295 * s, 220 * s, 315 * s], 20, 160, fill=(150, 50, 50), width=max(1, int(3 * s)))
    return np.asarray(im)


def light_offset(c: float) -> np.ndarray:
    """The RGB offset of warm (c > 0) or cool (c < 0) light of `c` levels: red and blue apart, green a little."""
    return np.array([c, 0.3 * c, -c], np.float32)


def colour_cast(rgb: np.ndarray, c: float) -> np.ndarray:
    """An RGB uint8 picture under warm or cool light (`light_offset`)."""
    return np.clip(rgb.astype(np.float32) + light_offset(c), 0, 255).astype(np.uint8)
