"""Senses a name shares with the rest of the world, found on held-out prompts: a spelling that is a word of its own
in another language, another person's full name around a name part, a person's title before a given name, a
headline told from a sentence full of proper nouns, an everyday-word name part beside one generic trait, and a
katakana name written in hiragana inside a Japanese sentence. Invented characters only."""

from __future__ import annotations

import jaconv
import pytest

from mamori.registry.model import Character, Registry, Rightsholder, Work
from mamori.screening.text import TextMatcher, morph, transcribe, vocab
from mamori.screening.text.normalize import is_title_case_prompt, normalize, tokenize

REG = Registry(
    rightsholders=(Rightsholder("rh", "Invented Studio"),),
    works=(Work("brew", "rh", ("Morning Brew Tales",)), Work("north", "rh", ("Northern Lanterns",))),
    characters=(
        # 'Kaffe' is one spelling fold from 'kaffee' (German, far more frequent than 'kaffe')
        Character("kaffe", "brew", ("Kaffe", "カッフェ"), ("steaming mug hat", "saucer shield")),
        # 'Rikuto' is a part of the full name; 'Hayase' the registered surname
        Character("rikuto", "brew", ("Rikuto Hayase", "早瀬リクト"), ("kestrel feather", "paper kite")),
        # 'Torvald' is a given name (census / gender-guesser data) and a part of the registered name
        Character("torvald", "north", ("Torvald the Lantern",), ("verdigris hinges", "blue flame")),
        # a Western name registered in katakana only
        Character("rodrigo", "north", ("ロドリゴ・バルデス",), ("bronze spurs",)),
    ),
)


@pytest.fixture(scope="module")
def m() -> TextMatcher:
    return TextMatcher(REG)


def chars(m: TextMatcher, text: str) -> list[str]:
    return [x.character or x.work for x in m.detect(text)]


def test_data_behind_the_cases() -> None:
    # what the cases below stand on: the data says so, not this test
    assert vocab.spelling_zipf("kaffee") >= vocab.spelling_zipf("kaffe") + vocab.HOMOGRAPH_MARGIN
    assert "given-name" in vocab.other_senses("torvald")


@pytest.mark.parametrize(
    "text", ["eine Tasse Kaffee am Morgen, Stillleben", "a cup of kaffee on a wooden table"]
)
def test_a_spelling_that_is_a_word_of_its_own_is_that_word(m: TextMatcher, text: str) -> None:
    assert chars(m, text) == []


def test_the_registered_spelling_and_a_rare_variant_still_match(m: TextMatcher) -> None:
    assert chars(m, "Kaffe dancing in the rain") == ["kaffe"]
    assert chars(m, "Kafe dancing in the rain") == ["kaffe"]  # a misspelling rarer than the name


def test_a_word_of_its_own_needs_more_than_one_generic_trait(m: TextMatcher) -> None:
    got = m.detect("Kaffee with a steaming mug hat and a saucer shield")
    assert [x.character for x in got] == ["kaffe"]


def test_set_aside_says_why(m: TextMatcher) -> None:
    matches, aside = m.screen("a cup of kaffee on a wooden table")
    assert matches == [] and any("word or name of its own" in e.detail for e in aside)


@pytest.mark.parametrize(
    "text",
    [
        "Tomoe Rikuto, the legendary archer, woodblock print",  # another surname before the given name
        "Rikuto Tanabe, accountant, portrait photo",  # and after it
    ],
)
def test_a_name_part_in_another_full_name_is_another_person(m: TextMatcher, text: str) -> None:
    assert chars(m, text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Hayase Rikuto flying a paper kite",  # the registered name in Japanese order
        "Rikuto Hayase flying a paper kite",
        "Rikuto running through the rain",  # the part alone
        "Angry Rikuto running through the rain",  # an everyday word before it names nobody
    ],
)
def test_the_name_part_alone_or_with_its_own_surname_matches(m: TextMatcher, text: str) -> None:
    assert chars(m, text) == ["rikuto"]


def test_an_epithet_or_an_apostrophe_surname_names_another_figure(m: TextMatcher) -> None:
    assert chars(m, "Rikuto the Barbarian, pulp magazine cover") == []  # not the registered epithet
    assert chars(m, "Rikuto O'Brien hosting a talk show") == []
    assert chars(m, "Torvald the Lantern glowing on a shelf") == ["torvald"]  # the registered one
    assert chars(m, "Rikuto the archer flying a kite") == ["rikuto"]  # a lower-case description, no epithet


def test_a_name_modifying_a_noun_at_the_start_of_a_sentence_needs_context() -> None:
    reg = Registry(
        rightsholders=(Rightsholder("rh", "R"),),
        works=(Work("w", "rh", ("Blossom Blades",)),),
        characters=(Character("s", "w", ("Sakura Hoshizaki", "星崎サクラ"), ("cherry blossom headband",)),),
    )
    m = TextMatcher(reg)
    assert vocab.other_senses("sakura")  # a place and a given name, from data
    assert chars(m, "Sakura museum at dawn, travel photo") == []
    assert chars(m, "Sakura station platform at dawn") == []
    assert chars(m, "Hoshizaki river in the rain") == []  # a part of the name
    assert chars(m, "Sakura with a cherry blossom headband") == ["s"]
    # the subject of an action: 'サクラ' is also the reading of frequent Japanese names (佐倉, 紗倉;
    # vocab.person_name_readings), so 'Sakura' alone is anyone of that name, as 'Hoshino' is
    assert vocab.person_name_readings().get("サクラ")
    for text in ("Sakura walking a dog", "Sakura runs through the rain"):
        assert chars(m, text) == []
    assert chars(m, "a drawing of Sakura Hoshizaki") == ["s"]


@pytest.mark.skipif(not morph.available(), reason="needs the Japanese morphological analyser")
def test_a_japanese_naming_cue_after_a_kanji_honorific(m: TextMatcher) -> None:
    assert chars(m, "リクト君という名前の犬") == []
    assert chars(m, "リクト君が走る") == ["rikuto"]


def test_a_capitalised_word_after_a_possessive_is_what_is_owned(m: TextMatcher) -> None:
    # 'Torvald's Bakery' is an owner's shop (the owner sense), not 'Torvald Bakery', another person's full name
    matches, aside = m.screen("Torvald's Bakery in Bergen at night")
    assert matches == [] and any("owner" in e.detail for e in aside)


def test_a_title_before_a_given_name_is_a_person_even_in_a_sentence_of_proper_nouns(m: TextMatcher) -> None:
    assert chars(m, "King Torvald of Norway statue in Oslo") == []
    assert chars(m, "Torvald the Lantern on a windowsill") == ["torvald"]


def test_headlines_are_told_by_their_everyday_words() -> None:
    def headline(text: str) -> bool:
        return is_title_case_prompt(tokenize(normalize(text)), vocab.dictionary_words().__contains__)

    assert not headline("King Torvald of Norway statue in Oslo")  # 'statue' is lower case
    assert not headline("Torvald Road in Hong Kong at night")  # 'hong', 'kong': frequent, but names
    assert headline("Torvald Walking A Dog In The Park")
    assert not headline("Torvald walking a dog in the park")


def test_an_everyday_word_part_with_one_generic_trait_is_nobody(m: TextMatcher) -> None:
    assert chars(m, "a lantern with a blue flame in a garden") == []
    got = m.detect("a lantern with verdigris hinges in a garden")  # one distinctive trait: review at most
    assert [x.character for x in got] == ["torvald"] and got[0].score < 0.7


@pytest.mark.skipif(not morph.available(), reason="needs the Japanese morphological analyser")
@pytest.mark.parametrize(
    "text",
    [
        "きのうろどりごが公園で走る",  # the given name in hiragana after other kana, no honorific
        "やっぱりろどりごばるですが歌う",  # the whole name in hiragana, without its dot
        "ロドリゴバルデスが馬に乗る",  # the whole name in katakana, without its dot
    ],
)
def test_a_katakana_name_in_hiragana_or_without_its_dot(m: TextMatcher, text: str) -> None:
    assert chars(m, text) == ["rodrigo"]


@pytest.mark.parametrize("mark", [".", "-", "_", "*", "．", " "])
def test_marks_typed_between_kana_to_split_a_name(m: TextMatcher, mark: str) -> None:
    assert chars(m, mark.join("ロドリゴ") + "が馬に乗る") == ["rodrigo"]


@pytest.mark.skipif(not morph.available(), reason="needs the Japanese morphological analyser")
def test_a_hiragana_dictionary_word_is_not_a_katakana_name() -> None:
    reg = Registry(
        rightsholders=(Rightsholder("rh", "R"),),
        works=(Work("w", "rh", ("Some Saga",)),),
        characters=(Character("usa", "w", ("ウサギ・ラン",), ("grey ears",)),),
    )
    m = TextMatcher(reg)
    assert morph.one_word("うさぎがにんじんを食べている", 0, 3) is True
    assert chars(m, "うさぎがにんじんを食べている写真") == []
    # a whole registered katakana name too: 'きき' of 'ききかんり' (危機管理) is a word; with an honorific, the name
    kiki = TextMatcher(
        Registry(
            rightsholders=(Rightsholder("rh", "R"),),
            works=(Work("w", "rh", ("Some Saga",)),),
            characters=(Character("k", "w", ("キキ",), ("red bow",)),),
        )
    )
    assert chars(kiki, "ききかんりの講習会") == []
    assert chars(kiki, "ききちゃんが空を飛ぶ") == ["k"]
    assert chars(kiki, "キキが空を飛ぶ") == ["k"]


@pytest.mark.skipif(not transcribe.reading("olaf"), reason="needs e2k (the katakana readings of Latin names)")
def test_a_name_registered_in_latin_letters_only_is_found_in_kana() -> None:
    reg = Registry(
        rightsholders=(Rightsholder("rh", "R"),),
        works=(Work("w", "rh", ("Some Saga",)),),
        characters=(
            Character("q", "w", ("Quillon Vashter",), ("brass goggles",)),
            Character("r", "w", ("Rikuto Hayase",), ("paper kite",)),
        ),
    )
    m = TextMatcher(reg)
    quillon, vashter = transcribe.reading("quillon"), transcribe.reading("vashter")
    assert quillon and vashter
    assert transcribe.reading("rikuto") == "リクト"  # Japanese romaji: its own kana, not a guess
    hira = jaconv.kata2hira(vashter)
    assert chars(m, f"きのう{hira}が空を飛ぶ絵") == ["q"]
    assert chars(m, f"{quillon}{vashter}が走る写真") == ["q"]  # the whole name, no dot
    assert chars(m, f"{quillon}・{vashter}の絵") == ["q"]
    assert chars(m, "ゆうべりくとが空を飛ぶ絵") == ["r"]
    matches = m.detect(f"きのう{hira}が空を飛ぶ絵")
    assert "katakana reading of the Latin name" in matches[0].evidence[0].detail


def test_readings_of_words_that_are_not_names() -> None:
    assert transcribe.reading("ab") == ""  # too short to mean one name
    assert transcribe.reading("x9z") == ""
    assert transcribe.romaji_reading("olaf") == ""  # not Japanese romaji
    assert transcribe.romaji_reading("eevee") == ""  # small vowels: a foreign word
    assert transcribe.romaji_reading("chihiro") == "チヒロ"


def test_a_lower_case_name_that_is_a_japanese_word_modifying_a_noun_is_that_word() -> None:
    reg = Registry(
        rightsholders=(Rightsholder("rh", "R"),),
        works=(Work("w", "rh", ("Rice Field Tales",)),),
        characters=(Character("mochi", "w", ("Mochi", "モチマル"), ("round white body", "leaf hat")),),
    )
    m = TextMatcher(reg)
    assert chars(m, "mochi rice cakes at a new year festival") == []  # もち is an everyday Japanese word
    assert chars(m, "Mochi plush toy on a shelf") == ["mochi"]  # capitalised, the name
    assert chars(m, "mochi bouncing in a meadow") == ["mochi"]  # not modifying a noun


def test_a_katakana_part_typed_by_its_sound_is_a_part_of_the_name() -> None:
    reg = Registry(
        rightsholders=(Rightsholder("rh", "R"),),
        works=(Work("w", "rh", ("Some Saga",)),),
        characters=(
            Character("glint", "w", ("Glint Sorano", "空野グリント"), ("mirror shield",)),
            Character("hop", "w", ("Hopsy Banny", "ホプシー・バニー"), ("long ears",)),
        ),
    )
    m = TextMatcher(reg)
    assert chars(m, "Sorano Gurinto sketching a mirror") == ["glint"]  # 'gurinto' of グリント
    assert chars(m, "Gurinto Sorano sketching a mirror") == ["glint"]
    # 'banii' of バニー, one fold from a place written with an accent ('Baní'): the place
    assert chars(m, "a street market in Baní at dawn, watercolor") == []
