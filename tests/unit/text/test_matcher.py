from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mamori.registry.model import Registry
from mamori.screening.base import Corpus
from mamori.screening.text import TextMatcher
from mamori.types import Rule


def chars(matches) -> set:  # type: ignore[no-untyped-def]
    return {m.character for m in matches}


def only(matcher: TextMatcher, text: str, cid: str):  # type: ignore[no-untyped-def]
    ms = [m for m in matcher.detect(text) if m.character == cid]
    assert ms, f"{cid} not found in {text!r}: {matcher.detect(text)}"
    return ms[0]


@pytest.mark.parametrize(
    "text,cid,rule",
    [
        ("Mirai Hoshino on a beach", "mirai", Rule.NAME),
        ("a portrait of MIRAI HOSHINO at night", "mirai", Rule.NAME),
        ("Ｍｉｒａｉ Ｈｏｓｈｉｎｏ at night", "mirai", Rule.NAME),
        ("星野みらいが公園で踊る", "mirai", Rule.NAME),
        ("ブラッケンが海で", "brakken", Rule.NAME),
        ("Brakken sailing a ship", "brakken", Rule.NAME),
        ("Web-Walker on a wall", "spider", Rule.NAME),
    ],
)
def test_exact_names_any_script(matcher: TextMatcher, text: str, cid: str, rule: Rule) -> None:
    m = only(matcher, text, cid)
    assert m.score == 1.0
    assert any(e.rule == rule for e in m.evidence)


@pytest.mark.parametrize(
    "text,cid",
    [
        ("Hoshino Mirai on a beach", "mirai"),  # reversed order
        ("Mirai-chan waving at the camera", "mirai"),  # honorific + distinctive part
        ("ほしのみらい in the park", "mirai"),  # kana reading of the kanji name
        ("ほしの みらい in the park", "mirai"),
        ("ぶらっけん at sea", "brakken"),  # hiragana of a katakana name
        ("ﾌﾞﾗｯｹﾝ at sea", "brakken"),  # half-width katakana
        ("Burakken at sea", "brakken"),  # romaji of the katakana name
        ("Brakkenn at sea", "brakken"),  # double consonant
        ("Brackken at sea", "brakken"),
        ("Webwalker swinging", "spider"),  # spacing
        ("Web Walker swinging", "spider"),
        ("Miray Hoshino smiling", "mirai"),  # final y/i
        ("Dorumi Kazenager at the wheel", "dorumi"),  # misspelling in a long name
        ("Mirai Hoshinoo smiling", "mirai"),  # long vowel
    ],
)
def test_variants(matcher: TextMatcher, text: str, cid: str) -> None:
    m = only(matcher, text, cid)
    assert 0.75 <= m.score <= 1.0
    assert m.score < 1.0 or any(e.rule == Rule.NAME for e in m.evidence)


@pytest.mark.parametrize(
    "text",
    [
        "M1r@i H0sh1n0 dancing",
        "M i r a i   H o s h i n o dancing",
        "M.i.r.a.i H.o.s.h.i.n.o dancing",
        "M-i-r-a-i_H-o-s-h-i-n-o dancing",
        "Mі\u200brai Hоshino dancing",  # Cyrillic і, о and a zero-width space
        "Mi\u200drai Ho\u2066shino dancing",
        "mIrAi hOsHiNo dancing",
    ],
)
def test_obfuscations(matcher: TextMatcher, text: str) -> None:
    m = only(matcher, text, "mirai")
    assert m.score >= 0.9
    assert any(e.rule in (Rule.OBFUSCATION, Rule.NAME) for e in m.evidence)


def test_obfuscation_rule_and_detail(matcher: TextMatcher) -> None:
    m = only(matcher, "a drawing of Br4kk3n at sea", "brakken")
    ev = m.evidence[0]
    assert ev.rule == Rule.OBFUSCATION and 0.9 <= ev.score <= 0.97
    assert "Br4kk3n" in ev.detail and "leetspeak" in ev.detail


def test_spans_point_into_the_original(matcher: TextMatcher) -> None:
    text = "ｘ \u200bthe ca\u200dptain Brаkken (ブラッケン) and M i r a i  H o s h i n o"
    for m in matcher.detect(text):
        for e in m.evidence:
            assert e.span is not None and e.text == text[e.span.start : e.span.end]
    m = only(matcher, text, "brakken")
    assert {e.text for e in m.evidence} >= {"Brаkken", "ブラッケン"}


def test_descriptive_traits(matcher: TextMatcher) -> None:
    m = only(matcher, "a captain with a red beard holding an iron anchor, wearing barnacle armour", "brakken")
    assert m.score >= 0.75 and all(e.rule == Rule.TRAIT for e in m.evidence)
    two = only(matcher, "a girl with silver twin-tails and a star shaped hairpin", "mirai")
    assert 0.4 <= two.score < 0.75
    with_title = only(matcher, "a violet school blazer, Starlight Academy poster", "mirai")
    assert with_title.score >= 0.75


def test_one_trait_is_not_enough(matcher: TextMatcher) -> None:
    assert matcher.detect("a red beard on an old fisherman") == []
    assert matcher.detect("a paper map on a desk") == []


def test_title_alone_is_a_work_match(matcher: TextMatcher) -> None:
    ms = matcher.detect("a poster for Iron Tide in a cinema")
    assert [(m.character, m.work) for m in ms] == [(None, "iron-tide")]
    assert ms[0].evidence[0].rule == Rule.TITLE


@pytest.mark.parametrize(
    "text",
    [
        "click the link to download the file",  # a name that is a common word
        "Mario Draghi gives a speech in Frankfurt",  # another person
        "the Hoshino Strait ferry at dawn",  # a distinctive part followed by a different proper noun
        "ワンピースを着た女性が歩く",  # a title that is a common Japanese word (a dress)
        "Tilos are wonderful",  # prefix of a longer word is not the name
        "Brakken-style roasted brakkens",  # the name is the stem of a word used in the prompt
        "an iron tide of water floods the street",  # lower-case title made of ordinary words
        "a red beard",  # one trait
        "a lantern in the dark",
        "a hoshino bowl",  # a lower-case part of a name is not enough
    ],
)
def test_benign(matcher: TextMatcher, text: str) -> None:
    assert matcher.detect(text) == []


def test_common_word_name_with_context(matcher: TextMatcher) -> None:
    assert "link" in chars(matcher.detect("Link from Kite Legends holding a sword"))
    assert "link" in chars(matcher.detect("a hero called Link in a green tunic and pointed hat"))
    assert "link" in chars(matcher.detect("a portrait of Link and Mario"))


def test_sentence_start_common_word_is_review_band(matcher: TextMatcher) -> None:
    m = only(matcher, "Link walking a dog", "link")
    assert 0.4 <= m.score < 0.7


def test_title_common_japanese_word_needs_context(matcher: TextMatcher) -> None:
    assert matcher.detect("ワンピースが欲しい") == []
    ms = matcher.detect("ワンピースのレン・アシュダウン Wren Ashdown")
    assert "wren" in chars(ms)


def test_allowlist_suppresses_phrase(registry: Registry) -> None:
    corpus = Corpus(registry=registry, allowlist=[("brakken", "brakken ale"), (None, "tilo street")])
    m = TextMatcher.build(corpus)
    assert m.detect("a pint of Brakken Ale on a bar") == []
    assert chars(m.detect("Brakken drinking at a bar")) == {"brakken"}
    assert m.detect("walking down Tilo Street") == []


def test_scores_in_range_and_no_weak_matches(matcher: TextMatcher) -> None:
    for text in [
        "Mirai Hoshino",
        "Brackken",
        "Link walking",
        "a girl with silver twin tails and a comet wand",
    ]:
        for m in matcher.detect(text):
            assert 0.4 <= m.score <= 1.0
            assert all(0.0 <= e.score <= 1.0 and e.detail for e in m.evidence)


def test_empty_and_odd_inputs(matcher: TextMatcher) -> None:
    assert matcher.detect("") == []
    assert matcher.detect("   \u200b ") == []
    assert matcher.detect("\ud800\udfff\x00") == []
    big = "Mirai Hoshino " + "lorem ipsum " * 80_000
    assert "mirai" in chars(matcher.detect(big))


def test_empty_registry() -> None:
    m = TextMatcher.build(Corpus(registry=Registry()))
    assert m.detect("Mirai Hoshino ワンピース") == []


_ZW = st.sampled_from(["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u202e", "\u2066"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_zero_width_never_loses_the_match(matcher: TextMatcher, data) -> None:  # type: ignore[no-untyped-def]
    name = data.draw(
        st.sampled_from(["Mirai Hoshino", "Brakken", "星野みらい", "ブラッケン", "Dorumi Kazenaga"])
    )
    chars_ = list(name)
    for _ in range(data.draw(st.integers(1, 4))):
        chars_.insert(data.draw(st.integers(1, len(chars_) - 1)), data.draw(_ZW))
    text = "a photo of " + "".join(chars_) + " at sea"
    expected = {
        "Mirai Hoshino": "mirai",
        "星野みらい": "mirai",
        "Brakken": "brakken",
        "ブラッケン": "brakken",
        "Dorumi Kazenaga": "dorumi",
    }[name]
    assert expected in chars(matcher.detect(text))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=200))
def test_never_raises_and_spans_valid(matcher: TextMatcher, text: str) -> None:
    for m in matcher.detect(text):
        assert 0.4 <= m.score <= 1.0
        for e in m.evidence:
            assert e.span is not None and 0 <= e.span.start <= e.span.end <= len(text)
            assert e.text == text[e.span.start : e.span.end]
