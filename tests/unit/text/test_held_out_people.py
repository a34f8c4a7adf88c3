"""Defects found by screening a second registry of characters the code had never seen (wave 2, eighth session):
another person's full name written in katakana with a middle dot, a name part that is an everyday word or a given
name with a Japanese honorific after it, the romaji of a kanji name that reads as an everyday word, a function
word taken for a misspelt name word, a one-word title that is also a surname, and a name read across a sentence's
punctuation. Invented characters only."""

from __future__ import annotations

import pytest

from mamori.registry.model import Character, Registry, Rightsholder, Work
from mamori.screening.text import TextMatcher

REG = Registry(
    rightsholders=(Rightsholder("rh", "Invented Studio"),),
    # a work each: characters of one work are context for each other
    works=(
        *(
            Work(w, "rh", (t,))
            for w, t in [
                ("w1", "Harborlight Chronicle"),
                ("w2", "Stormcoat Tales"),
                ("w3", "Emberglass"),
                ("w4", "Gullfeather Inn"),
                ("w5", "提灯綺譚"),
                ("w6", "Stitchwork Friends"),
            ]
        ),
        Work("saw", "rh", ("Sawblade Man",)),
        Work("whit", "rh", ("Whitaker",)),
    ),
    characters=(
        # a one-word Latin name that is also a given name, with its katakana name
        Character("oskar", "w1", ("Oskar Minato", "Oskar", "オスカー"), ("brass spyglass", "kelp scarf")),
        # a Japanese dotted full name: its parts
        Character(
            "teodor", "w2", ("Teodor Kasprzak", "テオドール・カスプシャク"), ("tin lantern", "storm coat")
        ),
        # name parts that are an everyday word ('ruby') and a given name ('victor')
        Character("ruby", "w3", ("Ruby Quartzheart",), ("glass heart", "ember braid")),
        Character("victor", "w4", ("Victor Hazama",), ("iron monocle", "gull feather hat")),
        # registered in kanji only: its reading 'akari' is also 明かり, light
        Character("akari", "w5", ("鼓明里", "明里"), ("paper lantern staff", "moth wings")),
        # a name of everyday words
        Character("button", "w6", ("Hello Button",), ("sewn-on eyes", "thread tail")),
        # a one-word name and title that is also a surname
        Character("whit", "whit", ("Whitaker",), ("copper antenna", "cardboard armor")),
    ),
)


@pytest.fixture(scope="module")
def m() -> TextMatcher:
    return TextMatcher(REG)


def chars(m: TextMatcher, text: str) -> list[str]:
    return sorted({x.character or x.work for x in m.detect(text)})


@pytest.mark.parametrize(
    "text",
    [
        "オスカー・ベルンハルトの講演会の写真",  # a given name with another surname
        "政治家ベルンハルト・オスカーの演説",  # the surname first
        "テオドール・ランゲが書いた小説の表紙",  # a part of a dotted registered name, with another surname
    ],
)
def test_a_katakana_name_dotted_to_another_surname_is_another_person(m: TextMatcher, text: str) -> None:
    assert chars(m, text) == []


@pytest.mark.parametrize(
    "text, want",
    [
        ("オスカーが港で望遠鏡をのぞく", ["oskar"]),
        ("オスカー・ミナトが港を歩く", ["oskar"]),  # the character's own surname, read from its Latin name
        ("テオドール・カスプシャクが嵐の中を歩く", ["teodor"]),
        ("オスカー・テオドールのイラスト", ["oskar", "teodor"]),  # a list of registered characters
        ("オスカー・スターのポスター", ["oskar"]),  # an everyday loanword after the dot is no surname
    ],
)
def test_a_katakana_name_with_its_own_words_or_a_list_is_still_found(
    m: TextMatcher, text: str, want: list[str]
) -> None:
    assert chars(m, text) == want


@pytest.mark.parametrize(
    "text, want",
    [
        ("Ruby-chan riding a bicycle", ["ruby"]),
        ("Victor-kun waving at the camera", ["victor"]),
        ("Victor san reading a book", ["victor"]),
    ],
)
def test_an_everyday_or_given_name_part_with_an_honorific_is_the_character(
    m: TextMatcher, text: str, want: list[str]
) -> None:
    assert chars(m, text) == want


@pytest.mark.parametrize(
    "text",
    ["a ruby ring on a velvet cushion", "ruby-chan", "Victor Hugo's house in Paris", "a ruby and a victor"],
)
def test_those_parts_alone_or_in_lower_case_name_nobody(m: TextMatcher, text: str) -> None:
    assert chars(m, text) == []


def test_the_romaji_of_a_kanji_name_that_is_an_everyday_word_needs_context(m: TextMatcher) -> None:
    assert chars(m, "the warm akari of a candle in a window") == []
    assert chars(m, "Tsuzumi Akari holding a paper lantern staff") == ["akari"]
    assert chars(m, "明里が港を歩く") == ["akari"]


def test_a_function_word_is_no_misspelt_word_of_a_title(m: TextMatcher) -> None:
    assert chars(m, "a sawblade and a hammer on a workbench") == []
    assert chars(m, "Sawblade Mann poster") == ["saw"]


@pytest.mark.parametrize(
    "text",
    [
        "Whitaker's garage in Leeds at night",  # an owner: the one-word title as well as the name
        "the Whitaker family at a picnic",
        "the Whitaker brothers fishing on a lake",
    ],
)
def test_a_one_word_title_and_name_that_is_a_surname_reads_as_the_surname(m: TextMatcher, text: str) -> None:
    assert chars(m, text) == []


def test_the_surname_title_doing_something_is_still_the_character(m: TextMatcher) -> None:
    assert chars(m, "Whitaker jumping over a fence in cardboard armor") == ["whit"]


def test_a_name_of_everyday_words_is_not_read_across_punctuation(m: TextMatcher) -> None:
    assert chars(m, "Hello, button-nosed puppy in a basket!") == []
    assert chars(m, "a hello button plush on a shelf") == ["button"]


TRAITS = Registry(
    rightsholders=(Rightsholder("rh", "Invented Studio"),),
    works=(Work("w", "rh", ("Skyreef",)), Work("v", "rh", ("Valeborn",))),
    characters=(
        Character(
            "aya", "w", ("Aya Kumonosu",), ("grey scarf", "omni-reach grapple harness", "short black hair")
        ),
        Character("lio", "v", ("Lio Brannagh",), ("elf sorcerer", "silver twin tails", "pointed ears")),
    ),
)


@pytest.fixture(scope="module")
def tm() -> TextMatcher:
    return TextMatcher(TRAITS)


def test_a_long_trait_of_rare_words_written_whole_is_as_specific_as_a_rare_word(tm: TextMatcher) -> None:
    # no word of 'omni-reach grapple harness' is rare enough alone; the phrase written whole is
    assert chars(tm, "a girl in a grey scarf wearing an omni-reach grapple harness") == ["aya"]
    assert chars(tm, "a climber in a grey scarf with a grapple") == []


def test_two_words_of_a_trait_written_as_one_are_both_words(tm: TextMatcher) -> None:
    assert chars(tm, "an elf sorcerer with silver twintails and pointed ears") == ["lio"]
    assert chars(tm, "a girl with silver twintails") == []


WORDS = Registry(
    rightsholders=(Rightsholder("rh", "Invented Studio"),),
    works=(
        Work("nav", "rh", ("Brass Lamplighter",)),
        Work("sky", "rh", ("Hotaru", "ホタル物語")),
        Work("town", "rh", ("Old Capital Tales",)),
        Work("kumo", "rh", ("Cloudline",)),
        Work("suka", "rh", ("Circus of Stripes",)),
    ),
    characters=(
        # a one-word English dictionary name with its katakana loanword (not a frequent Japanese word)
        Character("lantern", "nav", ("Lantern", "ランタン"), ("brass cage head", "wick hair")),
        # a kana name that is an everyday word, whose romaji is the work's title
        Character("hotaru", "sky", ("ホタル",), ("glowing tail lamp", "leaf umbrella")),
        # a Latin name that is also a place written in kanji (鎌倉) and in geonames
        Character("kamakura", "town", ("Kamakura",), ("bronze bell helmet", "stone lantern arms")),
        # a Latin name that is the romaji of an everyday Japanese word (雲)
        Character("kumo", "kumo", ("Kumo",), ("cotton body", "rain-drop earrings")),
        # a short kana name
        Character("suka", "suka", ("スカー",), ("striped juggling pins",)),
    ),
)


@pytest.fixture(scope="module")
def wm() -> TextMatcher:
    return TextMatcher(WORDS)


@pytest.mark.parametrize(
    "text",
    [
        "ランタンを灯してキャンプをする",  # the katakana loanword of the English word the name is
        "洋灯（ランタン）の写真",  # a reading in brackets after a Japanese word
        "a white kumo (cloud) over the sea",  # the romaji of an everyday Japanese word, in lower case
        "hotaru lights over a rice field",  # a title that is the romaji of an everyday kana name
        "鎌倉の大仏の写真",  # kanji read as a place
        "Kamakura station at dusk",  # a place name before a place noun
        "Yuuka Briese, plumber, watercolor",  # another first consonant of a short name
    ],
)
def test_everyday_and_place_readings_of_names_pass(wm: TextMatcher, text: str) -> None:
    assert chars(wm, text) == []


@pytest.mark.parametrize(
    "text, want",
    [
        ("ランタンが空を飛ぶ", ["lantern"]),  # the loanword doing something: the name, for review
        ("けさランタンも空を飛ぶ", ["lantern"]),  # 'も' marks the subject too
        ("a portrait of Kumo in the rain", ["kumo"]),
        ("Kamakura eating ramen in a bronze bell helmet", ["kamakura"]),
        ("Sukaa juggling striped pins", ["suka"]),
    ],
)
def test_the_names_themselves_are_still_found(wm: TextMatcher, text: str, want: list[str]) -> None:
    assert chars(wm, text) == want


def test_a_name_the_analyser_splits_can_still_act() -> None:
    from mamori.screening.text import morph

    if not morph.available():
        pytest.skip("no Japanese analyser")
    assert morph.acts("ヒナタが白眼を使う", 0, 3) is True
    assert morph.acts("ヒナタがある", 0, 3) is False


OBF = Registry(
    rightsholders=(Rightsholder("rh", "Invented Studio"),),
    works=(Work("w", "rh", ("Starlit Ribbon",)),),
    characters=(
        Character("luna", "w", ("Lucky Button", "ラッキーボタン"), ("ribbon wand",)),
        Character("zephyr", "w", ("Zephyrin", "ゼフィーリン"), ("wind cloak",)),
    ),
)


@pytest.fixture(scope="module")
def om() -> TextMatcher:
    return TextMatcher(OBF)


@pytest.mark.parametrize(
    "text",
    [
        "ラッキ-ボタン dancing",  # a dash typed for the long-vowel mark
        "ゼフィ−リンが飛ぶ",  # a minus sign for it
        "lucky.button fan art",  # everyday words joined by a mark
        "LUCKY_BUTTON cosplay",
        "Ze phy rin in the wind",  # a one-word name split into syllables
    ],
)
def test_obfuscations_of_marks_and_syllables(om: TextMatcher, text: str) -> None:
    assert chars(om, text) != []


JA = Registry(
    rightsholders=(Rightsholder("rh", "Invented Studio"),),
    works=(Work("sea", "rh", ("Tidepool Family", "タイドプール一家")), Work("gate", "rh", ("Moon Gate",))),
    characters=(
        # katakana names that are everyday words written in katakana (seaweed, turban shell), with a surname
        Character("wakame", "sea", ("Wakame Shiose", "潮瀬ワカメ", "ワカメ"), ("seaweed hair clip",)),
        Character("sazae", "sea", ("Sazae Shiose", "潮瀬サザエ"), ("shell hat",)),
        # a hiragana name inside an everyday word (爛漫) when read by its sound
        Character("ranmaru", "gate", ("Ranma Tsukikage", "月影らんま"), ("moon sword",)),
        # a single-kanji name that is an everyday word (蘭, orchid)
        Character("ran", "gate", ("Ran Tsukikage", "月影蘭", "蘭"), ("moon fan",)),
    ),
)


@pytest.fixture(scope="module")
def jm() -> TextMatcher:
    return TextMatcher(JA)


@pytest.mark.parametrize(
    "text",
    [
        "ワカメの味噌汁と焼き魚",  # a katakana dictionary word, alone
        "サザエのつぼ焼き",  # a part of a full name that is one
        "わかめとキュウリの酢の物",
        "らんまんに咲く桜",  # kana the analyser reads as one word, read by its sound
        "Mourir in Lyon in the rain",  # a word beside a function word is no misspelt full name
    ],
)
def test_japanese_everyday_words_pass(jm: TextMatcher, text: str) -> None:
    assert chars(jm, text) == []


@pytest.mark.parametrize(
    "text, want",
    [
        ("ワカメちゃんが本を読む", ["wakame"]),  # an honorific
        ("潮瀬サザエが買い物に行く", ["sazae"]),  # the full name
        ("蘭姉ちゃんが料理をする", ["ran"]),  # a family address term after the name
        ("月影らんまが走る", ["ranmaru"]),
    ],
)
def test_japanese_names_with_context_are_found(jm: TextMatcher, text: str, want: list[str]) -> None:
    assert chars(jm, text) == want


@pytest.mark.parametrize(
    "text",
    [
        "Ze✨phyrin in the wind",  # a symbol breaking the word
        "Zephyr*n in the wind",  # a mask for one letter
        "zEpHyRiN in the wind",  # mixed case
    ],
)
def test_words_broken_by_symbols_masks_or_mixed_case(om: TextMatcher, text: str) -> None:
    assert chars(om, text) == ["zephyr"]


def test_mixed_case_is_capitalised(om: TextMatcher) -> None:
    # a name of everyday words: in lower case it needs context, in mixed case it is written as a name
    assert chars(om, "a lUcKy BuTtOn on a shelf") == ["luna"]


def test_a_symbol_between_two_words_still_separates_them() -> None:
    from mamori.screening.text.normalize import normalize, tokenize

    assert [t.text for t in tokenize(normalize("Lucky🌙Button"))] == ["lucky", "button"]
    assert [t.text for t in tokenize(normalize("5*3=15"))] == ["5", "3", "15"]
    assert [t.text for t in tokenize(normalize("Po✨nyo"))] == ["ponyo"]


def test_a_title_registered_in_capitals_written_so_is_the_title() -> None:
    reg = Registry(
        rightsholders=(Rightsholder("rh", "R"),),
        works=(Work("w", "rh", ("Cat x Dog", "CAT×DOG")),),
        characters=(Character("pip", "w", ("Pipkin Varro",), ("bell collar",)),),
    )
    m = TextMatcher(reg)
    assert [x.work for x in m.detect("CAT×DOGのイラスト")] == [
        "w"
    ]  # short words, but the registered capitals
    assert m.detect("a cat dog toy on a shelf") == []


def test_a_dictionary_word_name_with_an_epithet_is_the_name() -> None:
    reg = Registry(
        rightsholders=(Rightsholder("rh", "R"),),
        works=(Work("w", "rh", ("Savanna Crown",)),),
        characters=(Character("thorn", "w", ("Thorn",), ("black mane", "hyena guard")),),
    )
    m = TextMatcher(reg)
    assert [(x.character, x.score >= 0.7) for x in m.detect("Thorn the lion on a cliff")] == [("thorn", True)]
    assert [(x.character, x.score >= 0.7) for x in m.detect("Thorn on a rose stem")] != [("thorn", True)]
