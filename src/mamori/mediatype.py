"""What kind of media some bytes are, from their leading bytes alone: the one sniffer every layer uses
(reference import, media screening, provenance, dataset scans). No imports beyond the standard library."""

from __future__ import annotations

from typing import Literal

SNIFF_BYTES = 512  # enough leading bytes for every signature below (MPEG-TS needs 189)

# ISO-BMFF brands that are not plain MP4 video; any other `ftyp` brand is taken as video/mp4.
_FTYP_BRANDS = {
    b"qt  ": "video/quicktime",
    b"M4V ": "video/x-m4v",
    b"M4VH": "video/x-m4v",
    b"M4A ": "audio/mp4",
    b"M4B ": "audio/mp4",
    b"avif": "image/avif",
    b"avis": "image/avif",
    b"heic": "image/heic",
    b"heix": "image/heic",
    b"mif1": "image/heif",
    b"msf1": "image/heif",
}


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
    if head.startswith(b"\x1a\x45\xdf\xa3"):  # Matroska / WebM
        return "video/webm"
    if head[:4] in (b"\x00\x00\x01\xba", b"\x00\x00\x01\xb3"):
        return "video/mpeg"
    if head[:3] == b"FLV":
        return "video/x-flv"
    if len(head) > 188 and head[0] == 0x47 and head[188] == 0x47:
        return "video/mp2t"
    if head[4:8] in (b"moov", b"mdat", b"free", b"wide"):  # QuickTime/MP4 without a leading ftyp box
        return "video/mp4"
    if head.startswith(b"%PDF"):
        return "application/pdf"
    if head.startswith(b"\xff\x0a") or head.startswith(b"\x00\x00\x00\x0cJXL "):
        return "image/jxl"
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    if head.startswith(b"fLaC"):
        return "audio/flac"
    if head.startswith(
        b"OggS"
    ):  # Vorbis / Opus / FLAC in Ogg (Theora video in Ogg is rare and screened as sound)
        return "audio/ogg"
    if head[:2] in (b"\xff\xf1", b"\xff\xf9"):  # AAC in ADTS frames
        return "audio/aac"
    return None


def kind_of(mime: str | None) -> Literal["image", "video", "audio"] | None:
    if mime is None:
        return None
    top = mime.split("/", 1)[0]
    return top if top in ("image", "video", "audio") else None  # type: ignore[return-value]
