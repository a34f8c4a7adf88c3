"""Media matches in a real browser (Debian's Chromium via Playwright) against a live `mamori serve`: a platform's
generated clip shows a registered character; its rightsholder sees the frame beside the reference, the signals and
the timeline of segments in the console, and releases the match. Screenshots go to test-artifacts/console/."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from mamori.screening.image.examples import CHARACTERS, _sprite
from mamori.screening.image.synth import flatten
from mamori.screening.video.synth import make_clip
from mamori.testing import running_server
from tests.e2e.test_console import CHROMIUM, CHROMIUM_ARGS, DATA, SHOTS, _need_browser, mamori, new_key

pytestmark = pytest.mark.e2e


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    _need_browser()
    db = f"sqlite:///{tmp_path / 'media.db'}"
    mamori("registry", "import", str(DATA), "--db", db)
    with running_server(db, tmp_path / "serve.log", env={"MAMORI_REGISTRY_REFRESH_SECONDS": "0"}) as running:
        yield running.base, db


def test_a_rightsholder_sees_and_releases_a_video_match(server: tuple[str, str], tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, db = server
    owner_key = new_key(db, "--role", "rightsholder", "--rightsholder", "hoshi-studio")
    platform_key = new_key(db, "--role", "platform", "--platform", "acme-video")
    sprite = _sprite(CHARACTERS[0][1])
    buf = io.BytesIO()
    Image.fromarray(flatten(sprite)).save(buf, format="PNG")
    owner = {"Authorization": f"Bearer {owner_key}"}
    r = httpx.post(
        f"{base}/v1/characters/tobio/references", headers=owner, files={"file": ("tobio.png", buf.getvalue())}
    )
    assert r.status_code == 201, r.text
    clip = make_clip(tmp_path / "gen.mp4", duration=4.0, fps=24, sprite_rgba=sprite, visible=[(1.0, 3.0)])
    r = httpx.post(
        f"{base}/v1/screen/media",
        headers={"Authorization": f"Bearer {platform_key}"},
        files={"file": ("gen.mp4", Path(clip).read_bytes())},
        timeout=120,
    )
    assert r.status_code == 200 and [m["character"] for m in r.json()["matches"]] == ["tobio"], r.text
    SHOTS.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(10_000)
        errors: list[str] = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        try:
            page.goto(f"{base}/console/matches")
            page.fill("#key", owner_key)
            page.click("button[type=submit]")
            expect(page).to_have_url(f"{base}/console/matches")
            card = page.locator("article.media-match").first
            expect(card).to_contain_text("tobio")
            expect(card).to_contain_text("gen.mp4")
            for img in ("img.frame", "img.reference"):
                expect(card.locator(img)).to_be_visible()
            page.wait_for_function(
                "() => [...document.querySelectorAll('article.media-match img')]"
                ".every(i => i.complete && i.naturalWidth > 0)"
            )
            expect(card.locator("svg.timeline rect.segment")).to_have_count(1)
            expect(card.locator(".signals .chip").first).to_be_visible()
            page.screenshot(path=str(SHOTS / "07-media-matches.png"), full_page=True)
            card.locator("input[name=note]").fill("our own trailer")
            card.locator("button[value=release]").click()
            expect(page.locator(".flash")).to_contain_text("Released")
            page.goto(f"{base}/console/matches?status=released&lang=ja")
            expect(page.locator("article.media-match .status").first).to_have_text("解除")
            page.screenshot(path=str(SHOTS / "08-media-released-ja.png"), full_page=True)
            assert errors == []  # no Content-Security-Policy violations, no failed image loads
        except Exception:
            page.screenshot(path=str(SHOTS / "failure-media.png"), full_page=True)
            raise
        finally:
            context.close()
            browser.close()
