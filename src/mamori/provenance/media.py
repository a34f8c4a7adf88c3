"""Media type detection: sniff from the bytes, fall back to the file extension."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from mamori.provenance.errors import UnsupportedFormat

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

_FTYP_BRANDS = {
    b"qt  ": "video/quicktime",
    b"M4V ": "video/x-m4v",
    b"M4VH": "video/x-m4v",
    b"M4A ": "audio/mp4",
    b"avif": "image/avif",
    b"avis": "image/avif",
    b"heic": "image/heic",
    b"heix": "image/heic",
    b"mif1": "image/heif",
    b"msf1": "image/heif",
}


def normalize_mime(mime: str | None) -> str | None:
    """Lower-case a MIME type (or bare extension) and map common aliases."""
    if not mime:
        return None
    key = mime.strip().lower().lstrip(".")
    return _ALIASES.get(key, key) or None


def sniff_mime(head: bytes) -> str | None:
    """The media type the leading bytes announce, or None when they are not recognised."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return _FTYP_BRANDS.get(head[8:12], "video/mp4")
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head.startswith(b"RIFF") and len(head) >= 12:
        return {b"WEBP": "image/webp", b"WAVE": "audio/wav", b"AVI ": "video/x-msvideo"}.get(head[8:12])
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if head.startswith(b"BM"):
        return "image/bmp"
    if head.startswith(b"%PDF"):
        return "application/pdf"
    if head.startswith(b"\xff\x0a") or head.startswith(b"\x00\x00\x00\x0cJXL "):
        return "image/jxl"
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    return None


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
