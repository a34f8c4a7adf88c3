"""General mechanisms found on held-out characters: joined/lower-case multi-word names, kana name parts,
misspellings beside a given name, partial titles as context, look-alike letters from other scripts.
Invented characters only."""

from __future__ import annotations

import pytest

from mamori.registry.model import Character, Registry, Rightsholder, Work
from mamori.screening.base import Corpus
from mamori.screening.text import TextMatcher
from mamori.screening.text.normalize import normalize
from mamori.types import Rule

REG = Registry(
    rightsholders=(Rightsholder("rh", "Invented Studio"),),
    works=(
        Work("sky", "rh", ("Sky-Rider",)),
        Work("val", "rh", ("The Chronicles of Valdoria", "ヴァルドリアの年代記")),
        Work("orbit", "rh", ("Ne:Orbit", "ネオービット")),
        Work("harbor", "rh", ("Moonfall Harbor",)),
    ),
    characters=(
        Character(
            "skyrider",
            "sky",
            ("Sky-Rider", "David Fennick", "スカイライダー"),
            ("silver jet pack", "blue visor"),
        ),
        Character("ring", "val", ("Ring", "リング"), ("bronze gauntlet", "feathered cloak")),
        Character("bolt", "orbit", ("Bolt", "ボルト"), ("copper antenna",)),
        Character(
            "minya", "harbor", ("Minya Holst", "ミーニャ・ホルスト"), ("lilac braids", "lantern staff")
        ),
        Character("tom", "harbor", ("Tom Walker",), ("fisher coat",)),
        Character("cat", "harbor", ("Black Cat",), ("whisker mask",)),
        Character("volk", "harbor", ("Rabbit Volk", "ラビット・ヴォルク"), ("grey ears",)),
    ),
)


@pytest.fixture(scope="module")
def m() -> TextMatcher:
    return TextMatcher.build(Corpus(registry=REG))


def score(m: TextMatcher, text: str, cid: str) -> float:
    return max((x.score for x in m.detect(text) if x.character == cid), default=0.0)


# 1. joined / compact / lower-case forms of multi-word names


@pytest.mark.parametrize(
    "text", ["Skyrider on a roof", "SkyRider on a roof", "skyrider on a roof", "a photo of skyrider"]
)
def test_compact_form_of_a_name_of_ordinary_words_is_not_a_word(m: TextMatcher, text: str) -> None:
    assert score(m, text, "skyrider") >= 0.9


def test_lower_case_hyphenated_compound_is_the_name(m: TextMatcher) -> None:
    ms = [x for x in m.detect("sky-rider on a roof") if x.character == "skyrider"]
    assert ms and ms[0].score == 1.0 and any(e.rule == Rule.NAME for e in ms[0].evidence)


@pytest.mark.parametrize(
    "text,cid",
    [
        ("sky rider on a roof", "skyrider"),
        ("tom walker on a pier", "tom"),
        ("david fennick on a pier", "skyrider"),
    ],
)
def test_lower_case_full_multi_word_name_is_accepted(m: TextMatcher, text: str, cid: str) -> None:
    assert 0.85 <= score(m, text, cid) <= 1.0


@pytest.mark.parametrize(
    "text",
    [
        "a black cat on a fence",
        "a sky full of riders",
        "a rider in the sky",
        "tom walked to the pier",
        "a ring on a finger",
        "a bolt of lightning",
        "david fenced the garden",
        "リングを買う",
    ],
)
def test_ordinary_phrases_stay_benign(m: TextMatcher, text: str) -> None:
    assert m.detect(text) == []


def test_capitalised_phrase_name_still_matches(m: TextMatcher) -> None:
    assert score(m, "Black Cat on a rooftop", "cat") >= 0.9


# 2. hiragana / katakana of a part of a katakana name


@pytest.mark.parametrize("text", ["みーにゃ walking a dog", "ミーニャが走る", "ほるすとが走る"])
def test_kana_name_part(m: TextMatcher, text: str) -> None:
    assert score(m, text, "minya") >= 0.85


def test_loanword_name_part_needs_context(m: TextMatcher) -> None:
    assert m.detect("ラビットが跳ねる") == []  # 'rabbit': the part is an ordinary word
    assert score(m, "ヴォルクが跳ねる", "volk") >= 0.85


# 3. misspelling inside a multi-word name opened by a given name


def test_misspelt_surname_after_given_name(m: TextMatcher) -> None:
    assert 0.75 <= score(m, "David Fennik walking a dog", "skyrider") < 1.0
    assert m.detect("David walking a dog") == []


# 4. a distinctive word of a title is context for the work's characters


@pytest.mark.parametrize(
    "text",
    [
        "リング from Valdoria",
        "ring from valdoria",
        "Ring from Valdoria",
        "ヴァルドリアのリング",
        "bolt from ne orbit",
    ],
)
def test_partial_title_is_context(m: TextMatcher, text: str) -> None:
    cid = "bolt" if "orbit" in text else "ring"
    assert score(m, text, cid) >= 0.7


def test_common_word_name_without_title_word_needs_context(m: TextMatcher) -> None:
    assert m.detect("ring from the shop") == []
    assert m.detect("リング from the shop") == []


# 5. look-alike letters from other scripts


@pytest.mark.parametrize(
    "ch,latin",
    [
        ("ᒪ", "l"),
        ("ℒ", "l"),
        ("𝐋", "l"),
        ("Ⓛ", "l"),
        ("🅻", "l"),
        ("Ꮮ", "l"),
        ("ꮮ", "l"),
        ("Օ", "o"),
        ("ս", "u"),
        ("ᗅ", "a"),
        ("Ꭺ", "a"),
        ("ⅼ", "l"),
        ("Ɩ", "l"),
        ("ᑕ", "c"),
    ],
)
def test_confusables_fold_to_latin(ch: str, latin: str) -> None:
    assert normalize(ch).text == latin


@pytest.mark.parametrize(
    "text",
    [
        "ᗰinya Holst dancing",
        "Minya Hoᒪst dancing",
        "Ꮇinya Ꮋolst dancing",
        "𝐌𝐢𝐧𝐲𝐚 𝐇𝐨𝐥𝐬𝐭 dancing",
        "Mіnya dancing",
    ],
)
def test_confusable_names_match(m: TextMatcher, text: str) -> None:
    assert score(m, text, "minya") >= 0.85
