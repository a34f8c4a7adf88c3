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
    text = "あ" * 20_000 + "とらぼるが" + "\ud800\u202e👩‍👩‍👧" + "ア" * 2_000
    got = matcher.detect(text)
    assert isinstance(got, list)
    # only a window of a few dozen characters around the span is analysed, however long the text
    assert morph.crosses_word("あいうえお" * 200_000, 500_000, 500_003) is not None
    assert morph.morphemes.cache_info().currsize < 20_000


def test_other_senses_need_character_evidence() -> None:
    """A one-word name that is also a given name (from data, or declared by the rightsholder) reads as another
    person beside another capitalised name, as an owner, or after 'named'; evidence in context keeps it."""
    reg = Registry(
        rightsholders=(Rightsholder("rh", "Invented"),),
        works=(Work("w", "rh", ("Zephyr Quest",)),),
        characters=(
            Character("olga", "w", ("Olga",), ("glass harp", "moth wings")),
            Character("qarvix", "w", ("Qarvix",), ("obsidian crown",), other_senses=("brand",)),
            Character("brulo", "w", ("Brulo",), ("cinder boots",), ambiguous=False),
        ),
    )
    m = TextMatcher.build(Corpus(registry=reg))
    assert m.index.senses  # 'olga' is a given name in the data
    assert chars(m, "Olga walking a dog in the park") == {"olga"}
    assert chars(m, "Queen Olga of Kyiv, a statue") == set()
    assert chars(m, "Olga's bakery at night") == set()
    assert chars(m, "a cat named Brulo at night") == set()  # named: another bearer, whatever the data says
    assert chars(m, "Qarvix's shop on the corner") == set()  # the declared sense
    assert chars(m, "Brulo's cinder boots") == {"brulo"}  # ambiguous: false
    assert chars(m, "Olga's moth wings, Zephyr Quest fan art") == {"olga"}


def test_japanese_naming_cue_gives_the_name_to_another(matcher: TextMatcher) -> None:
    assert chars(matcher, "とらぼるという名前の猫の写真") == set()
    # neither the honorific nor the depiction cue brings it back
    assert chars(matcher, "はなちゃんという名前のハムスター、アニメ") == set()
    assert "toraboru" in chars(matcher, "とらぼるが猫と遊ぶ")


def test_explain_says_why_a_name_was_set_aside() -> None:
    reg = Registry(
        rightsholders=(Rightsholder("rh", "Invented"),),
        works=(Work("w", "rh", ("Zephyr Quest",)),),
        characters=(Character("olga", "w", ("Olga",), ("glass harp",)),),
    )
    m = TextMatcher.build(Corpus(registry=reg))
    assert m.detect("Olga's bakery at night") == []
    why = m.explain("Olga's bakery at night")
    assert (
        len(why) == 1 and why[0].text == "Olga" and "owner" in why[0].detail and "given-name" in why[0].detail
    )
    assert m.explain("a bakery at night") == []


def test_katakana_name_typed_by_its_sound_in_romaji() -> None:
    # 'ミラン・ポルテ' (invented) romanised word by word: 'miran porute', as a Japanese speaker types it by sound
    reg = Registry(
        rightsholders=(Rightsholder("rh", "Invented"),),
        works=(Work("w", "rh", ("Cloud Harbour",)),),
        characters=(Character("miran", "w", ("ミラン・ポルテ",), ("glass kite",)),),
    )
    m = TextMatcher.build(Corpus(registry=reg))
    assert [e.words for e in m.index.entries if e.kind == "romaji"] == [("miran", "porute")]
    got = m.detect("Miran Porute flying a kite")
    assert [x.character for x in got] == ["miran"] and "romanisation" in got[0].evidence[0].detail
    assert chars(m, "miran porute") == {"miran"}
    # one word of it alone is not the name
    assert chars(m, "a trip to miran") == set()


@pytest.mark.parametrize(
    "text,span,ok",
    [
        (
            "ハリー・ポッター",
            (0, 3),
            True,
        ),  # the given name of a dotted katakana name: the dot is a word boundary
        ("ハリー・ポッター", (4, 8), True),  # and the family name after it
        (
            "きのうハリー・ポッターが",
            (3, 6),
            True,
        ),  # kana on the other side is still analysed: a boundary there
        ("れいぞうこ", (0, 2), False),  # inside a dictionary word, no dot: not a boundary
    ],
)
def test_a_middle_dot_is_a_word_boundary(text: str, span: tuple[int, int], ok: bool) -> None:
    from mamori.screening.text.judge import ja_boundary_ok

    assert ja_boundary_ok(text, *span) is ok


def test_a_name_part_beside_a_middle_dot_is_found() -> None:
    from mamori.registry.model import Character, Registry, Rightsholder, Work
    from mamori.screening.base import Corpus

    reg = Registry(
        rightsholders=(Rightsholder("rh", "Invented"),),
        works=(Work("w", "rh", ("Invented Saga",)),),
        characters=(Character("c", "w", ("Torvald Mensk", "トルヴァルド・メンスク"), ()),),
    )
    m = TextMatcher.build(Corpus(registry=reg))
    for text in (
        "トルヴァルド・メンスクのイラスト",
        "a poster of トルヴァルド・メンスク",
        "きのうトルヴァルド・メンスクが来た",
    ):
        assert {x.character for x in m.detect(text)} == {"c"}, text
