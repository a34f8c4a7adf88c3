"""The visual half of `make demo`: original characters drawn by this code (Pillow), registered as reference art,
a short H.264 clip in which one of them walks through a scene, a clean clip, and the gate's findings."""

from __future__ import annotations

import copy
import math
import random
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw
from rich.console import Console
from rich.table import Table


def _emblem(d: ImageDraw.ImageDraw, kind: str, x: float, y: float, r: float, fill: Any) -> None:
    if kind == "star":
        pts = [
            (
                x + (r if i % 2 == 0 else r * 0.45) * math.cos(i * math.pi / 5 - math.pi / 2),
                y + (r if i % 2 == 0 else r * 0.45) * math.sin(i * math.pi / 5 - math.pi / 2),
            )
            for i in range(10)
        ]
        d.polygon(pts, fill=fill, outline=(0, 0, 0))
    elif kind == "petal":
        for a in range(5):
            ang = a * 2 * math.pi / 5
            d.ellipse(
                [
                    x + r * 0.6 * math.cos(ang) - r * 0.45,
                    y + r * 0.6 * math.sin(ang) - r * 0.45,
                    x + r * 0.6 * math.cos(ang) + r * 0.45,
                    y + r * 0.6 * math.sin(ang) + r * 0.45,
                ],
                fill=fill,
                outline=(0, 0, 0),
            )
    elif kind == "feather":
        d.polygon([(x, y - r), (x + r * 0.5, y), (x, y + r), (x - r * 0.5, y)], fill=fill, outline=(0, 0, 0))
        d.line([(x, y - r), (x, y + r)], fill=(0, 0, 0), width=2)
    else:  # hexagon scales
        pts = [(x + r * math.cos(i * math.pi / 3), y + r * math.sin(i * math.pi / 3)) for i in range(6)]
        d.polygon(pts, fill=fill, outline=(0, 0, 0))


# Each demo character's look: silhouette, costume emblem and colours differ, so that grey-level features differ too.
LOOKS: dict[str, dict[str, Any]] = {
    "mirai": {
        "body": (70, 90, 200),
        "accent": (235, 235, 245),
        "emblem": "star",
        "head": "cap",
        "seed": 11,
        "wide": 1.0,
    },
    "momo": {
        "body": (235, 120, 170),
        "accent": (255, 245, 250),
        "emblem": "petal",
        "head": "buns",
        "seed": 23,
        "wide": 0.85,
    },
    "tobio": {
        "body": (40, 40, 50),
        "accent": (250, 200, 40),
        "emblem": "feather",
        "head": "spikes",
        "seed": 37,
        "wide": 1.15,
    },
    "kappa-x": {
        "body": (60, 170, 90),
        "accent": (200, 200, 215),
        "emblem": "hex",
        "head": "dish",
        "seed": 41,
        "wide": 1.3,
    },
}


def draw_character(cid: str, size: int = 384, pose: int = 0) -> Image.Image:
    """A full-body figure with a distinctive silhouette and costume; `pose` swings the limbs."""
    look = LOOKS[cid]
    body, accent, wide = look["body"], look["accent"], look["wide"]
    rng = random.Random(look["seed"])
    im = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(im)
    s = size / 384
    cx = size // 2
    half = 60 * s * wide
    swing = math.sin(pose * 0.9) * 18 * s
    d.line([(cx - 20 * s, 250 * s), (cx - 30 * s - swing, 360 * s)], fill=body, width=int(22 * s))
    d.line([(cx + 20 * s, 250 * s), (cx + 30 * s + swing, 360 * s)], fill=body, width=int(22 * s))
    d.line(
        [(cx - half + 5 * s, 140 * s), (cx - half - 35 * s + swing, 235 * s)], fill=accent, width=int(16 * s)
    )
    d.line(
        [(cx + half - 5 * s, 140 * s), (cx + half + 35 * s - swing, 235 * s)], fill=accent, width=int(16 * s)
    )
    d.rounded_rectangle(
        [cx - half, 120 * s, cx + half, 260 * s], radius=int(18 * s), fill=body, outline=(0, 0, 0), width=3
    )
    placed: list[tuple[float, float]] = []
    for _ in range(60):
        if len(placed) >= 9:
            break
        x = cx + rng.uniform(-half + 14 * s, half - 14 * s)
        y = rng.uniform(135, 245) * s
        if all((x - px) ** 2 + (y - py) ** 2 > (26 * s) ** 2 for px, py in placed):
            placed.append((x, y))
            _emblem(d, look["emblem"], x, y, rng.uniform(9, 14) * s, accent)
    band_y = rng.uniform(175, 205) * s
    d.rectangle([cx - half, band_y, cx + half, band_y + 12 * s], fill=accent, outline=(0, 0, 0))
    d.ellipse([cx - 48 * s, 28 * s, cx + 48 * s, 124 * s], fill=(250, 220, 190), outline=(0, 0, 0), width=3)
    eye = rng.uniform(8, 12) * s
    for ex in (cx - 18 * s, cx + 18 * s):
        d.ellipse([ex - eye, 74 * s - eye, ex + eye, 74 * s + eye], fill=(20, 20, 20))
        d.ellipse([ex - eye * 0.4, 70 * s - eye * 0.4, ex, 70 * s], fill=(255, 255, 255))
    d.arc([cx - 16 * s, 88 * s, cx + 16 * s, 108 * s], 10, 170, fill=(120, 30, 30), width=3)
    head = look["head"]
    if head == "cap":
        d.chord([cx - 52 * s, 14 * s, cx + 52 * s, 84 * s], 180, 360, fill=body, outline=(0, 0, 0), width=3)
        d.rectangle([cx - 10 * s, 46 * s, cx + 70 * s, 56 * s], fill=body, outline=(0, 0, 0))
        _emblem(d, "star", cx, 34 * s, 10 * s, accent)
    elif head == "buns":
        for bx in (cx - 46 * s, cx + 46 * s):
            d.ellipse([bx - 22 * s, 14 * s, bx + 22 * s, 58 * s], fill=body, outline=(0, 0, 0), width=3)
        d.chord([cx - 50 * s, 26 * s, cx + 50 * s, 80 * s], 180, 360, fill=body, outline=(0, 0, 0))
    elif head == "spikes":
        for i in range(7):
            x0 = cx - 52 * s + i * 15 * s
            d.polygon(
                [(x0, 52 * s), (x0 + 15 * s, 52 * s), (x0 + 7 * s, (2 + rng.uniform(0, 18)) * s)],
                fill=body,
                outline=(0, 0, 0),
            )
        d.rectangle([cx - 48 * s, 64 * s, cx - 4 * s, 72 * s], fill=(20, 20, 20))
    else:
        d.ellipse([cx - 34 * s, 6 * s, cx + 34 * s, 40 * s], fill=accent, outline=(0, 0, 0), width=3)
        d.ellipse([cx - 20 * s, 14 * s, cx + 20 * s, 32 * s], fill=(120, 190, 230), outline=(0, 0, 0))
    return im


def scene(width: int, height: int, t: float) -> Image.Image:
    """A drifting sky-and-hills background with a few houses: the innocent part of every frame."""
    im = Image.new("RGB", (width, height), (150, 200, 240))
    d = ImageDraw.Draw(im)
    for i in range(4):
        x = (i * width / 3 + t * 30) % (width + 200) - 100
        d.ellipse([x, 40 + 30 * i, x + 160, 90 + 30 * i], fill=(250, 250, 250))
    d.polygon(
        [
            (0, height),
            (0, height * 0.65),
            (width * 0.4, height * 0.55),
            (width, height * 0.7),
            (width, height),
        ],
        fill=(90, 160, 80),
    )
    for i in range(5):
        x = 60 + i * width / 5
        y = height * 0.62
        d.rectangle([x, y, x + 70, y + 60], fill=(200, 160, 110), outline=(60, 40, 20))
        d.polygon([(x - 8, y), (x + 35, y - 35), (x + 78, y)], fill=(170, 60, 50))
    return im


def prepare(registry: dict[str, Any], out: Path) -> dict[str, Any]:
    """Draw reference art for every demo character and list it in the registry."""
    reg = copy.deepcopy(registry)
    refs = out / "refs"
    refs.mkdir(parents=True, exist_ok=True)
    for c in reg["characters"]:
        if c["id"] not in LOOKS:
            continue
        paths = []
        for pose in (0, 2):
            name = f"refs/{c['id']}-{pose}.png"
            art = draw_character(c["id"], pose=pose)
            card = Image.new("RGBA", art.size, (255, 255, 255, 255))
            card.alpha_composite(art)
            card.convert("RGB").save(out / name)
            paths.append(name)
        c["references"] = paths
    return reg


def render_clip(
    path: Path,
    walker: str | None,
    seconds: float = 6.0,
    fps: int = 24,
    size: tuple[int, int] = (960, 540),
    visible: tuple[float, float] = (1.5, 4.5),
) -> None:
    """An H.264 clip; `walker` (if any) walks across the scene while `visible` holds."""
    import av

    w, h = size
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        stream.options = {"preset": "veryfast", "crf": "23"}
        for i in range(int(seconds * fps)):
            t = i / fps
            frame = scene(w, h, t)
            if walker and visible[0] <= t <= visible[1]:
                progress = (t - visible[0]) / (visible[1] - visible[0])
                sprite = draw_character(walker, size=int(h * 0.55), pose=i // 3)
                x = int(-sprite.width * 0.2 + progress * (w - sprite.width * 0.6))
                frame.paste(sprite, (x, int(h * 0.4)), sprite)
            for packet in stream.encode(av.VideoFrame.from_image(frame)):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def run(svc: Any, out: Path, console: Console) -> None:
    clips = out / "clips"
    clips.mkdir(exist_ok=True)
    walk = clips / "tobio-walks-through-town.mp4"
    clean = clips / "clean-town.mp4"
    render_clip(walk, "tobio", visible=(1.5, 4.5))
    render_clip(clean, None)
    poster = clips / "momo-poster.jpg"
    canvas = scene(800, 600, 0.0)
    art = draw_character("momo", size=300).rotate(6, expand=True)
    canvas.paste(art, (420, 240), art)
    ImageDraw.Draw(canvas).rectangle([0, 540, 800, 600], fill=(0, 0, 0))
    canvas.crop((40, 0, 800, 600)).save(poster, quality=80)
    table = Table(
        title="Visual gate (Tobio walks through town from 1.5 s to 4.5 s; Momo pasted, rotated, cropped)"
    )
    for col in ("file", "kind", "verdict", "matches and segments"):
        table.add_column(col, overflow="fold")
    for f in (walk, clean, poster):
        row = svc.screen_media_path(f, svc.context("demo-platform", "JP"))
        found = []
        for m in row.get("matches", []):
            segs = ", ".join(f"{s['start']:.1f}–{s['end']:.1f}s" for s in m.get("segments", []))
            sig = ", ".join(f"{k} {v:.2f}" for k, v in m.get("signals", {}).items())
            found.append(f"{m['character']} {m['score']:.2f} [{sig}] {segs}")
        colour = {"allow": "green", "licensed": "cyan", "block": "red", "review": "yellow"}[row["verdict"]]
        table.add_row(
            f.name,
            str(row["kind"]),
            f"[{colour}]{row['verdict']}[/]",
            "\n".join(found) or row.get("error", "—"),
        )
    console.print(table)
