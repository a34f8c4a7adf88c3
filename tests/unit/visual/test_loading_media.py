from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from mamori.screening.image.examples import example_corpus
from mamori.screening.image.fusion import VisualGate
from mamori.screening.image.loading import load_image
from mamori.screening.media import ImageLimits, MediaError, iter_media_paths, screen_media_path, sniff_kind


def png_bytes(im: Image.Image, **kw) -> bytes:  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    im.save(buf, "PNG", **kw)
    return buf.getvalue()


def huge_png_header(w: int, h: int) -> bytes:
    """A PNG that *claims* w x h (only the header is valid): a decompression-bomb probe costing no memory."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def test_rgba_is_composited_on_white() -> None:
    im = Image.new("RGBA", (20, 20), (255, 0, 0, 0))
    im.putpixel((5, 5), (0, 0, 255, 255))
    px = load_image(png_bytes(im))
    assert px.shape == (20, 20, 3) and px.dtype == np.uint8
    assert tuple(px[0, 0]) == (255, 255, 255) and tuple(px[5, 5]) == (0, 0, 255)


def test_palette_gray_and_16bit_modes() -> None:
    for im in (Image.new("P", (16, 16)), Image.new("L", (16, 16), 7), Image.new("I;16", (16, 16))):
        assert load_image(png_bytes(im)).shape == (16, 16, 3)


def test_exif_orientation_is_applied() -> None:
    im = Image.new("RGB", (40, 20), (0, 255, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 CW on display
    buf = io.BytesIO()
    im.save(buf, "JPEG", exif=exif.tobytes())
    assert load_image(buf.getvalue()).shape[:2] == (40, 20)


def test_large_images_are_downscaled() -> None:
    px = load_image(png_bytes(Image.new("RGB", (3000, 1500), (9, 9, 9))))
    assert max(px.shape[:2]) == 1024


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"", "empty"),
        (b"hello, I am text pretending to be a picture", "not a recognised image"),
        (huge_png_header(30_000, 30_000), "decompression.bomb"),
        (png_bytes(Image.new("RGB", (1, 1))), "smaller than"),
    ],
    ids=["zero-bytes", "not-an-image", "30000x30000", "1x1"],
)
def test_bad_images_have_clear_messages(data: bytes, needle: str) -> None:
    with pytest.raises(MediaError, match=needle):
        load_image(data)


def test_truncated_image(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    data = png_bytes(Image.fromarray(rng.integers(0, 255, (200, 200, 3), dtype=np.uint8)))
    p = tmp_path / "cut.png"
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(MediaError, match="truncated|could not be decoded"):
        load_image(p)


def test_bomb_limit_is_configurable_and_named() -> None:
    data = png_bytes(Image.new("RGB", (300, 300)))
    with pytest.raises(MediaError, match="MAX_IMAGE_PIXELS"):
        load_image(data, ImageLimits(max_pixels=10_000))


def test_sniffing_uses_content_not_extension(tmp_path: Path) -> None:
    png = png_bytes(Image.new("RGB", (32, 32)))
    assert sniff_kind(png, "clip.mp4") == "image"
    assert sniff_kind(b"\x00\x00\x00\x18ftypisom" + b"\x00" * 20, "photo.png") == "video"
    assert sniff_kind(b"plain text", "notes.txt") is None


def test_screen_media_path_and_iter(tmp_path: Path) -> None:
    gate = VisualGate(example_corpus())
    from mamori.screening.image.examples import CHARACTERS, _sprite
    from mamori.screening.image.synth import flatten

    (tmp_path / "b").mkdir()
    Image.fromarray(flatten(_sprite(CHARACTERS[0][1]))).save(tmp_path / "b" / "hit.jpg", quality=80)
    (tmp_path / "a.png").write_bytes(b"not really a png")
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("ignored")
    paths = list(iter_media_paths([tmp_path]))
    assert [Path(p).name for p in paths] == ["a.png", "empty.png", "hit.jpg"]
    results = {Path(p).name: screen_media_path(p, gate) for p in paths}
    assert results["hit.jpg"].kind == "image" and results["hit.jpg"].error is None
    assert [m.character for m in results["hit.jpg"].matches] == [CHARACTERS[0][0]]
    assert "not a recognised image" in (results["a.png"].error or "")
    assert "empty" in (results["empty.png"].error or "")
