"""The console through FastAPI's TestClient: login and sessions, CSRF, role scoping as the API does it, escaping,
the policy editor's validation, references, reviews, statements, language."""

from __future__ import annotations

import io
import re
from dataclasses import replace

from PIL import Image

from mamori.ops import reviews as review_ops
from mamori.ops import screening
from mamori.ops.keys import Principal, authenticate, revoke_key
from mamori.service import Mamori
from tests.unit.api.conftest import make_client
from tests.unit.web.conftest import csrf_of, form_csrf, login

OTHER_PLATFORM = Principal("k_test", "platform", platform="other-video")


def png_bytes(colour: tuple[int, int, int] = (200, 40, 60)) -> bytes:
    im = Image.new("RGB", (64, 48), colour)
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return buf.getvalue()


# --- login, sessions, CSRF ----------------------------------------------------------------------------------------


def test_pages_need_a_login(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/console/characters?q=x", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/console/login?next=/console/characters%3Fq%3Dx"


def test_login_sets_a_strict_httponly_session_and_rotates_it(client, keys) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/console/login")
    anonymous = client.cookies.get("mamori_console")
    assert anonymous and 'type="password"' in page.text
    r = client.post(
        "/console/login",
        data={"csrf": csrf_of(page.text), "key": keys["rightsholder"], "next": "/console/characters"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/console/characters"
    cookie = r.headers["set-cookie"]
    assert (
        "HttpOnly" in cookie
        and "SameSite=strict" in cookie.replace("Strict", "strict")
        and "Path=/console" in cookie
    )
    assert client.cookies.get("mamori_console") not in (None, anonymous)  # a fresh id after login
    assert keys["rightsholder"] not in cookie
    assert client.get("/console/characters").status_code == 200


def test_bad_key_and_missing_csrf_are_refused(client, keys) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/console/login")
    token = csrf_of(page.text)
    bad = client.post("/console/login", data={"csrf": token, "key": "mk_nope", "next": "/console/"})
    assert bad.status_code == 401 and "Unknown or revoked key" in bad.text
    no_csrf = client.post("/console/login", data={"key": keys["admin"]})
    assert no_csrf.status_code == 403
    assert client.get("/console/works", follow_redirects=False).status_code == 303


def test_open_redirects_are_not_followed(client, keys) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/console/login")
    r = client.post(
        "/console/login",
        data={"csrf": csrf_of(page.text), "key": keys["admin"], "next": "//evil.example/"},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/console/"


def test_every_post_checks_the_csrf_token(client, keys) -> None:  # type: ignore[no-untyped-def]
    login(client, keys["rightsholder"])
    token = form_csrf(client, "/console/characters/mirai/policy")
    body = {"generation": "block", "training": "block"}
    assert client.post("/console/characters/mirai/policy", data=body).status_code == 403
    assert client.post("/console/characters/mirai/policy", data={**body, "csrf": "x" * 43}).status_code == 403
    assert client.post("/console/logout", data={}).status_code == 403
    r = client.post("/console/characters/mirai/policy", data={**body, "csrf": token}, follow_redirects=False)
    assert r.status_code == 303


def test_logout_ends_the_session(client, keys) -> None:  # type: ignore[no-untyped-def]
    login(client, keys["admin"])
    token = form_csrf(client, "/console/works")
    r = client.post("/console/logout", data={"csrf": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/console/login"
    assert client.get("/console/works", follow_redirects=False).status_code == 303


def test_a_revoked_key_ends_its_sessions(client, svc: Mamori, keys) -> None:  # type: ignore[no-untyped-def]
    login(client, keys["rightsholder"])
    assert client.get("/console/works").status_code == 200
    who = authenticate(svc, keys["rightsholder"])
    assert who is not None
    revoke_key(svc, who.key_id)
    assert client.get("/console/works", follow_redirects=False).status_code == 303


def test_security_headers(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/console/login")
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY" and r.headers["cache-control"] == "no-store"


# --- roles --------------------------------------------------------------------------------------------------------


def test_rightsholder_sees_only_its_own(client, keys) -> None:  # type: ignore[no-untyped-def]
    login(client, keys["rightsholder"])
    chars = client.get("/console/characters").text
    assert "星野ミライ" in chars and "カッパエックス" not in chars
    works = client.get("/console/works").text
    assert "star-courier" in works and "iron-kappa" not in works
    assert client.get("/console/characters/kappa-x").status_code == 403
    assert client.get("/console/characters/kappa-x/policy").status_code == 403
    token = form_csrf(client, "/console/works")
    r = client.post("/console/characters/kappa-x/policy", data={"csrf": token, "generation": "license"})
    assert r.status_code == 403
    assert client.get("/console/ledger").status_code == 403  # the API's ledger routes are admin/auditor only
    assert (
        client.get("/console/statements/download?period=2026-01&rightsholder=kaze-games").status_code == 403
    )


def test_admin_sees_all_and_auditor_reads_only(client, app, keys) -> None:  # type: ignore[no-untyped-def]
    login(client, keys["admin"])
    assert "カッパエックス" in client.get("/console/characters").text
    assert "verifies" in client.get("/console/ledger").text
    with make_client(app) as auditor:
        login(auditor, keys["auditor"])
        assert auditor.get("/console/ledger").status_code == 200
        assert auditor.get("/console/").status_code == 200
        assert auditor.get("/console/works").status_code == 403
        assert auditor.get("/console/characters/mirai").status_code == 403
        reviews = auditor.get("/console/reviews")
        assert reviews.status_code == 200 and "Read-only" in reviews.text
        token = csrf_of(reviews.text)
        assert (
            auditor.post("/console/reviews/1/resolve", data={"csrf": token, "action": "release"}).status_code
            == 403
        )


def test_platform_keys_get_no_console_pages(client, keys) -> None:  # type: ignore[no-untyped-def]
    login(client, keys["platform"])
    home = client.get("/console/")
    assert home.status_code == 200 and "HTTP API" in home.text
    for url in (
        "/console/works",
        "/console/characters",
        "/console/reviews",
        "/console/statements",
        "/console/ledger",
    ):
        assert client.get(url).status_code == 403, url


# --- activity and escaping ----------------------------------------------------------------------------------------


def test_dashboard_highlights_matched_spans_and_escapes_prompts(client, app, svc: Mamori, keys) -> None:  # type: ignore[no-untyped-def]
    prompt = '<script>alert("x")</script> and then, later, 星野ミライ <b>delivering</b> & co'
    out = screening.screen_prompt(svc, prompt, "JP", OTHER_PLATFORM)
    assert out["verdict"] == "block"
    login(client, keys["rightsholder"])
    html = client.get("/console/").text
    assert "<script>alert" not in html and "<b>delivering" not in html
    # A rightsholder sees the match with a short context, not the platform user's whole prompt.
    assert "<mark>星野ミライ</mark>" in html and "alert" not in html and "&amp; co" not in html
    assert "…" in html and "later, " in html
    assert re.search(r'<svg class="chart block"[^>]*>', html)
    assert "Japanese" in html  # catches by prompt language
    with make_client(app) as admin:
        login(admin, keys["admin"])
        html = admin.get("/console/").text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html and "&amp; co" in html
    svc.settings = replace(svc.settings, rightsholder_prompt_context=-1)  # the platform shares whole prompts
    assert "&amp; co" in client.get("/console/").text


def test_dashboard_is_scoped_to_the_rightsholder(client, app, svc: Mamori, keys) -> None:  # type: ignore[no-untyped-def]
    assert (
        screening.screen_prompt(svc, "Tobio Kuroda folding a paper airplane", None, OTHER_PLATFORM)["verdict"]
        == "block"
    )
    login(client, keys["rightsholder"])
    assert "<mark>Tobio Kuroda</mark> folding" in client.get("/console/").text
    with make_client(app) as other:
        login(other, keys["other_rightsholder"])
        assert "Tobio Kuroda" not in other.get("/console/").text


def test_language_from_accept_language_and_switch(client, keys) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/console/login", headers={"Accept-Language": "ja-JP,ja;q=0.9,en;q=0.8"})
    assert '<html lang="ja">' in r.text and "ログイン" in r.text
    assert r.headers["content-type"].startswith("text/html; charset=utf-8")
    r = client.get("/console/login?lang=en", headers={"Accept-Language": "ja"})
    assert '<html lang="en">' in r.text
    # remembered in the session
    r = client.get("/console/login", headers={"Accept-Language": "ja"})
    assert '<html lang="en">' in r.text
    login(client, keys["rightsholder"], lang="ja")
    page = client.get("/console/characters/mirai")
    assert '<html lang="ja">' in page.text and "星野ミライ" in page.text and "参照画像" in page.text


# --- registry pages -----------------------------------------------------------------------------------------------


def test_search_finds_names_in_any_script(client, keys) -> None:  # type: ignore[no-untyped-def]
    login(client, keys["admin"])
    for q in ("hoshino", "ほしの", "星野", "ＭＩＲＡＩ", "ミライ", "mirai hoshino"):
        html = client.get("/console/characters", params={"q": q}).text
        assert "/console/characters/mirai" in html, q
        assert "/console/characters/kappa-x" not in html, q
    assert "/console/characters/kappa-x" in client.get("/console/characters", params={"q": "かっぱ"}).text
    assert "star-courier" in client.get("/console/works", params={"q": "くろだ"}).text


def test_create_character_upload_reference_and_thumbnail(client, app, keys) -> None:  # type: ignore[no-untyped-def]
    login(client, keys["rightsholder"])
    token = form_csrf(client, "/console/characters/new")
    bad = client.post(
        "/console/characters/new", data={"csrf": token, "id": "Bad Id", "work": "star-courier", "names": "x"}
    )
    assert bad.status_code == 422 and "is not an id" in bad.text
    r = client.post(
        "/console/characters/new",
        data={
            "csrf": token,
            "id": "yozora",
            "work": "star-courier",
            "names": "Yozora Aoi\n青井ヨゾラ",
            "traits": "night-blue cape",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/console/characters/yozora"
    dup = client.post(
        "/console/characters/new", data={"csrf": token, "id": "yozora", "work": "star-courier", "names": "Y"}
    )
    assert dup.status_code == 409
    up = client.post(
        "/console/characters/yozora/references",
        data={"csrf": token},
        files={"file": ("ref.png", png_bytes(), "image/png")},
        follow_redirects=False,
    )
    assert up.status_code == 303
    page = client.get("/console/characters/yozora").text
    assert "青井ヨゾラ" in page
    src = re.search(r'<img src="(/console/characters/yozora/references/\d+)"', page)
    assert src
    thumb = client.get(src.group(1))
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/png"
    assert thumb.content.startswith(b"\x89PNG")
    not_image = client.post(
        "/console/characters/yozora/references",
        data={"csrf": token},
        files={"file": ("x.png", b"<svg onload=alert(1)>", "image/png")},
    )
    assert not_image.status_code == 415
    # another rightsholder may not fetch the reference
    with make_client(app) as other:
        login(other, keys["other_rightsholder"])
        assert other.get(src.group(1)).status_code == 403
    assert client.get("/console/characters/yozora/references/99999").status_code == 404


def test_policy_editor_validates_like_the_registry_file(client, svc: Mamori, keys) -> None:  # type: ignore[no-untyped-def]
    login(client, keys["rightsholder"])
    token = form_csrf(client, "/console/characters/tobio/policy")
    form = {
        "csrf": token,
        "generation": "license",
        "territories": "JP, XX",
        "licensees": "acme-video",
        "valid_from": "2026-05-01",
        "valid_until": "2026-12-31",
        "themes": ["violence", "sexual"],
        "fee_amount": "-5",
        "fee_currency": "JPY",
        "revenue_share": "1.5",
        "training": "block",
    }
    r = client.post("/console/characters/tobio/policy", data=form)
    assert r.status_code == 422
    assert "is not an ISO 3166-1 alpha-2 country code" in r.text
    assert "characters/tobio/policy · policy.territories[1]" in r.text
    assert "policy.revenue_share" in r.text and "policy.fee_per_generation.amount" in r.text
    assert (
        'value="JP, XX"' in r.text and 'value="violence" checked' in r.text
    )  # the form keeps what was typed
    dates = client.post(
        "/console/characters/tobio/policy",
        data={
            **form,
            "territories": "jp",
            "fee_amount": "5",
            "revenue_share": "0.2",
            "valid_from": "2027-01-01",
        },
    )
    assert dates.status_code == 422 and "is before valid_from" in dates.text
    before = svc.ledger.count("policy.change")
    ok = client.post(
        "/console/characters/tobio/policy",
        data={**form, "territories": "jp", "fee_amount": "5", "revenue_share": "0.2"},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    assert svc.ledger.count("policy.change") == before + 1
    c = svc.registry_store.get_character("tobio")
    assert c is not None and c.policy is not None
    assert c.policy.generation == "license" and c.policy.territories == ("JP",)
    assert c.policy.themes_forbidden == ("violence", "sexual") and str(c.policy.revenue_share) == "0.2"
    page = client.get("/console/characters/tobio").text
    assert "Policy saved as version" in page and "5 JPY" in page


def test_reviews_resolve_through_the_console(client, app, svc: Mamori, keys) -> None:  # type: ignore[no-untyped-def]
    platform = Principal("k_p", "platform", platform="acme-video")
    filed = review_ops.file_dispute(
        svc,
        "mirai",
        "a fan-art prompt, not <the> character",
        platform,
        prompt="Mirai Hoshino <em>fan art</em>",
    )
    with make_client(app) as other:
        login(other, keys["other_rightsholder"])
        assert f"review-{filed['id']}" not in other.get("/console/reviews").text
    login(client, keys["rightsholder"])
    page = client.get("/console/reviews").text
    assert f'id="review-{filed["id"]}"' in page and "&lt;em&gt;fan art&lt;/em&gt;" in page
    r = client.post(
        f"/console/reviews/{filed['id']}/resolve",
        data={"csrf": csrf_of(page), "action": "release", "note": "ok"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert review_ops.review(svc, filed["id"], Principal.cli())["status"] == "released"
    again = client.post(
        f"/console/reviews/{filed['id']}/resolve", data={"csrf": csrf_of(page), "action": "uphold"}
    )
    assert again.status_code == 409
    assert "released" in client.get("/console/reviews?status=all").text


def test_statements_download(client, keys) -> None:  # type: ignore[no-untyped-def]
    login(client, keys["rightsholder"])
    page = client.get("/console/statements?period=2026-03")
    assert page.status_code == 200 and "download-csv" in page.text
    csv = client.get("/console/statements/download?period=2026-03&format=csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert 'filename="statement-hoshi-studio-2026-03.csv"' in csv.headers["content-disposition"]
    assert csv.text.startswith("period,rightsholder,character")
    js = client.get("/console/statements/download?period=2026-03&format=json")
    assert js.json()["rightsholder"] == "hoshi-studio"
    assert client.get("/console/statements/download?period=2026-13").status_code == 422


def test_register_a_work_with_a_japanese_title(client, svc: Mamori, keys) -> None:  # type: ignore[no-untyped-def]
    login(client, keys["rightsholder"])
    token = form_csrf(client, "/console/works")
    bad = client.post("/console/works", data={"csrf": token, "id": "-x", "titles": "夜空の郵便"})
    assert bad.status_code == 422 and "is not an id" in bad.text and "works/-x · id" in bad.text
    r = client.post(
        "/console/works",
        data={"csrf": token, "id": "night-post", "titles": "夜空の郵便\nNight Post"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    work = svc.registry().work("night-post")
    assert (
        work is not None
        and work.rightsholder == "hoshi-studio"
        and work.titles == ("夜空の郵便", "Night Post")
    )
    # a rightsholder cannot register a work for someone else, whatever the form says
    client.post(
        "/console/works", data={"csrf": token, "id": "stolen", "rightsholder": "kaze-games", "titles": "X"}
    )
    stolen = svc.registry().work("stolen")
    assert stolen is None or stolen.rightsholder == "hoshi-studio"


def test_language_switch_keeps_the_query(client, keys) -> None:  # type: ignore[no-untyped-def]
    login(client, keys["rightsholder"], lang="en")
    html = client.get("/console/characters?q=%E6%98%9F%E9%87%8E").text
    assert 'href="/console/characters?q=%E6%98%9F%E9%87%8E&amp;lang=ja"' in html
