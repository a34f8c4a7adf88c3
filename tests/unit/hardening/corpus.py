"""Generators of hostile input, made by the tests (no third-party files): malformed and extreme media across every
format the gate reads. Each file is small (the whole media corpus is ~1.5 MB) so the suite stays fast."""

from __future__ import annotations

import io
import os
import random
import struct
import zlib
from fractions import Fraction
from pathlib import Path

import numpy as np
from PIL import Image

IMAGE_FORMATS = {"png": "PNG", "jpg": "JPEG", "gif": "GIF", "webp": "WEBP", "tif": "TIFF", "bmp": "BMP"}
VIDEO_FORMATS = {"mp4": ("mp4", "libx264"), "webm": ("webm", "libvpx"), "mov": ("mov", "mpeg4")}
SECRET = b"s3cret:x:0:0:s3cret:/home/s3cret:/bin/bash\n"


def _picture(w: int = 64, h: int = 48, seed: int = 0) -> Image.Image:
    rng = np.random.default_rng(seed)
    base = np.linspace(0, 255, w, dtype=np.float32)[None, :, None].repeat(h, 0).repeat(3, 2)
    noise = rng.integers(0, 40, (h, w, 3))
    return Image.fromarray(np.clip(base + noise, 0, 255).astype(np.uint8))


def image_bytes(ext: str, im: Image.Image | None = None, **save: object) -> bytes:
    buf = io.BytesIO()
    (im or _picture()).save(buf, IMAGE_FORMATS[ext], **save)
    return buf.getvalue()


def video_bytes(
    ext: str, frames: int = 8, audio_only: bool = False, size: tuple[int, int] = (64, 48)
) -> bytes:
    import av

    fmt, codec = VIDEO_FORMATS[ext]
    buf = io.BytesIO()
    with av.open(buf, mode="w", format=fmt) as out:
        if audio_only:
            stream = out.add_stream("aac" if ext != "webm" else "libopus", rate=48000)
            for i in range(10):
                frame = av.AudioFrame.from_ndarray(
                    np.zeros((1, 960), dtype=np.float32 if ext != "webm" else np.int16),
                    format="fltp" if ext != "webm" else "s16",
                    layout="mono",
                )
                frame.sample_rate = 48000
                frame.pts = i * 960
                for p in stream.encode(frame):
                    out.mux(p)
        else:
            stream = out.add_stream(codec, rate=8)
            stream.width, stream.height = size
            stream.pix_fmt = "yuv420p"
            stream.codec_context.time_base = Fraction(1, 8)
            for i in range(frames):
                frame = av.VideoFrame.from_ndarray(np.asarray(_picture(*size, seed=i)), format="rgb24")
                frame.pts = i
                for p in stream.encode(frame):
                    out.mux(p)
        for p in stream.encode():
            out.mux(p)
    return buf.getvalue()


def _flip(data: bytes, seed: int, fraction: float = 0.02) -> bytes:
    rng = random.Random(seed)
    out = bytearray(data)
    for _ in range(max(1, int(len(out) * fraction))):
        i = rng.randrange(8, len(out)) if len(out) > 8 else 0
        out[i] ^= 1 << rng.randrange(8)
    return bytes(out)


def _png_header_only(w: int, h: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk))


def _bmp_header(w: int, h: int) -> bytes:
    return (
        b"BM"
        + struct.pack("<IHHI", 54, 0, 0, 54)
        + struct.pack("<IiiHHIIiiII", 40, w, h, 1, 24, 0, 0, 0, 0, 0, 0)
    )


def _gif_600_frames() -> bytes:
    frames = [Image.new("P", (16, 16), i % 256) for i in range(600)]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=20, loop=0)
    return buf.getvalue()


def media_corpus(folder: Path) -> dict[str, str]:
    """Write the corpus into `folder`; returns {file name: what it is}. Links are made where the OS allows."""
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, tuple[bytes, str]] = {}
    bases = {ext: image_bytes(ext) for ext in IMAGE_FORMATS}
    bases.update({ext: video_bytes(ext) for ext in VIDEO_FORMATS})
    for ext, data in bases.items():
        files[f"truncated-half.{ext}"] = (data[: len(data) // 2], "cut at half")
        files[f"truncated-head.{ext}"] = (data[:24], "only the first 24 bytes")
        files[f"bitflip.{ext}"] = (_flip(data, seed=len(ext)), "2% of bits flipped")
        files[f"zeros.{ext}"] = (bytes(len(data)), "all zero bytes")
    files["empty.png"] = (b"", "0 bytes")
    files["bomb-header.png"] = (_png_header_only(100_000, 100_000), "declares 10^10 pixels")
    files["bomb-header.bmp"] = (_bmp_header(60_000, 60_000) + b"\x00" * 64, "declares 3.6*10^9 pixels")
    files["bomb-header.gif"] = (
        b"GIF89a" + struct.pack("<HH", 65535, 65535) + b"\x00\x00\x00;",
        "65535^2 screen",
    )
    files["huge-canvas.tif"] = (
        image_bytes("tif", Image.new("L", (16, 16))).replace(
            struct.pack("<H", 16), struct.pack("<H", 65000), 2
        ),
        "TIFF header sizes patched to 65000",
    )
    files["one-pixel.png"] = (image_bytes("png", Image.new("RGB", (1, 1), "red")), "1x1")
    files["thin-20000x20.png"] = (image_bytes("png", Image.new("RGB", (20000, 20), "white")), "20000x20")
    files["tall-20x20000.jpg"] = (image_bytes("jpg", Image.new("RGB", (20, 20000), "gray")), "20x20000")
    files["cmyk.jpg"] = (image_bytes("jpg", _picture().convert("CMYK")), "CMYK JPEG")
    files["cmyk.tif"] = (image_bytes("tif", _picture().convert("CMYK")), "CMYK TIFF")
    gray16 = Image.fromarray((np.arange(64 * 48, dtype=np.uint16).reshape(48, 64) * 21).astype(np.uint16))
    files["gray16.png"] = (image_bytes("png", gray16), "16-bit grey PNG")
    files["gray16.tif"] = (image_bytes("tif", gray16), "16-bit grey TIFF")
    files["palette-alpha.gif"] = (
        image_bytes("gif", _picture().convert("P"), transparency=0),
        "palette + alpha",
    )
    files["frames-600.gif"] = (_gif_600_frames(), "600-frame GIF")
    files["polyglot-png-zip.png"] = (bases["png"] + b"PK\x03\x04" + SECRET * 4, "PNG with a zip appended")
    files["polyglot-gif-script.gif"] = (b"GIF89a/*" + SECRET + b"*/=1;alert(1)", "GIF header then a script")
    files["polyglot-jpeg-html.jpg"] = (
        b"\xff\xd8\xff\xe0<html>" + SECRET + b"</html>",
        "JPEG magic then HTML",
    )
    files["wrong-extension.png"] = (bases["jpg"], "a JPEG named .png")
    files["text-named.mp4"] = (SECRET * 30, "text named .mp4")
    files["audio-only.mp4"] = (video_bytes("mp4", audio_only=True), "AAC only, no picture")
    files["audio-only.webm"] = (video_bytes("webm", audio_only=True), "Opus only, no picture")
    files["one-frame.mp4"] = (video_bytes("mp4", frames=1), "a single frame")
    files["one-frame.mov"] = (video_bytes("mov", frames=1), "a single frame")
    files["tiny-frames.webm"] = (video_bytes("webm", frames=3, size=(16, 16)), "16x16 frames")
    files["mp4-header-then-zeros.mp4"] = (bases["mp4"][:64] + bytes(4096), "ftyp box then nothing")
    for name, (data, _) in files.items():
        (folder / name).write_bytes(data)
    what = {name: why for name, (_, why) in files.items()}
    secret = folder.parent / f"{folder.name}-secret.txt"
    secret.write_bytes(SECRET * 10)
    for name, target, why in (
        ("link-to-text.png", secret, "a link to a private text file"),
        ("link-dangling.jpg", folder / "no-such-file", "a link to nothing"),
        ("link-loop.gif", folder / "link-loop.gif", "a link to itself"),
    ):
        try:
            os.symlink(target, folder / name)
        except OSError:  # pragma: no cover - filesystems without links
            continue
        what[name] = why
    return what
