"""A character walking through a rendered H.264 clip is found with the right timestamps, through the service."""

from __future__ import annotations

from pathlib import Path

import yaml

from mamori.demo import REGISTRY
from mamori.demo_visual import prepare, render_clip
from mamori.service import Mamori


def test_walker_segment_matches_when_it_is_on_screen(tmp_path: Path, sqlite_url: str) -> None:
    reg = prepare(REGISTRY, tmp_path)
    (tmp_path / "registry.yaml").write_text(yaml.safe_dump(reg, allow_unicode=True), encoding="utf-8")
    svc = Mamori.open(sqlite_url)
    svc.import_registry(tmp_path / "registry.yaml")
    clip = tmp_path / "walk.mp4"
    render_clip(clip, "tobio", seconds=5.0, fps=12, size=(640, 360), visible=(1.5, 3.5))
    clean = tmp_path / "clean.mp4"
    render_clip(clean, None, seconds=3.0, fps=12, size=(640, 360))
    ctx = svc.context("demo-platform", "JP")
    row = svc.screen_media_path(clip, ctx)
    assert row["kind"] == "video" and row["verdict"] == "block"
    (match,) = [m for m in row["matches"] if m["character"] == "tobio"]
    (segment,) = match["segments"]
    assert 1.0 <= segment["start"] <= 2.0, segment
    assert 3.0 <= segment["end"] <= 4.1, segment
    assert svc.screen_media_path(clean, ctx)["verdict"] == "allow"
    svc.close()


def test_video_reference_is_sampled_into_frames(tmp_path: Path, sqlite_url: str) -> None:
    import copy
    import io

    from mamori.demo_visual import draw_character, scene

    reg = copy.deepcopy(REGISTRY)
    (tmp_path / "refs").mkdir()
    render_clip(
        tmp_path / "refs" / "momo.mp4", "momo", seconds=3.0, fps=8, size=(640, 360), visible=(0.0, 3.0)
    )
    for c in reg["characters"]:
        if c["id"] == "momo":
            c["references"] = ["refs/momo.mp4"]
    (tmp_path / "registry.yaml").write_text(yaml.safe_dump(reg, allow_unicode=True), encoding="utf-8")
    svc = Mamori.open(sqlite_url)
    svc.import_registry(tmp_path / "registry.yaml")
    canvas = scene(640, 480, 2.0)
    art = draw_character("momo", size=260, pose=1)
    canvas.paste(art, (200, 200), art)
    buf = io.BytesIO()
    canvas.save(buf, "PNG")
    row = svc.screen_media_bytes(buf.getvalue(), "poster.png", svc.context("demo-platform", "JP"))
    assert [m["character"] for m in row["matches"]] == ["momo"], row
    svc.close()
