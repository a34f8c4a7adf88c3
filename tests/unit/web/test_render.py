"""The console's pure helpers: span highlighting (escaping first), SVG charts, language choice, message parity."""

from __future__ import annotations

from datetime import UTC, datetime

from mamori.ops.keys import Principal
from mamori.web.i18n import EN, JA, pick_language, translate
from mamori.web.queries import matches_query, search_forms
from mamori.web.render import bar_chart, highlight, merge_spans, nice_max
from mamori.web.sessions import SessionStore


def test_highlight_escapes_text_and_marks_spans() -> None:
    text = "<img src=x onerror=alert(1)> 星野ミライ & more"
    start = text.index("星")
    out = str(highlight(text, [[start, start + 5]]))
    assert out == "&lt;img src=x onerror=alert(1)&gt; <mark>星野ミライ</mark> &amp; more"


def test_highlight_spans_inside_markup_are_escaped_too() -> None:
    assert str(highlight("a<b>c", [[1, 4]])) == "a<mark>&lt;b&gt;</mark>c"


def test_spans_are_clamped_merged_and_malformed_ones_dropped() -> None:
    assert merge_spans([[5, 8], [0, 2], [1, 3], [7, 20], [9, 9], [-4, 1], ["a", 2], [True, 3], [1]], 10) == [
        (0, 3),
        (5, 10),
    ]
    assert str(highlight("abc", [[10, 12]])) == "abc"


def test_bar_chart_is_svg_with_escaped_labels() -> None:
    svg = str(bar_chart([("<x>", 3), ("05-02", 0)], 'Blocks "all"', "block"))
    assert svg.startswith('<svg class="chart block"') and svg.endswith("</svg>")
    assert "&lt;x&gt;: 3" in svg and "<x>" not in svg and "&#34;all&#34;" in svg
    assert svg.count('<rect class="bar"') == 2


def test_nice_axis_maximum() -> None:
    assert [nice_max(v) for v in (0, 1, 3, 7, 11, 40, 51, 999)] == [1, 1, 5, 10, 20, 50, 100, 1000]


def test_pick_language() -> None:
    assert pick_language(None) == "en"
    assert pick_language("ja-JP,ja;q=0.9,en-US;q=0.8") == "ja"
    assert pick_language("en-GB,en;q=0.9,ja;q=0.8") == "en"
    assert pick_language("fr-FR, ja;q=0.5") == "ja"
    assert pick_language("de, fr") == "en"
    assert pick_language("ja;q=0, en;q=0.1") == "en"


def test_every_message_exists_in_both_languages() -> None:
    assert set(EN) == set(JA)
    assert translate("ja", "dash.days_n", n=7) == "過去 7 日間"
    assert translate("xx", "nav.works") == "Works" and translate("en", "no.such.key") == "no.such.key"


def test_search_forms_cover_scripts() -> None:
    forms = search_forms("星野ミライ")
    assert "hoshinomirai" in forms and "ホシノミライ" in forms
    assert matches_query("ＨＯＳＨＩＮＯ", ["星野ミライ"]) and matches_query(
        "ほしの", ["Mirai Hoshino", "星野ミライ"]
    )
    assert not matches_query("kuroda", ["星野ミライ"])


def test_sessions_rotate_expire_and_stay_bounded() -> None:
    store = SessionStore(idle=3600, limit=3)
    anon = store.new("ja")
    who = Principal("k_1", "admin")
    logged = store.login(anon, who)
    assert store.get(anon.id) is None and logged.id != anon.id and logged.csrf != anon.csrf
    assert logged.lang == "ja" and logged.key_id == "k_1"
    for _ in range(5):
        store.new()
    assert len(store) <= 3 and store.get(logged.id) is logged  # anonymous sessions are evicted first
    expired = SessionStore(idle=0.0)
    s = expired.new()
    assert expired.get(s.id) is None
    assert store.get("x" * 500) is None and store.get(None) is None


def test_failed_logins_are_throttled() -> None:
    store = SessionStore()
    for _ in range(10):
        assert not store.login_refused("1.2.3.4")
        store.login_failed("1.2.3.4")
    assert store.login_refused("1.2.3.4") and not store.login_refused("5.6.7.8")


def test_activity_buckets_by_day(sqlite_url: str) -> None:
    from pathlib import Path

    from mamori.ops import screening
    from mamori.service import Mamori
    from mamori.web.queries import activity

    svc = Mamori.open(sqlite_url, registry_refresh_seconds=0.0)
    try:
        svc.import_registry(Path(__file__).resolve().parents[2] / "data" / "registry.yaml")
        platform = Principal("k_p", "platform", platform="other-video")
        screening.screen_prompt(svc, "星野ミライ と 黒田トビオ", "JP", platform)
        screening.screen_prompt(svc, "a cat on a sofa", "JP", platform)
        act = activity(svc, Principal("k_a", "admin"), days=7)
        assert len(act.days) == 7 and act.days[-1] == datetime.now(UTC).date()
        assert act.total("blocks") == 1 and act.languages["ja"]["block"] == 1
        [blocked] = act.recent_first()
        assert blocked.prompt == "星野ミライ と 黒田トビオ"
        assert merge_spans(blocked.spans, len(blocked.prompt)) == [(0, 5), (8, 13)]
        kaze = activity(svc, Principal("k_r", "rightsholder", rightsholder="kaze-games"), days=7)
        assert kaze.total("blocks") == 0 and not kaze.recent
    finally:
        svc.close()


def test_activity_counts_settlements_and_reviews_in_scope(sqlite_url: str) -> None:
    from pathlib import Path

    from mamori.ops import reviews
    from mamori.service import Mamori
    from mamori.web.queries import activity

    svc = Mamori.open(sqlite_url, registry_refresh_seconds=0.0)
    try:
        svc.import_registry(Path(__file__).resolve().parents[2] / "data" / "registry.yaml")
        line = {
            "character": "mirai",
            "work": "star-courier",
            "rightsholder": "hoshi-studio",
            "mode": "licensed",
        }
        svc.ledger.append("settlement", {"generation_id": "g_1", "lines": [line]})
        svc.ledger.append("settlement", {"generation_id": "g_2", "lines": [{**line, "mode": "tracked"}]})
        reviews.file_dispute(
            svc, "mirai", "not her", Principal("k_p", "platform", platform="acme-video"), prompt="x"
        )
        hoshi = activity(svc, Principal("k_r", "rightsholder", rightsholder="hoshi-studio"), days=3)
        assert hoshi.total("licensed") == 1 and hoshi.total("reviews") == 1
        assert hoshi.series("licensed")[-1] == (datetime.now(UTC).strftime("%m-%d"), 1)
        kaze = activity(svc, Principal("k_k", "rightsholder", rightsholder="kaze-games"), days=3)
        assert kaze.total("licensed") == 0 and kaze.total("reviews") == 0
    finally:
        svc.close()


def test_y_axis_labels_fit_inside_the_chart() -> None:
    """Each tick label, right-aligned at x, needs x >= its width: the left margin grows with the widest label."""
    import re

    from mamori.web.render import TICK_CHAR_WIDTH, tick_label

    assert [tick_label(v) for v in (0, 2.5, 500, 5000, 20_000, 15_000, 2_000_000, 1_500_000)] == [
        "0", "2.5", "500", "5000", "20k", "15k", "2M", "1.5M"
    ]  # fmt: skip
    for top in (3, 999, 5000, 123_456, 7_654_321):
        svg = str(bar_chart([("a", top), ("b", 1)], "x"))
        ticks = re.findall(r'<text class="tick" x="([\d.]+)"[^>]*>([^<]+)</text>', svg)
        assert len(ticks) == 3
        for x, text in ticks:
            assert float(x) - len(text) * TICK_CHAR_WIDTH >= 0, (top, text, x)


def test_catalogs_are_gettext_po_files_read_with_babel() -> None:
    """Both catalogs parse, hold the same keys with no empty or fuzzy entry, keep every {placeholder}, and the
    Jinja2 i18n extension (`_()`, `{% trans %}`) reads them."""
    import re

    from babel.messages.pofile import read_po

    from mamori.web.i18n import LANGS, catalog_path, gettext_callables
    from mamori.web.render import environment

    catalogs = {}
    for lang in LANGS:
        with catalog_path(lang).open("rb") as fh:
            catalogs[lang] = {m.id: m for m in read_po(fh, locale=lang) if m.id}
    assert set(catalogs["en"]) == set(catalogs["ja"])
    for key, en in catalogs["en"].items():
        ja = catalogs["ja"][key]
        assert en.string and ja.string and not ja.fuzzy, key
        assert set(re.findall(r"{\w+}", en.string)) == set(re.findall(r"{\w+}", ja.string)), key
    template = environment().from_string('{% trans %}nav.works{% endtrans %}|{{ _("nav.reviews") }}')
    assert template.render(**gettext_callables("ja")) == "作品|審査・異議申立て"
    assert template.render(**gettext_callables("en")) == "Works|Reviews &amp; disputes"  # autoescaped
