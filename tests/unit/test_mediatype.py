"""The one media sniffer: each signature, and the kinds the gates derive from it."""

from __future__ import annotations

import pytest

from mamori.mediatype import kind_of, sniff_mime


@pytest.mark.parametrize(
    "head, mime",
    [
        (b"\xff\xd8\xff\xe0" + b"\x00" * 16, "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 16, "image/png"),
        (b"GIF89a" + b"\x00" * 16, "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"II*\x00" + b"\x00" * 16, "image/tiff"),
        (b"BM" + b"\x00" * 16, "image/bmp"),
        (b"\x00\x00\x00\x18ftypisom" + b"\x00" * 8, "video/mp4"),
        (b"\x00\x00\x00\x18ftypavif" + b"\x00" * 8, "image/avif"),
        (b"\x1a\x45\xdf\xa3" + b"\x00" * 16, "video/webm"),
        (b"RIFF\x00\x00\x00\x00AVI LIST", "video/x-msvideo"),
        (b"\x00\x00\x00\x08moov" + b"\x00" * 8, "video/mp4"),
        (bytes([0x47]) + b"\x00" * 187 + bytes([0x47]) + b"\x00" * 8, "video/mp2t"),
        (b"ID3\x03" + b"\x00" * 16, "audio/mpeg"),
        (b"%PDF-1.7", "application/pdf"),
        (b"plain text, not media", None),
        (b"", None),
    ],
)
def test_signatures(head: bytes, mime: str | None) -> None:
    assert sniff_mime(head) == mime


def test_kinds() -> None:
    assert kind_of("image/png") == "image"
    assert kind_of("video/webm") == "video"
    assert kind_of("audio/mpeg") == "audio"
    assert kind_of("application/pdf") is None
    assert kind_of(None) is None
