"""Text written in a generated picture reaches the decision through the service: OCR -> prompt gate -> decide."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml
from PIL import Image

from mamori.demo import REGISTRY
from mamori.screening.image.textdraw import draw_text, font
from mamori.service import Mamori

pytest.importorskip("rapidocr")


def _png(pixels) -> bytes:  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, "PNG")
    return buf.getvalue()


def test_a_blocked_characters_name_written_in_a_picture_goes_to_review(
    tmp_path: Path, sqlite_url: str
) -> None:
    (tmp_path / "registry.yaml").write_text(yaml.safe_dump(REGISTRY, allow_unicode=True), encoding="utf-8")
    svc = Mamori.open(sqlite_url)
    svc.import_registry(tmp_path / "registry.yaml")
    ctx = svc.context("demo-platform", "JP")
    row = svc.screen_media_bytes(_png(draw_text("Tobio Kuroda", size=60)), "poster.png", ctx)
    assert row["verdict"] == "review", row  # a name written alone is a mention: a person decides
    (match,) = row["matches"]
    assert match["character"] == "tobio" and "ocr" in match["signals"]
    assert any("text in the picture 'Tobio Kuroda'" in e.get("detail", "") for e in match["evidence"])
    if font(48, japanese=True) is not None:
        row = svc.screen_media_bytes(_png(draw_text("黒田トビオ", size=64, japanese=True)), "p.png", ctx)
        assert [m["character"] for m in row["matches"]] == ["tobio"], row
    plain = svc.screen_media_bytes(_png(draw_text("Happy birthday", size=60)), "card.png", ctx)
    assert plain["verdict"] == "allow", plain
    svc.close()
