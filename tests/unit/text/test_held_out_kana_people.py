"""Defects found by screening a fifth registry of characters the code had never seen (wave 2, tenth session): a
character whose Japanese name, or a kana part of it, is a frequent Japanese given name ('タケシ', 'サトシ', 'シンジ' of
'碇シンジ') blocked everyday prompts about anyone of that name ('タケシくんと公園で遊んだ', 'たけしくん', 'Shinji the
barber', 'Rei-chan'), and a Japanese sentence that names the work by its usual short form ('エヴァ', 'ポケモン') was
not read as saying the work. Invented characters and titles only; the given names are real, frequent ones, the data
the rule is about."""

from __future__ import annotations

import pytest
from tests.unit.text.invented import chars, one_work

from mamori.registry.model import Character, Registry, Rightsholder, Work
from mamori.screening.text import TextMatcher, vocab

REG = Registry(
    rightsholders=(Rightsholder("rh", "Invented Studio"),),
    works=(
        Work("w1", "rh", ("Thunder Kettle", "カミナリケトル")),
        Work("w2", "rh", ("Marble Lighthouse", "マーブルライトハウス")),
        Work("w3", "rh", ("Valkirion Saga", "ヴァルキリオン物語")),
    ),
    characters=(
        # a character known by a frequent Japanese given name alone (as a Japanese edition renames a character)
        Character(
            "kettle", "w1", ("Boulder Kettleman", "タケシ"), ("copper kettle helmet", "steam gauntlets")
        ),
        # a frequent given name as the kana part of a longer name
        Character(
            "lamp", "w2", ("Shinji Marbleton", "鷺ノ宮シンジ"), ("lighthouse lantern staff", "foghorn")
        ),
        # an invented kana name: no one's given name
        Character("zuru", "w3", ("Zurumeki", "ズルメキ"), ("glass antlers", "moss cloak")),
        # a two-kana given name as the part of a name, in a work with a long katakana title ('ヴァル' its short form)
        Character("rei", "w3", ("Rei Valkirion", "ヴァルキリオン・レイ"), ("ember lute", "night train")),
    ),
)


@pytest.fixture(scope="module")
def m() -> TextMatcher:
    return TextMatcher(REG)


def test_the_readings_are_data() -> None:
    """Frequent given names by the summed frequency of their kanji spellings (武, 猛, 毅… for タケシ); an invented
    name and a rare surname are not among them."""
    readings = vocab.person_name_readings()
    assert readings.get("タケシ") == "given-name"
    assert readings.get("シンジ") == "given-name"
    assert "ズルメキ" not in readings
    assert "ツキノ" not in readings  # 月野: Zipf 3.0


@pytest.mark.parametrize(
    "text",
    [
        "タケシくんと公園で遊んだ",
        "たけしくんと会議室で話す写真",  # a given name is written in hiragana as often
        "武さんの誕生日パーティー",
        "近所のタケシさんが犬を散歩させている",
        "Takeshi-san at the office",
        "シンジくんの自転車",
        "しんじさんの家の庭",
        "Shinji the barber in Osaka",
        "a birthday card for Shinji-kun",
        "Rei-chan from accounting, in the rain",
    ],
)
def test_a_frequent_given_name_is_anyones(m: TextMatcher, text: str) -> None:
    assert chars(m, text) == []


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("タケシがカミナリケトルの世界で戦う", ["kettle"]),  # the work's title
        ("タケシが銅のやかんのかぶとをかぶるアニメ", ["kettle"]),  # a depiction cue
        ("Boulder Kettleman with steam gauntlets", ["kettle"]),
        ("鷺ノ宮シンジが灯台に立つ", ["lamp"]),  # the whole name
        ("Shinji Marbleton holding a lighthouse lantern staff", ["lamp"]),
        ("ズルメキくんと公園で遊んだ", ["zuru"]),  # an invented name with an honorific: the character's
        ("ずるめきが森を歩く", ["zuru"]),
        ("きのうれいちゃんがヴァルの夜行列車に乗る", ["rei"]),  # the title's short form
    ],
)
def test_the_character_with_context(m: TextMatcher, text: str, want: list[str]) -> None:
    assert chars(m, text) == want


def test_title_short_forms() -> None:
    """A long katakana title word's first two morae, and the first two morae of each of its first two words: how
    Japanese shortens titles; a short form that is an everyday word is no title."""
    from mamori.screening.text.names import _clips

    assert _clips("エヴァンゲリオン") == ["エヴァ"]
    assert _clips("ポケットモンスター") == ["ポケモン"]
    assert _clips("ゼルダ") == []
    idx = TextMatcher(REG).index
    assert "ヴァル" in idx.title_ja["w3"]
    # 'カミナリケトル' shortens to 'カミケト'; its first two morae 'カミ' (紙, 神) are too short to say anything
    assert "カミ" not in idx.title_ja["w1"]


def test_a_whole_kanji_name_that_is_a_frequent_given_name() -> None:
    """The same for a character registered by a frequent given name in kanji alone ('健太')."""
    reg = one_work("紙彗星", Character("kenta", "w", ("Kenta Papercomet", "健太"), ("folded paper wings",)))
    m = TextMatcher(reg)
    assert chars(m, "健太くんの誕生日ケーキ") == []
    assert chars(m, "健太が紙彗星の空を飛ぶアニメ") == ["kenta"]


def test_a_german_noun_after_a_german_determiner() -> None:
    """German capitalises every noun: 'das Atom' is the noun, whatever a character of that name is called; English
    capitalisation mid-sentence still says a name, and so does the title beside it."""
    reg = one_work(
        "Cloud Engine", Character("wolke", "w", ("Wolke",), ("steam cloud robot", "brass propeller"))
    )
    m = TextMatcher(reg)
    assert vocab.zipf("wolke", "de") >= vocab.DE_NOUN_ZIPF  # from data
    assert chars(m, "eine Wolke über den Bergen") == []
    assert chars(m, "Die Wolke zieht über das Dorf") == []
    assert chars(m, "Wolke flying over the mountains") == ["wolke"]
    assert chars(m, "Cloud Engine: die Wolke mit einem brass propeller") == ["wolke"]


def test_a_surname_is_no_misspelt_name() -> None:
    """A capitalised word that is a frequent surname (US census) is that surname, not a misspelling of a one-word
    name one edit away ('Duffy', 'Lurry' beside 'Luffy'); a misspelling no one is named still reads as the name."""
    reg = one_work("Rubber Tide", Character("lurfy", "w", ("Lurfy",), ("rubber arms", "straw sun hat")))
    m = TextMatcher(reg)
    assert "lurry" in vocab.surnames()
    assert chars(m, "Auston Lurry and Melodie at a wedding") == []
    assert chars(m, "Lurry at the beach, documentary still") == []
    assert chars(m, "Lurfi on a pirate ship") == ["lurfy"]
    assert chars(m, "Lurry with rubber arms and a straw sun hat") == ["lurfy"]  # character evidence


@pytest.mark.parametrize(
    "text",
    [
        "la isla de Tamiri en otoño",
        "the island of Tamiri at dawn",
        "l'île de Tamiri, carte postale",
        "Insel Tamiri im Herbst",
        "Lake Tamiri in winter, travel photo",
    ],
)
def test_a_name_after_a_place_noun_is_the_place(text: str) -> None:
    """'the island of X', 'la isla de X', 'Insel X': the name of a place (data/place_before.txt), in several
    languages; a person's house is no place noun, and character evidence still finds the character."""
    reg = one_work(
        "Tide Lantern", Character("tamiri", "w", ("Tamiri",), ("tide lantern staff", "coral crown"))
    )
    m = TextMatcher(reg)
    assert chars(m, text) == []
    assert chars(m, "Tamiri walking on the beach") == ["tamiri"]
    assert chars(m, "the house of Tamiri") == ["tamiri"]
    assert chars(m, "la isla de Tamiri con su coral crown y su tide lantern staff") == ["tamiri"]


def test_a_function_word_of_another_language_is_no_misspelt_name_word() -> None:
    """'de' beside a name's surname is the French or Spanish preposition, not a misspelt short given name ('de
    Morvanna' is no misspelt 'Lei Morvanna', which no place noun before it would have set aside); wordfreq's most
    frequent short words of each prompt language."""
    reg = one_work("Salt Orchard", Character("lei", "w", ("Lei Morvanna",), ("salt crystal crown",)))
    m = TextMatcher(reg)
    assert "de" in vocab.short_function_words()
    assert chars(m, "l'île de Morvanna, carte postale") == []
    assert chars(m, "la isla de Morvanna en otoño") == []
    assert chars(m, "Lei Morvanna in the orchard") == ["lei"]
    assert chars(m, "Lea Morvanna in the orchard") == ["lei"]  # a misspelt given name still reads as the name


def test_a_name_registered_in_hangul_or_cyrillic() -> None:
    """A name the rightsholder registered in Hangul or Cyrillic is read where a prompt writes it so, with a Korean
    postposition too ('토리반이'); before, only names in Latin letters and Japanese were indexed."""
    reg = one_work(
        "Kettle Comet",
        Character("tori", "w", ("Torivane Quell", "토리반", "Торивейн"), ("comet kettle",)),
        Character("zob", "w", ("Зобрик", "조브릭"), ("moss hat",)),
    )
    m = TextMatcher(reg)
    assert chars(m, "토리반이 하늘을 난다") == ["tori"]
    assert chars(m, "토리반 flying over the sea") == ["tori"]
    assert chars(m, "Торивейн в парке") == ["tori"]
    assert chars(m, "Зобрик в парке") == ["zob"]
    assert chars(m, "조브릭과 함께 여행") == ["zob"]
    assert chars(m, "하늘을 나는 새") == []
