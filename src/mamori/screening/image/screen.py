"""The image handler registered in `mamori.screening.plugins.MEDIA_KINDS`: decode, then the gate's cascade."""

from __future__ import annotations

import os
from typing import Any

from mamori.screening.image.loading import load_image
from mamori.screening.mediabase import MediaLimits, MediaResult


def screen_image_file(path: str | os.PathLike[str], gate: Any, limits: MediaLimits) -> MediaResult:
    """Decode (raises MediaError for bad input) and screen one image file."""
    spath = os.fspath(path)
    pixels = load_image(spath, limits.image)
    screened = gate.screen(pixels)
    return MediaResult(
        spath, "image", screened.matches, themes=screened.theme_names, notes=list(screened.notes)
    )
