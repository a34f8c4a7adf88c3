"""Media type detection: sniff from the bytes, fall back to the file extension."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from mamori.mediatype import sniff_mime
from mamori.provenance.errors import UnsupportedFormat

__all__ = ["detect_mime", "describe", "guess_from_name", "normalize_mime", "sniff_mime"]

# Formats mamori signs. The SDK supports more (PDF, office documents…); a generative
# image/video gate only ever releases media, so everything else is refused outright.
SIGNABLE_PREFIXES = ("image/", "video/", "audio/")

_ALIASES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "png": "image/png",
    "mp4": "video/mp4",
    "m4v": "video/x-m4v",
    "mov": "video/quicktime",
    "application/mp4": "video/mp4",
    "webp": "image/webp",
    "gif": "image/gif",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "avif": "image/avif",
    "heic": "image/heic",
    "heif": "image/heif",
    "bmp": "image/bmp",
    "image/x-ms-bmp": "image/bmp",
    "wav": "audio/wav",
    "mp3": "audio/mpeg",
}


def normalize_mime(mime: str | None) -> str | None:
    """Lower-case a MIME type (or bare extension) and map common aliases."""
    if not mime:
        return None
    key = mime.strip().lower().lstrip(".")
    return _ALIASES.get(key, key) or None


def guess_from_name(name: str | Path | None) -> str | None:
    if not name:
        return None
    return normalize_mime(mimetypes.guess_type(str(name))[0])


def detect_mime(head: bytes, *, declared: str | None = None, name: str | Path | None = None) -> str:
    """Resolve the media type: bytes first (they do not lie), then the declared type, then the name.

    Raises UnsupportedFormat when nothing identifies the content.
    """
    mime = sniff_mime(head) or normalize_mime(declared) or guess_from_name(name)
    if mime is None:
        what = f"'{name}'" if name else "the content"
        raise UnsupportedFormat(
            f"cannot tell what kind of media {what} is: the bytes match no known image/video/audio "
            "format and no MIME type or recognised file extension was given"
        )
    return mime


def describe(mime: str) -> str:
    return {"image/jpeg": "JPEG", "image/png": "PNG", "video/mp4": "MP4"}.get(mime, mime)
