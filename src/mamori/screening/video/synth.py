"""Generate H.264 test clips with PyAV: a panning synthetic scene with a sprite on screen for a time window."""

from __future__ import annotations

import os
from collections.abc import Sequence

import cv2
import numpy as np

from mamori.screening.image import synth


def _sprite_layer(sprite_rgba: np.ndarray, height: int) -> tuple[np.ndarray, np.ndarray]:
    h, w = sprite_rgba.shape[:2]
    nw = max(1, round(w * height / h))
    sp = cv2.resize(sprite_rgba, (nw, height), interpolation=cv2.INTER_AREA)
    alpha = sp[..., 3:4].astype(np.float32) / 255.0
    return sp[..., :3].astype(np.float32), alpha


def make_clip(
    path: str | os.PathLike[str],
    duration: float = 4.0,
    fps: int = 24,
    size: tuple[int, int] = (320, 240),
    sprite_rgba: np.ndarray | None = None,
    visible: Sequence[tuple[float, float]] = ((1.0, 3.0),),
    height_frac: float = 0.6,
    seed: int = 0,
    rotation: int | None = None,
    gop: int = 48,
    crf: int = 23,
    frame_times: Sequence[float] | None = None,
    walk: float = 0.0,
    tint: float = 0.0,
) -> str:
    """Write an H.264 MP4; the sprite is visible during each (start, end) window. Returns the path.

    `frame_times` (seconds) makes a variable-frame-rate clip; `rotation` sets display-matrix rotation metadata
    (the stored frames are then rotated the opposite way so the *displayed* video looks upright). `walk`: the
    sprite crosses this fraction of the frame's width while visible; `tint`: the light changes colour over time
    (a warm/cool cast of up to this many levels per channel, period ~3 s), as scenes lit by fire or dusk do.
    """
    from fractions import Fraction

    import av

    w, h = size
    scene = synth.draw_scene(seed, (w + w // 2, h))  # wider than the frame: the camera pans
    layer = _sprite_layer(sprite_rgba, int(h * height_frac)) if sprite_rgba is not None else None
    times = (
        list(frame_times) if frame_times is not None else [i / fps for i in range(int(round(duration * fps)))]
    )
    container = av.open(os.fspath(path), mode="w")
    stream = container.add_stream("libx264", rate=fps)
    store_w, store_h = (h, w) if rotation in (90, -90, 270) else (w, h)
    stream.width, stream.height = store_w, store_h
    stream.pix_fmt = "yuv420p"
    stream.options = {"crf": str(crf), "preset": "veryfast", "g": str(gop), "bf": "2"}
    stream.codec_context.time_base = Fraction(1, 1000)
    if rotation:
        stream.set_display_rotation(rotation)
    span = scene.shape[1] - w
    for t in times:
        x0 = int(span * (t / max(1e-6, times[-1] if times else 1.0)) * 0.9)
        img = scene[:, x0 : x0 + w].astype(np.float32)
        if layer is not None and any(a <= t < b for a, b in visible):
            rgb, alpha = layer
            sh, sw = rgb.shape[:2]
            win = next((a, b) for a, b in visible if a <= t < b)
            px = int(w * 0.2 + 10 * np.sin(t * 2) + walk * w * (t - win[0]) / max(1e-6, win[1] - win[0]))
            py = h - sh - 4
            px, py = max(0, min(w - sw, px)), max(0, py)
            region = img[py : py + sh, px : px + sw]
            region[:] = rgb[: region.shape[0], : region.shape[1]] * alpha[
                : region.shape[0], : region.shape[1]
            ] + region * (1 - alpha[: region.shape[0], : region.shape[1]])
        if tint:
            cast = tint * np.sin(2 * np.pi * t / 3.1)
            img = img + synth.light_offset(cast)
        frame_rgb = np.clip(img, 0, 255).astype(np.uint8)
        if rotation:
            # stored = displayed rotated clockwise by `rotation` so that the ccw display matrix makes it upright
            frame_rgb = np.ascontiguousarray(np.rot90(frame_rgb, k=-(rotation // 90) % 4))
        frame = av.VideoFrame.from_ndarray(frame_rgb, format="rgb24")
        frame.pts = int(round(t * 1000))
        frame.time_base = Fraction(1, 1000)
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)
    container.close()
    return os.fspath(path)


# shirt and trousers colours of `figure_sprite`s in outfits no reference shows (benchmarks and calibration)
OUTFITS = (((40, 120, 60), (60, 60, 70)), ((150, 40, 40), (30, 30, 90)), ((220, 200, 80), (90, 60, 30)))


def figure_sprite(
    palette: synth.Palette,
    outfit: tuple[tuple[int, int, int], tuple[int, int, int]],
    seed: int = 0,
    head: int = 200,
) -> np.ndarray:
    """RGBA uint8: a drawn character standing, the head of `palette` (`synth.draw_face`, drawn anew with `seed`)
    over a body in the `outfit` colours (top, legs): the same character in an outfit no reference shows."""
    key = (255, 0, 255)
    face = synth.draw_face(palette, seed=seed, size=head, background=key)
    rng = np.random.default_rng(40_000 + seed)
    w, h = head, int(head * 2.3)
    img = np.zeros((h, w, 4), np.uint8)
    img[:head, :, :3] = face
    img[:head, :, 3] = np.where(np.all(face == key, axis=-1), 0, 255)
    top, legs = outfit
    neck = int(head * 0.86)
    body = np.array(
        [[w * 0.22, neck], [w * 0.78, neck], [w * 0.86, h * 0.68], [w * 0.14, h * 0.68]], np.int32
    )
    cv2.fillPoly(img, [body], (*top, 255))
    step = int(rng.integers(-12, 13))
    for x0 in (0.3, 0.56):
        x = int(w * x0) + step * (1 if x0 < 0.5 else -1)
        cv2.rectangle(img, (x, int(h * 0.66)), (x + int(w * 0.15), h - 1), (*legs, 255), -1)
    cv2.polylines(img, [body], True, (40, 25, 25, 255), 2)
    return img
