"""The console in a real browser (Debian's Chromium, driven by Playwright) against a live `mamori serve`:
log in, register a character, upload a reference, change its policy, see a platform's blocked prompt on the
dashboard, resolve a dispute. Screenshots go to test-artifacts/console/."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image, ImageDraw

from mamori.testing import running_server

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data" / "registry.yaml"
SHOTS = REPO / "test-artifacts" / "console"
CHROMIUM = Path(os.environ.get("MAMORI_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _need_browser() -> None:
    problem = None
    if not CHROMIUM.exists():
        problem = f"{CHROMIUM} not found (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "playwright (python) is not installed"
    if problem:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(problem)
        pytest.skip(problem)


def mamori(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "mamori.cli.main", *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr + done.stdout
    return done.stdout


def new_key(db: str, *args: str) -> str:
    return mamori("keys", "create", *args, "--db", db).strip().splitlines()[-1]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    _need_browser()
    db = f"sqlite:///{tmp_path / 'console.db'}"
    mamori("registry", "import", str(DATA), "--db", db)
    with running_server(db, tmp_path / "serve.log", env={"MAMORI_REGISTRY_REFRESH_SECONDS": "0"}) as running:
        yield running.base, db


def reference_png(path: Path) -> Path:
    """An invented character's reference sheet: a night-blue figure with a star, drawn here."""
    im = Image.new("RGB", (320, 320), (236, 240, 248))
    d = ImageDraw.Draw(im)
    d.rectangle((110, 120, 210, 290), fill=(28, 40, 96))  # cape
    d.ellipse((120, 40, 200, 120), fill=(250, 214, 180))  # face
    d.polygon(
        [
            (160, 140),
            (170, 170),
            (200, 172),
            (176, 190),
            (186, 220),
            (160, 202),
            (134, 220),
            (144, 190),
            (120, 172),
            (150, 170),
        ],
        fill=(255, 205, 40),
    )  # star
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    path.write_bytes(buf.getvalue())
    return path


def test_console_in_a_browser(server: tuple[str, str], tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, db = server
    owner_key = new_key(db, "--role", "rightsholder", "--rightsholder", "hoshi-studio")
    platform_key = new_key(db, "--role", "platform", "--platform", "acme-video")
    png = reference_png(tmp_path / "yozora.png")
    SHOTS.mkdir(parents=True, exist_ok=True)
    platform = {"Authorization": f"Bearer {platform_key}"}

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(10_000)
        console_errors: list[str] = []
        # 4xx pages (a refused form answers 422) log "Failed to load resource"; anything else is a real error
        page.on(
            "console",
            lambda msg: (
                console_errors.append(msg.text)
                if msg.type == "error" and not msg.text.startswith("Failed to load resource")
                else None
            ),
        )
        try:
            # log in (Japanese from Accept-Language)
            page.goto(f"{base}/console/characters")
            expect(page.locator("html")).to_have_attribute("lang", "ja")
            page.fill("#key", owner_key)
            page.screenshot(path=str(SHOTS / "01-login.png"))
            page.click("button[type=submit]")
            expect(page).to_have_url(f"{base}/console/characters")
            expect(page.locator("#character-list")).to_contain_text("星野ミライ")
            expect(page.locator("#character-list")).not_to_contain_text("カッパエックス")

            # register a character
            page.goto(f"{base}/console/characters/new")
            page.fill("#c-id", "yozora")
            page.select_option("#c-work", "star-courier")
            page.fill("#c-names", "Yozora Aoi\n青井ヨゾラ")
            page.fill("#c-traits", "night-blue cape\nstar brooch")
            page.click("#new-character button[type=submit]")
            expect(page).to_have_url(f"{base}/console/characters/yozora")
            expect(page.locator("h1")).to_contain_text("青井ヨゾラ")

            # upload a reference; the thumbnail is served through the authorised route
            page.set_input_files("#upload input[type=file]", str(png))
            page.click("#upload button[type=submit]")
            thumb = page.locator("#references img").first
            expect(thumb).to_be_visible()
            page.wait_for_function(
                "() => { const i = document.querySelector('#references img');"
                " return i && i.complete && i.naturalWidth > 0; }"
            )
            page.screenshot(path=str(SHOTS / "02-character.png"), full_page=True)

            # change its policy: a bad value first (the error names the document path), then a good one
            page.click("a[href='/console/characters/yozora/policy']")
            page.check("input[name=generation][value=license]")
            page.fill("#territories", "JP")
            page.fill("#licensees", "acme-video")
            page.check("input[name=themes][value=violence]")
            page.fill("#fee_amount", "10")
            page.fill("#fee_currency", "JPY")
            page.fill("#revenue_share", "2")
            page.click("#policy-form button[type=submit]")
            expect(page.locator("#policy-form .error").first).to_contain_text("policy.revenue_share")
            page.screenshot(path=str(SHOTS / "03-policy-error.png"), full_page=True)
            page.fill("#revenue_share", "0.1")
            page.click("#policy-form button[type=submit]")
            expect(page).to_have_url(f"{base}/console/characters/yozora")
            expect(page.locator("#policy-summary")).to_contain_text("10 JPY")

            # a platform screens prompts over the API; the block appears on the dashboard, its match highlighted
            r = httpx.post(
                f"{base}/v1/screen/prompt",
                headers=platform,
                json={"text": "Yozora Aoi delivering letters", "territory": "JP"},
            )
            assert r.status_code == 200 and r.json()["verdict"] == "licensed", r.text
            r = httpx.post(
                f"{base}/v1/screen/prompt",
                headers=platform,
                json={"text": "<b>青井ヨゾラ</b> with a bloody sword", "territory": "JP"},
            )
            assert r.status_code == 200 and r.json()["verdict"] == "block", r.text
            page.goto(f"{base}/console/")
            blocked = page.locator("#recent-blocks td.prompt").first
            # shown as text, not markup; a rightsholder sees the match with a short context, not the whole prompt
            expect(blocked).to_contain_text("<b>青井ヨゾラ</b> with a …")
            expect(blocked.locator("mark")).to_have_text("青井ヨゾラ")
            expect(page.locator("#chart-blocks")).to_contain_text("1")
            expect(page.locator("#by-language")).to_contain_text("日本語")
            page.screenshot(path=str(SHOTS / "04-dashboard.png"), full_page=True)

            # the platform disputes; the rightsholder releases it in the queue
            r = httpx.post(
                f"{base}/v1/disputes",
                headers=platform,
                json={"character": "yozora", "reason": "a parody poster", "prompt": "青井ヨゾラ parody"},
            )
            assert r.status_code == 201, r.text
            review_id = r.json()["id"]
            page.goto(f"{base}/console/reviews")
            card = page.locator(f"#review-{review_id}")
            expect(card).to_contain_text("a parody poster")
            page.screenshot(path=str(SHOTS / "05-reviews.png"), full_page=True)
            card.locator("button[value=release]").click()
            expect(page.locator(".flash")).to_contain_text(f"{review_id}")
            page.goto(f"{base}/console/reviews?status=all")
            expect(page.locator(f"#review-{review_id} .status")).to_have_text("解除")

            # English, and a name search in another script
            page.goto(f"{base}/console/characters?lang=en&q=あおい")
            expect(page.locator("html")).to_have_attribute("lang", "en")
            expect(page.locator("#character-list")).to_contain_text("Yozora Aoi")
            expect(page.locator("#character-list")).not_to_contain_text("Mirai")
            page.goto(f"{base}/console/statements")
            expect(page.locator("#statement")).to_contain_text("hoshi-studio")
            page.screenshot(path=str(SHOTS / "06-statements-en.png"), full_page=True)
            assert re.search(r"mamori_console", str(context.cookies()))
            assert all(c["httpOnly"] and c["sameSite"] == "Strict" for c in context.cookies())
            assert console_errors == []  # no Content-Security-Policy violations, no script errors
        except Exception:
            page.screenshot(path=str(SHOTS / "failure.png"), full_page=True)
            raise
        finally:
            context.close()
            browser.close()
