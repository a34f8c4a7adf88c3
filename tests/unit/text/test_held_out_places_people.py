"""Defects found by screening two more registries of characters the code had never seen (wave 2, twelfth session):
Western characters named by words and given names ('Jasmine', 'Vincent', 'Po', 'Maui', 'Cream', 'Silver') and
Japanese characters whose names are given names and words ('由希', 'エミリア'). Everyday prompts about a river, an
island, a painter, a colleague or the snow were blocked. Invented characters and titles only; the words, places
and names are real ones, the data the rules are about."""

from __future__ import annotations

import pytest
from tests.unit.text.invented import chars, one_work

from mamori.registry.model import Character, Registry, Rightsholder, Work
from mamori.screening.text import TextMatcher


@pytest.fixture(scope="module")
def m() -> TextMatcher:
    return TextMatcher(
        one_work(
            ("Harbor of Lanterns", "ランタンの港"),
            # a kanji name whose reading is a frequent given name and a dictionary word (ゆき: 由紀, 有紀…; 雪)
            Character("yuki", "w", ("Yuki Amagiri", "雨霧有希", "有希"), ("paper crane", "grey scarf")),
            # a name that is a place in Latin and katakana (Emilia-Romagna, エミリア州)
            Character("emilia", "w", ("Emilia", "エミリア"), ("silver tiara", "frost spell")),
            # an onomatopoeia adverb (わくわく)
            Character("waku", "w", ("Wakuwaku", "ワクワク"), ("yellow sprite", "spark wings")),
            # two characters of one work named by English loanwords (silver, cream)
            Character("silver", "w", ("Silver", "シルバー"), ("psychic hedgehog", "white quills")),
            Character("cream", "w", ("Cream", "クリーム"), ("rabbit girl", "orange dress")),
            # given names, a river's name, an island's name
            Character("vincent", "w", ("Vincent", "ヴィンセント"), ("red cloak", "golden claw")),
            Character("jasmine", "w", ("Jasmine",), ("desert princess", "pet tiger")),
            Character("po", "w", ("Po", "ポー"), ("panda warrior", "dumplings")),
            Character("maui", "w", ("Maui", "マウイ"), ("magic fish hook", "demigod", "living tattoos")),
            # a katakana name at the end of a longer katakana word of the dictionary (ヘクトパスカル)
            Character("pascal", "w", ("Pascal", "パスカル"), ("green chameleon", "color changing")),
        )
    )


@pytest.mark.parametrize(
    "prompt",
    [
        # the reading of a kanji name: the word (雪) and anyone of that name, whatever the honorific
        "ゆきが降る町を歩く親子",
        "ことしはゆきがたくさんふってうれしい",
        "ユキさんと柴犬の朝の散歩",
        # a katakana name the analyser reads as a place, with a place suffix or the locative 'で'
        "イタリアのポー川にかかる橋",
        "マウイ島のビーチと夕日",
        "マウイでサーフィンをする人たち",
        # a katakana name read as an adverb before 'する'
        "胸がワクワクする子どもたち",
        # two loanwords of one work are no names because they are in katakana ('cream-coloured')
        "シルバーとクリーム色のウェディングドレス",
        # a particle and a surname after a given name: another person's full name
        "Vincent van Gogh painting sunflowers in Arles",
        # a hyphenated proper name
        "the Emilia-Romagna countryside with vineyards",
        # a natural feature after a name with other senses; an island that is a US county
        "the Po river in Italy at sunrise",
        "morning fog over farmland in the Po valley",
        "Maui beach sunset with palm trees",
        "snorkeling off the coast of Maui",
        # a katakana word of the dictionary that runs across the start of a katakana name
        "天気図に中心気圧950ヘクトパスカルの台風",
        # an apposition that describes someone the character is not, or an age
        "Jasmine, a software engineer, presenting at a tech conference",
        "Vincent, the neighbours' son, skateboarding down the street",
        "a birthday card for Emilia, age 7, with unicorns",
    ],
)
def test_everyday_prompts_pass(m: TextMatcher, prompt: str) -> None:
    assert chars(m, prompt) == []


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("有希が本を読んでいる", ["yuki"]),
        ("有希ちゃんが紙の鶴を折る", ["yuki"]),
        ("エミリアが氷の魔法を放つ", ["emilia"]),  # a place name, acting: still the character
        ("ワクワクが空を飛ぶ", ["waku"]),
        (
            "シルバーとクリームが並んで走る",
            ["cream", "silver"],
        ),  # each the other's context: named, not described
        ("Vincent drawing his golden claw", ["vincent"]),
        ("Maui holding his magic fish hook", ["maui"]),
        ("Jasmine, a desert princess with her pet tiger", ["jasmine"]),  # her traits: the character
        ("Po eating dumplings in the Valley of Peace", ["po"]),
        ("パスカルがカメレオンの姿で隠れる", ["pascal"]),
    ],
)
def test_the_characters_are_still_found(m: TextMatcher, prompt: str, expected: list[str]) -> None:
    assert chars(m, prompt) == expected


@pytest.fixture(scope="module")
def m2() -> TextMatcher:
    return TextMatcher(
        Registry(
            rightsholders=(Rightsholder("rh", "Invented Studio"),),
            works=(
                Work("w1", "rh", ("Ember Court", "エンバーコート")),
                Work("w2", "rh", ("Tidal Verse VII", "タイダルヴァースVII")),
            ),
            characters=(
                # a one-word name that is also the first word of a longer registered name, and a given name
                Character("blaze", "w1", ("Blaze the Cat", "Blaze"), ("fire princess", "purple cat")),
                # a kana name that is a frequent Japanese given name, registered in hiragana and romaji
                Character("shinobu", "w1", ("Shinobu Kageno", "しのぶ"), ("butterfly haori", "poison blade")),
                Character("vera", "w2", ("Vera",), ("tide mage", "coral staff")),
            ),
        )
    )


@pytest.mark.parametrize(
    "prompt",
    [
        "the Blaze brothers at a barbecue",  # a given name as a family's name, though it starts a longer name
        "近所のシノブくんが犬を散歩させている",  # the katakana of a frequent given name, read through its romaji
        "Clear skies over Circoscrizione Vii in winter",  # the number of a Japanese title names nothing alone
        "Blaze and Vera, twins, on their first day of school",  # two given names of different works, nothing else
    ],
)
def test_more_everyday_prompts_pass(m2: TextMatcher, prompt: str) -> None:
    assert chars(m2, prompt) == []


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("Blaze the Cat and Vera at the beach", ["blaze", "vera"]),  # the whole name
        ("Blaze and Vera with her coral staff", ["blaze", "vera"]),  # a trait of one: the characters
        ("シノブが毒の刃を構えるアニメ", ["shinobu"]),
        ("タイダルヴァースVIIのヴェラ", ["vera"]),
    ],
)
def test_more_characters_are_still_found(m2: TextMatcher, prompt: str, expected: list[str]) -> None:
    assert chars(m2, prompt) == expected


@pytest.fixture(scope="module")
def m3() -> TextMatcher:
    return TextMatcher(
        Registry(
            rightsholders=(Rightsholder("rh", "Invented Studio"),),
            works=(
                Work("w1", "rh", ("Neon Harbor Days", "ネオンハーバーデイズ")),
                Work("w2", "rh", ("KAREN",)),  # a one-word title that is a given name
            ),
            characters=(
                Character(
                    "nana", "w1", ("Nana Hoshizora", "星空ナナ", "ナナ"), ("star hairpin", "bass guitar")
                ),
                Character(
                    "chloe", "w1", ("Chloe Marlowe", "Chloe", "クロエ"), ("blue streaked hair", "polaroid")
                ),
                Character("max", "w1", ("Max Ardent", "Max", "マックス"), ("rewind power", "film camera")),
                Character("haru", "w1", ("Haru Kirigaya", "Haru", "ハル"), ("paper lantern", "cat ears")),
                Character("mario", "w1", ("Mario Vance", "Mario"), ("red cap", "hammer")),
                Character("miku", "w1", ("Sorane Miku", "Miku"), ("teal pigtails", "leek")),
                Character("haruka", "w2", ("Haruka Kinomoto", "木之本遥"), ("star wand", "pink dress")),
            ),
        )
    )


@pytest.mark.parametrize(
    "prompt",
    [
        # appositions in the prompts' languages, and one naming an animal
        "Mario, un pizzaiolo napoletano, inforna una margherita nel forno a legna",
        "Chloé, une fleuriste, composant un bouquet de pivoines",
        "Max, el perro de la familia, durmiendo junto a la chimenea",
        "Haru, a shiba inu, chasing falling leaves in the park",
        # a relation noun before a Japanese name, 'という' and an animal, a breed before a name
        "娘のクロエちゃんが初めて自転車に乗れた日",
        "カフェで友達のナナちゃんとランチ",
        "ハルちゃんという柴犬が桜の下でお座りしている",
        "ゴールデンレトリバーのマックスが雪の中を走っている",
        # an everyday Japanese given name (gender-guesser's ratings for Japan) with an honorific
        "ナナちゃんが公園の砂場で遊んでいる",
        # a kanji part that is a place: a station after it, its prefecture before it
        "滋賀県木之本の古い町並み",
        "木之本駅の前のバス停",
        # a one-word title that is a given name, with an honorific: someone of that name
        "a birthday card for Karen-san",
        # a brand is no misspelt name part
        "an Ajinomoto factory in the rain",
        # naming cues in other languages
        "Una ragazza di nome Chloe che legge in un caffè di Torino",
        "Unos niños jugando en la playa con su perro llamado Max",
        "une petite fille nommée Chloé au marché",
        # a given name as a family's name, where the part of a longer name is also registered whole
        "the Miku twins in winter",
    ],
)
def test_third_registry_everyday_prompts_pass(m3: TextMatcher, prompt: str) -> None:
    assert chars(m3, prompt) == []


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("Mario, the famous video game hero, swinging his hammer", ["mario"]),  # a fiction's words
        ("Max, a girl with a film camera, in the hallway", ["max"]),  # her trait
        ("ナナちゃんがベースギターを弾くネオンハーバーデイズのイラスト", ["nana"]),  # the title
        ("木之本遥が星の杖を振る", ["haruka"]),
        ("KAREN fan art of Haruka Kinomoto", ["haruka"]),
    ],
)
def test_third_registry_characters_are_still_found(m3: TextMatcher, prompt: str, expected: list[str]) -> None:
    assert chars(m3, prompt) == expected
