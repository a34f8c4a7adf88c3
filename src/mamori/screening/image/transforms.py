"""Edits an adversary (or an innocent pipeline) applies to a reference; used by tests, calibration, benchmarks."""

from __future__ import annotations

import io

import cv2
import numpy as np
from PIL import Image, ImageDraw

from mamori.screening.image import synth


def jpeg(rgb: np.ndarray, quality: int = 50) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=quality)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


def png_roundtrip(rgb: np.ndarray) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "PNG")
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


def resize(rgb: np.ndarray, factor: float) -> np.ndarray:
    h, w = rgb.shape[:2]
    interp = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
    return cv2.resize(rgb, (max(1, round(w * factor)), max(1, round(h * factor))), interpolation=interp)


def colour_shift(
    rgb: np.ndarray, shift: tuple[int, int, int] = (18, -12, 8), gain: float = 1.08
) -> np.ndarray:
    return np.clip(rgb.astype(np.float32) * gain + np.array(shift, np.float32), 0, 255).astype(np.uint8)


def crop(rgb: np.ndarray, fraction: float, side: str = "all") -> np.ndarray:
    """Remove `fraction` of the area-ish: 'all' trims each border by fraction/2; 'left'/'top'/... one side."""
    h, w = rgb.shape[:2]
    dy, dx = round(h * fraction), round(w * fraction)
    if side == "all":
        return rgb[dy // 2 : h - dy // 2, dx // 2 : w - dx // 2].copy()
    if side == "left":
        return rgb[:, dx:].copy()
    if side == "right":
        return rgb[:, : w - dx].copy()
    if side == "top":
        return rgb[dy:].copy()
    return rgb[: h - dy].copy()


def mirror(rgb: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(rgb[:, ::-1])


def rotate(rgb: np.ndarray, degrees: float, fill: tuple[int, int, int] = (255, 255, 255)) -> np.ndarray:
    h, w = rgb.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(rgb, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=fill)


def letterbox(
    rgb: np.ndarray, aspect: float = 16 / 9, colour: tuple[int, int, int] = (0, 0, 0)
) -> np.ndarray:
    """Pad to `aspect` (w/h) with bars, as a video player would."""
    h, w = rgb.shape[:2]
    if w / h < aspect:
        nw = round(h * aspect)
        out = np.full((h, nw, 3), colour, np.uint8)
        x = (nw - w) // 2
        out[:, x : x + w] = rgb
    else:
        nh = round(w / aspect)
        out = np.full((nh, w, 3), colour, np.uint8)
        y = (nh - h) // 2
        out[y : y + h] = rgb
    return out


def caption(
    rgb: np.ndarray, text: str = "when the witch is late again lol", height: float = 0.18
) -> np.ndarray:
    """A meme-style caption bar added above the image."""
    h, w = rgb.shape[:2]
    bar = max(12, round(h * height))
    out = Image.new("RGB", (w, h + bar), (255, 255, 255))
    out.paste(Image.fromarray(rgb), (0, bar))
    d = ImageDraw.Draw(out)
    d.text((8, bar // 3), text, fill=(0, 0, 0))
    return np.asarray(out)


def paste_in_scene(
    sprite: np.ndarray, seed: int, height_frac: float, size: tuple[int, int] = (960, 640), x_frac: float = 0.4
) -> np.ndarray:
    """Sprite (RGBA, or RGB on white) pasted into a generated scene at `height_frac` of the scene height."""
    if sprite.shape[2] == 3:  # make white transparent so the scene shows around the drawing
        alpha = np.where(np.all(sprite > 245, axis=2), 0, 255).astype(np.uint8)
        sprite = np.dstack([sprite, alpha])
    return synth.paste(synth.draw_scene(seed, size), sprite, height_frac, x_frac)
