"""Defects found by screening a sixth registry of characters the code had never seen (wave 2, eleventh session):
characters whose Japanese names are words of the dictionary written in kanji ('珊瑚' coral, '桔梗' bellflower, '奈落'
abyss) blocked everyday sentences about coral reefs, bellflowers and despair; a title's short form matched inside
an everyday word ('ファイ' of 'ファイナル…' in 'ファイル'); a name part in hiragana that is a dictionary word ('かかし',
scarecrow) was read as the name; and a prompt that names two characters of one work by names that are words
('ソラとリク'), or the work by its fans' acronym ('FF7のクラウド'), was not read as naming them. Invented characters
and titles only; the words are real ones, the data the rules are about."""

from __future__ import annotations

import pytest
from tests.unit.text.invented import chars, one_work

from mamori.registry.model import Character, Registry, Rightsholder, Work
from mamori.screening.text import TextMatcher
from mamori.screening.text.names import title_acronyms

REG = Registry(
    rightsholders=(Rightsholder("rh", "Invented Studio"),),
    works=(
        Work("w1", "rh", ("Lantern Shrine Chronicle", "灯籠神社奇譚")),
        Work("w2", "rh", ("Finalis Harmonia IV", "ファイナリスハーモニアIV")),
        Work("w3", "rh", ("Skyward Isles", "スカイワード諸島")),
    ),
    characters=(
        # names that are kanji words of the dictionary (amber, jade), and one that is a person's name
        Character("amber", "w1", ("Kohaku", "琥珀"), ("lantern bearer", "fox mask")),
        Character("jade", "w1", ("Hisui", "翡翠"), ("shrine bell", "white fox")),
        Character("gen", "w1", ("Gennosuke", "源之助"), ("paper umbrella", "ronin")),
        # a dotted katakana name whose first part is an English loanword, in a work with a long katakana title
        Character(
            "mist", "w2", ("Mist Valloran", "ミスト・ヴァローラン"), ("harmonic blade", "silver visor")
        ),
        # a katakana part the analyser reads as a person's name that, written in hiragana, is a dictionary word
        # (かかし, scarecrow)
        Character("tsuku", "w2", ("Kakashi Vermillion", "ヴァーミリオン・カカシ"), ("crimson lute",)),
        # two characters of one work named by words (sky-blue, sea)
        Character("aoi", "w3", ("Aoi Skyward", "アオ"), ("wind kite",)),
        Character("umi", "w3", ("Umi Skyward", "ウミ"), ("tide compass",)),
    ),
)


@pytest.fixture(scope="module")
def m() -> TextMatcher:
    return TextMatcher(REG)


@pytest.mark.parametrize(
    "text",
    [
        "琥珀のネックレスを買った",
        "琥珀色のビールを注ぐ",
        "翡翠の指輪が光る",
        "川辺で翡翠が魚を捕る",  # the kingfisher
        "コハクのペンダント",  # the kanji word's reading in katakana
        "田んぼのかかしが風に揺れる",
        "ミストの設定ファイルを保存する",  # 'ファイ', the title's short form, is inside 'ファイル'
        "あおとうみの絵本",  # 'blue and sea' in hiragana: words, not names
    ],
)
def test_words_pass(m: TextMatcher, text: str) -> None:
    assert chars(m, text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("灯籠神社奇譚の琥珀が狐面をつける", ["amber"]),  # the title is context
        ("琥珀 from Lantern Shrine Chronicle with a fox mask", ["amber"]),
        ("源之助が傘を差す", ["gen"]),  # a person's name is no dictionary word
        ("ヴァーミリオン・カカシがリュートを弾く", ["tsuku"]),
        ("アオとウミが凧をあげる", ["aoi", "umi"]),  # two characters of one work, named as names are
        ("FH4のミストが剣を振る", ["mist"]),  # the title's acronym is context
        ("ファイナリスハーモニアのミストが走る", ["mist"]),
    ],
)
def test_characters_found(m: TextMatcher, text: str, expected: list[str]) -> None:
    assert chars(m, text) == expected


def test_a_name_word_alone_needs_context(m: TextMatcher) -> None:
    """One katakana word name alone, or a loanword part with no title near, names no one."""
    assert chars(m, "アオが凧をあげる") == []
    assert chars(m, "ミストが立ちこめる朝") == []


def test_acronyms() -> None:
    from mamori.screening.text.names import latin_words

    assert title_acronyms(latin_words("Finalis Harmonia IV")) == {"fh4", "fhiv"}
    assert title_acronyms(latin_words("The Legend of Zelda")) == {"tloz", "loz"}
    assert title_acronyms(latin_words("Metal Gear Solid")) == {"mgs"}
    assert title_acronyms(latin_words("Skyward")) == set()
    assert title_acronyms(latin_words("Street Fighter")) == set()  # two letters: too short to say anything


# Defects found by a seventh registry (Western characters whose names are English words or given names): a dotted
# katakana name whose words run together make an everyday compound ('オリーブオイル' of 'オリーブ・オイル'), a Western
# given name in katakana with an honorific said of real people ('ルーシーさん', 'トムさん'), a katakana title that
# is the loanword of a one-word English title ('ピーナッツを食べる'); and 'Velma from Scooby-Doo' named only the work.
WEST = Registry(
    rightsholders=(Rightsholder("rh", "Invented Studio"),),
    works=(
        Work("w4", "rh", ("Biscuits", "ビスケット")),
        Work("w5", "rh", ("Zephyrine Tales", "ゼフィリーン・テイルズ")),
    ),
    characters=(
        Character("toast", "w4", ("Butter Toast", "バター・トースト"), ("crumb cape",)),
        Character("lucy", "w4", ("Lucy Marigold", "ルーシー"), ("marigold hat",)),
        Character("linda", "w5", ("Linda Quintwhistle", "リンダ・クイントホイッスル"), ("brass spyglass",)),
        # a name that is nobody's given name: fans' -san is no other person ('ベジータさん' stays the character)
        Character("zorvex", "w5", ("Zorvex", "ゾルベックス"), ("iron mane",)),
        # a one-word Latin name that is the romaji of a frequent Japanese given name registered in katakana
        Character("takeshi", "w5", ("Takeshi", "タケシ"), ("copper gauntlets",)),
        # a dotted katakana name whose last word is a word of the work's title
        Character("zeph", "w5", ("Mirro Vale", "ミロ・ザ・ゼフィリーン"), ("cloud harp",)),
    ),
)


@pytest.fixture(scope="module")
def west() -> TextMatcher:
    return TextMatcher(WEST)


@pytest.mark.parametrize(
    "text",
    [
        "バタートーストを焼く朝",
        "ルーシーさんが編み物をする",
        "ルーシー氏の講演会",
        "ビスケットを食べる",
        "Linda, my aunt, baking bread",
        "Linda at the bakery on Sunday",
        "biscuits and Linda's tea",
        "a birthday card for Takeshi-san",  # anyone named Takeshi, as 'タケシさん' is
        "ミロ・ザ・ゼフィリーン型のお弁当",  # a likeness: its parts too, though one is a title word
    ],
)
def test_western_words_pass(west: TextMatcher, text: str) -> None:
    assert chars(west, text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("バター・トーストがダンスする", ["toast"]),
        ("ルーシーが踊る", ["lucy"]),  # the registered name, with no honorific
        ("ビスケットのルーシーさん", ["lucy"]),  # the title is context
        ("Linda from Zephyrine Tales at the seaside", ["linda"]),
        ("Linda-chan", ["linda"]),
        ("けさゾルベックスさんが町を歩く", ["zorvex"]),
        ("ルーシーちゃんが踊るアニメ", ["lucy"]),  # fans' -chan is said of the character
        ("きのうルーシーさんも走っているアニメ", ["lucy"]),  # a depiction cue, as for a frequent name
        ("Takeshi from Zephyrine Tales", ["takeshi"]),
        ("ミロ・ザ・ゼフィリーンがハープを弾く", ["zeph"]),
    ],
)
def test_western_characters_found(west: TextMatcher, text: str, expected: list[str]) -> None:
    assert chars(west, text) == expected


def test_three_plain_traits_are_a_kind_of_person_not_a_character() -> None:
    """Three traits whose words are uncommon but none distinctive ('a wandering monk in a grey robe with wooden
    beads') describe many people: the review band at most. A distinctive word among them ('keyblade'-like, Zipf
    below 3.0) makes the description the character's."""
    reg = one_work(
        "Temple of Nine Winds",
        Character("monk", "w", ("Brother Quillan",), ("wandering monk", "grey robe", "wooden beads")),
        Character("smith", "w", ("Orla Vantree",), ("anvil hammer", "leather apron", "glowbrand tongs")),
    )
    mm = TextMatcher(reg)
    plain = [
        x for x in mm.detect("a wandering monk in a grey robe with wooden beads") if x.character == "monk"
    ]
    assert plain and max(x.score for x in plain) < 0.7
    rare = mm.detect("a smith in a leather apron with an anvil hammer and glowbrand tongs")
    assert [x.character for x in rare] == ["smith"] and rare[0].score >= 0.75


def test_an_animal_noun_before_a_name_names_an_animal_of_that_name() -> None:
    """'el perro Rex', 'the dog Rex', '犬のレックス': a pet of that name (data/pet_nouns.txt), unless the character
    is that animal: a beagle's traits make 'the dog <name>' the character (a breed names its animal)."""
    reg = one_work(
        "Moonlit Toybox",
        Character("rexo", "w", ("Rexo", "レクソ"), ("green plastic dinosaur",)),
        Character("pip", "w", ("Pipkin", "ピプキン"), ("spotted beagle", "aviator goggles")),
    )
    mm = TextMatcher(reg)
    for text in (
        "el perro Rexo corriendo en el parque",
        "the dog Rexo fetching a stick",
        "le chat Rexo au soleil",
    ):
        assert chars(mm, text) == [], text
    assert chars(mm, "Rexo roaring on the carpet") == ["rexo"]
    assert chars(mm, "Rexo the family dog running on the beach") == []  # an epithet that says which animal
    assert chars(mm, "Rexo the dinosaur roaring") == ["rexo"]
    assert chars(mm, "the dog Pipkin in aviator goggles") == ["pip"]
    assert chars(mm, "the dog Pipkin on the lawn") == ["pip"]
    assert (
        chars(mm, "犬のレクソが棒を取ってくる") == []
    )  # in Japanese, the animal noun and の before the name
    assert chars(mm, "レクソが吠える") == ["rexo"]
    assert chars(mm, "犬のピプキンが走る") == ["pip"]


def test_a_katakana_adjective_before_na_is_the_adjective() -> None:
    """A katakana name the analyser reads as an adjectival noun, with な after it ('ウッディな香り', 'ゴージャスなドレス'),
    is the adjective; the name doing something, or beside its title, is still the character."""
    reg = one_work(
        ("Velvet Carnival", "ベルベット・カーニバル"),
        Character("gus", "w", ("Gorgeous Gus", "ゴージャス"), ("sequin top hat",)),
    )
    mm = TextMatcher(reg)
    assert chars(mm, "ゴージャスなドレスを着た女性") == []
    assert chars(mm, "ベルベット・カーニバルのゴージャスが歌う") == ["gus"]
