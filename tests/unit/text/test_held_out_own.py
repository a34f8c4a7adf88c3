"""A registered one-word name after a first-person possessive is someone or something of the writer's own ('my
grandmother Elsa', 'our dog Goofy', 'Elsa, my grandmother'): found by screening a fifth registry of characters the
code had never seen (wave 2, ninth session). Invented characters only."""

from __future__ import annotations

import pytest
from tests.unit.text.invented import chars, one_work

from mamori.registry.model import Character
from mamori.screening.text import TextMatcher

REG = one_work(
    "Frostglass Kingdom",
    # a one-word name that is also a given name, and one that is not
    Character("greta", "w", ("Greta", "グレタ"), ("frost crown", "glass sleigh")),
    Character("bramblewick", "w", ("Bramblewick",), ("thorn lantern", "moss cloak")),
)


@pytest.fixture(scope="module")
def m() -> TextMatcher:
    return TextMatcher(REG)


@pytest.mark.parametrize(
    "text",
    [
        "my grandmother Greta knitting a scarf",
        "our old neighbour Greta in her garden",
        "Greta, my grandmother, knitting a scarf",
        "Greta, our new intern, at her desk",
        "my dog Bramblewick asleep on the sofa",
        "ma grand-mère Greta au jardin",
    ],
)
def test_a_name_after_a_first_person_possessive_is_the_writers_own(m: TextMatcher, text: str) -> None:
    assert chars(m, text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Greta riding her glass sleigh",
        "my Greta figurine on a shelf",  # the name right after 'my': a thing made after the character
        "my grandmother Greta wearing a frost crown in a glass sleigh",  # character evidence outweighs it
        "Bramblewick and his thorn lantern",  # the third person is the character's own
    ],
)
def test_the_character_is_still_found(m: TextMatcher, text: str) -> None:
    assert chars(m, text) != []


def test_a_possessive_ends_a_name_so_the_owned_word_is_no_misspelt_name_word() -> None:
    # 'Tobias's deli' is Tobias's shop: 'tobias' + 'deli' is two edits from 'tobiasdell', but the possessive ends
    # the name (found by the hard-negative corpus at other seeds)
    reg = one_work(
        "Bell Tower Saga", Character("tobias", "w", ("Tobias Dell",), ("bronze bell", "tower key"))
    )
    m = TextMatcher(reg)
    assert chars(m, "Tobias's deli in the rain") == []
    assert chars(m, "Tobias Delll ringing a bronze bell") == ["tobias"]  # misspelt, no possessive


def test_a_given_name_in_everyday_use_is_no_misspelt_name() -> None:
    # 'Youssouf' (a given name frequent in some countries, gender-guesser) is within a misspelling of 'Yussou' and
    # of the romaji of 'ユッソウ': that person, not the character; a spelling nobody is named still reads as it
    reg = one_work(
        "Sand Clock Caravan",
        Character("yussou", "w", ("Yussou", "ユッソウ"), ("sand clock", "caravan lantern")),
    )
    m = TextMatcher(reg)
    assert chars(m, "Koby and Youssouf at a wedding") == []
    assert chars(m, "Yusssou holding a sand clock") == ["yussou"]


def test_a_name_of_several_words_after_a_naming_cue_is_given_to_another() -> None:
    # 'a cat named Lumen Knight': the naming cue applies to a multi-word name and to its parts inside it
    reg = one_work(
        "Prism Order",
        Character("lumen", "w", ("Lumen Knight", "Lumenknight"), ("prism shield", "light lance")),
        Character("sorai", "w", ("Sorai Hakuten",), ("cloud staff", "white hakama")),
    )
    m = TextMatcher(reg)
    assert chars(m, "a cat named Lumenknight at night") == []
    assert chars(m, "a dog called Sorai Hakuten in the park") == []
    assert chars(m, "Sorai Hakuten with a cloud staff") == ["sorai"]
    assert chars(m, "a dog called Sorai Hakuten holding a cloud staff in white hakama") == [
        "sorai"
    ]  # evidence


def test_a_short_everyday_word_beside_a_name_part_is_no_misspelt_short_word() -> None:
    # 'cat Tanuma' is two edits from 'Ai Tanuma' ('cattanuma', 'aitanuma'), but 'cat' is no misspelt 'ai': a rest of
    # three letters or fewer takes one edit
    reg = one_work("Reed Flute Song", Character("ai", "w", ("Ai Tanuma",), ("reed flute", "heron mask")))
    m = TextMatcher(reg)
    assert chars(m, "my cat Tanuma at sunset") == []
    assert chars(m, "Aj Tanuma playing a reed flute") == ["ai"]


def test_a_multi_word_name_of_the_writers_own() -> None:
    reg = one_work(
        "Prism Order",
        Character("lumen", "w", ("Lumen Knight", "Lumenknight"), ("prism shield", "light lance")),
    )
    m = TextMatcher(reg)
    assert chars(m, "my uncle Lumenknight on a busy morning") == []
    assert chars(m, "my Lumen Knight figure on a shelf") == ["lumen"]


@pytest.mark.parametrize(
    "text",
    [
        "きのうでこさんと笑っているアニメ",
        "けさでこくんの町を歩くファンアート",
        "ゆうべでこくんと笑っているイラスト",
    ],
)
def test_a_two_kana_name_before_an_honorific_inside_hiragana_is_found(text: str) -> None:
    # MeCab glues the name's last kana to the honorific ('けさ|で|こくん|の'): an honorific right after a two-kana
    # name, with no word across its start, marks its end (found by the hard-negative corpus at other seeds)
    reg = one_work("Drum Forest", Character("deko", "w", ("Deko", "デコ"), ("tanuki drum", "leaf hat")))
    assert chars(TextMatcher(reg), text) == ["deko"]


LIKE = one_work(
    "Stormjaw Chronicles",
    Character("stormjaw", "w", ("Stormjaw", "ストームジョー"), ("sea serpent", "lightning fins")),
    Character("kappo", "w", ("Kappo Tide", "カッポ・タイド"), ("round blue shell", "tide whistle")),
)


@pytest.mark.parametrize(
    "text",
    [
        "a stormjaw-sized burger with fries",
        "Stormjaw-shaped cookies on a tray",
        "ストームジョー級の台風が接近",
        "ストームジョー型のお弁当",
    ],
)
def test_a_name_joined_to_a_likeness_cue_is_a_measure_or_shape_of_something_else(text: str) -> None:
    assert chars(TextMatcher(LIKE), text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Stormjaw rising from the sea",
        "a Stormjaw-shaped cake with lightning fins, a sea serpent",  # character evidence
        "a Stormjaw-like sea monster",  # a look-alike is a depiction
        "Kappo x Stormjaw crossover poster",
    ],
)
def test_the_character_itself_and_its_look_alikes_are_still_found(text: str) -> None:
    assert chars(TextMatcher(LIKE), text) != []


def test_a_connector_inside_a_capitalised_title_of_everyday_words() -> None:
    m = TextMatcher(
        one_work("Spy x Family", Character("loid", "w", ("Loid Glint",), ("trench coat", "spy gadget")))
    )
    assert [x.work for x in m.detect("a Spy x Family movie poster")] == ["w"]
    assert m.detect("a spy x family drama") == []


@pytest.mark.parametrize(
    "text", ["うちの猫のグレタが寝ている", "私の祖母のグレタが編み物をする", "うちの犬のグレタと散歩"]
)
def test_a_japanese_name_after_a_first_person_noun_phrase_is_the_writers_own(
    m: TextMatcher, text: str
) -> None:
    assert chars(m, text) == []


@pytest.mark.parametrize(
    "text", ["グレタが氷のそりに乗る", "私の好きなグレタのイラスト", "グレタのフィギュア"]
)
def test_the_japanese_name_is_still_the_character(text: str) -> None:
    reg = one_work(
        "Frostglass Kingdom", Character("greta", "w", ("Greta", "グレタ"), ("frost crown", "glass sleigh"))
    )
    assert chars(TextMatcher(reg), text) == ["greta"]
