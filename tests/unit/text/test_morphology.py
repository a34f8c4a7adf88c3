"""Kana names inside unspaced Japanese text: found on morpheme boundaries, never inside an everyday word."""

from __future__ import annotations

import pytest

from mamori.registry.model import Character, Registry, Rightsholder, Work
from mamori.screening.base import Corpus
from mamori.screening.text import TextMatcher, morph

# invented characters: a katakana name, a kanji + hiragana name whose given name is an everyday word
REG = Registry(
    rightsholders=(Rightsholder("rh", "Invented"),),
    works=(Work("w", "rh", ("Cloud Harbour", "雲の港")),),
    characters=(
        Character("toraboru", "w", ("Toraboru", "トラボル"), ("brass telescope",)),
        Character("hana", "w", ("Hana Kumoi", "雲井はな"), ("paper umbrella",)),
    ),
)


@pytest.fixture(scope="module")
def matcher() -> TextMatcher:
    return TextMatcher.build(Corpus(registry=REG))


def chars(m: TextMatcher, text: str) -> set[str | None]:
    return {x.character for x in m.detect(text)}


def test_the_analyser_is_installed() -> None:
    assert morph.available()


@pytest.mark.parametrize(
    "text",
    [
        "きのうとらぼるが空を飛ぶ",  # hiragana of a katakana name, after other kana
        "けさとらぼるくんと海で泳ぐ",
        "それからトラボルちゃんが笑う",
        "いつもトラボルイラストを描く",  # katakana name run on with a katakana word
    ],
)
def test_kana_name_in_running_text_is_found(matcher: TextMatcher, text: str) -> None:
    assert "toraboru" in chars(matcher, text)


@pytest.mark.parametrize(
    "text",
    [
        "はなが咲いている庭",  # the everyday word 'flower', no character evidence
        "はなびの写真",  # fireworks: the name is inside a word
        "とらぼるとらぼるした音",  # reduplicated: a sound word, not a name
    ],
)
def test_everyday_words_are_not_names(matcher: TextMatcher, text: str) -> None:
    assert chars(matcher, text) == set()


def test_everyday_word_name_with_honorific_or_cue_is_the_character(matcher: TextMatcher) -> None:
    assert "hana" in chars(matcher, "きのうはなちゃんが歩くアニメ")


def test_analysis_of_huge_or_odd_text_is_bounded(matcher: TextMatcher) -> None:
    text = "あ" * 200_000 + "とらぼるが" + "\ud800\u202e👩‍👩‍👧" + "ア" * 10_000
    got = matcher.detect(text)
    assert isinstance(got, list)
    assert morph.crosses_word("あいうえお" * 2000, 10, 12) is None  # a window over MAX_CHARS is not analysed
