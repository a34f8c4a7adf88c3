"""Decode untrusted image bytes to analysis pixels: RGB uint8 (H, W, 3), EXIF-upright, alpha over white.

Every failure is a `MediaError` whose message says what was wrong (empty, not an image, truncated, too large,
decompression bomb, too small). Large images are downscaled (JPEG via draft mode, cheaply) so the longest side
is at most `ImageLimits.analysis_max_side`.
"""

from __future__ import annotations

import io
import os
import threading
import warnings
from typing import Any

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from mamori.screening.mediabase import ImageLimits, MediaError
from mamori.textsafe import without_bytes

__all__ = ["load_image", "to_rgb_array", "downscale", "LazyPixels", "ImageLimits", "MediaError"]


def _describe(source: bytes | str | os.PathLike[str]) -> str:
    if isinstance(source, bytes | bytearray | memoryview):
        return f"image bytes ({len(source)} B)"
    return os.fspath(source)


def load_image(source: bytes | str | os.PathLike[str], limits: ImageLimits | None = None) -> np.ndarray:
    """Decode `source` (bytes or a path) to RGB uint8 pixels for analysis, or raise MediaError."""
    limits = limits or ImageLimits()
    what = _describe(source)
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    else:
        try:
            size = os.path.getsize(source)
        except OSError as exc:
            raise MediaError(f"cannot read {what}: {exc.strerror or exc}") from exc
        if size > limits.max_bytes:
            raise MediaError(f"{what} is {size} bytes, over the {limits.max_bytes}-byte image limit")
        try:
            with open(source, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            raise MediaError(f"cannot read {what}: {exc.strerror or exc}") from exc
    if not data:
        raise MediaError(f"{what} is empty (0 bytes)")
    if len(data) > limits.max_bytes:
        raise MediaError(f"{what} is {len(data)} bytes, over the {limits.max_bytes}-byte image limit")

    # The process-wide Pillow guard follows our limit; we also check explicitly (below) so the message is ours.
    Image.MAX_IMAGE_PIXELS = limits.max_pixels
    with warnings.catch_warnings():
        warnings.simplefilter(
            "ignore", UserWarning
        )  # "Corrupt EXIF data" and kin: the pixels decide, not metadata
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            im = Image.open(io.BytesIO(data))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise MediaError(
                f"{what}: decompression bomb refused ({exc}); limit is {limits.max_pixels} pixels "
                f"(PIL.Image.MAX_IMAGE_PIXELS)"
            ) from exc
        except UnidentifiedImageError as exc:
            raise MediaError(  # never quote the bytes: the "image" may be a link to a private file
                f"{what} is not a recognised image format (PNG, JPEG, GIF, WebP, TIFF, BMP, ...)"
            ) from exc
        except (OSError, ValueError, SyntaxError) as exc:
            raise MediaError(f"{what} could not be opened as an image: {without_bytes(str(exc))}") from exc

        w, h = im.size
        if w * h > limits.max_pixels:
            raise MediaError(
                f"{what} is {w}x{h} = {w * h} pixels, over the {limits.max_pixels}-pixel limit "
                f"(decompression-bomb guard, PIL.Image.MAX_IMAGE_PIXELS)"
            )
        if min(w, h) < limits.min_side:
            raise MediaError(f"{what} is {w}x{h} px, smaller than the {limits.min_side} px minimum side")
        try:
            if limits.analysis_max_side and im.format == "JPEG" and max(w, h) > 2 * limits.analysis_max_side:
                im.draft("RGB", (limits.analysis_max_side, limits.analysis_max_side))
            im.load()
            im = ImageOps.exif_transpose(im)  # type: ignore[assignment]
            rgb = to_rgb_array(im)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise MediaError(f"{what}: decompression bomb refused ({exc})") from exc
        except (OSError, ValueError, SyntaxError, EOFError) as exc:
            msg = without_bytes(str(exc))
            if "truncated" in msg or isinstance(exc, EOFError):
                raise MediaError(
                    f"{what} is truncated or corrupt: {msg or 'unexpected end of data'}"
                ) from exc
            raise MediaError(f"{what} could not be decoded: {msg}") from exc
        except Image.UnidentifiedImageError as exc:  # pragma: no cover - defensive
            raise MediaError(f"{what} could not be decoded: {exc}") from exc
    return downscale(rgb, limits.analysis_max_side)


class LazyPixels:
    """Encoded image bytes that decode (`load_image`) on first use, once: a reference's `pixels` while a gate is
    built. Detectors read pixels only for signals missing from the cache (keyed by the bytes' sha256), so
    rebuilding over an unchanged registry decodes nothing. `numpy.asarray` (hence `as_rgb`) decodes; a bad image
    raises MediaError there, and the detector's build skips that reference with a log line."""

    def __init__(self, data: bytes, limits: ImageLimits | None = None) -> None:
        self._data: bytes | None = data
        self._limits = limits
        self._pixels: np.ndarray | None = None
        self._lock = threading.Lock()

    @property
    def decoded(self) -> bool:
        return self._pixels is not None

    @classmethod
    def decoded_from(cls, pixels: np.ndarray) -> LazyPixels:
        """Pixels already decoded (a video reference's sampled frame), held the same way: released after a build."""
        held = cls(b"")
        held._data, held._pixels = None, pixels
        return held

    def get(self) -> np.ndarray:
        with self._lock:
            if self._pixels is None:
                if self._data is None:
                    raise MediaError("reference pixels were released after the gate was built")
                self._pixels = load_image(self._data, self._limits)
                self._data = None  # the pixels replace the bytes
            return self._pixels

    def release(self) -> None:
        """Drop the bytes and the decoded pixels: a built gate keeps signals, never pixels (a 1,024 px reference
        is ~3 MB decoded), so nothing reads them again."""
        with self._lock:
            self._data = None
            self._pixels = None

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        arr = self.get()
        return arr if dtype is None else arr.astype(dtype)


def release_pixels(refs: Any) -> None:
    """`release()` every reference whose pixels are a `LazyPixels` (once a gate is built from them)."""
    for ref in refs:
        if isinstance(ref.pixels, LazyPixels):
            ref.pixels.release()


def to_rgb_array(im: Image.Image) -> np.ndarray:
    """Any Pillow mode to RGB uint8; transparency is composited over white."""
    has_alpha = im.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        im.mode == "P" and "transparency" in im.info
    )
    if im.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        arr = np.asarray(im, dtype=np.float64)
        lo, hi = float(arr.min()), float(arr.max())
        arr = (arr - lo) * (255.0 / (hi - lo)) if hi > lo else np.zeros_like(arr)
        g = arr.astype(np.uint8)
        return np.ascontiguousarray(np.stack([g, g, g], axis=-1))
    if has_alpha:
        rgba = np.asarray(im.convert("RGBA"), dtype=np.float32)
        a = rgba[..., 3:4] / 255.0
        rgb = rgba[..., :3] * a + 255.0 * (1.0 - a)
        return np.ascontiguousarray(np.clip(rgb + 0.5, 0, 255).astype(np.uint8))
    return np.ascontiguousarray(np.asarray(im.convert("RGB"), dtype=np.uint8))


def downscale(pixels: np.ndarray, max_side: int | None) -> np.ndarray:
    """Shrink (area interpolation) so the longest side is at most max_side; never upscales."""
    if not max_side:
        return pixels
    h, w = pixels.shape[:2]
    if max(h, w) <= max_side:
        return pixels
    import cv2

    s = max_side / max(h, w)
    return cv2.resize(pixels, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)


def as_rgb(pixels: Any) -> np.ndarray:
    """Coerce detector input (RGB/gray/RGBA ndarray or a PIL image) to contiguous RGB uint8 (H, W, 3)."""
    if isinstance(pixels, Image.Image):
        return to_rgb_array(pixels)
    if isinstance(pixels, LazyPixels):
        pixels = pixels.get()
    arr = np.asarray(pixels)
    if arr.dtype != np.uint8:
        if np.issubdtype(arr.dtype, np.floating) and arr.size and float(np.nanmax(arr)) <= 1.0:
            arr = arr * 255.0
        arr = np.clip(np.nan_to_num(arr), 0, 255).astype(np.uint8)
    if arr.ndim == 2:
        arr = np.stack([arr, arr, arr], axis=-1)
    elif arr.ndim == 3 and arr.shape[2] == 1:
        arr = np.repeat(arr, 3, axis=2)
    elif arr.ndim == 3 and arr.shape[2] == 4:
        a = arr[..., 3:4].astype(np.float32) / 255.0
        arr = (arr[..., :3].astype(np.float32) * a + 255.0 * (1 - a) + 0.5).astype(np.uint8)
    elif arr.ndim != 3 or arr.shape[2] != 3:
        raise MediaError(f"pixels must be (H, W), (H, W, 3) or (H, W, 4); got shape {arr.shape}")
    return np.ascontiguousarray(arr)
