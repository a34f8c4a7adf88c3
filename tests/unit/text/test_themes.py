from __future__ import annotations

import pytest

from mamori.registry.model import THEMES
from mamori.screening.text import detect_themes


@pytest.mark.parametrize(
    "text,expected",
    [
        ("a knight killing a dragon in a bloody battle", ["violence"]),
        ("nude figure, explicit", ["sexual"]),
        ("the president giving an election speech", ["political"]),
        ("smoking a joint, cocaine on the table", ["drugs"]),
        ("a racist slur painted on a wall", ["hate"]),
        ("a haunted house with a creepy ghost", ["horror"]),
        ("a bank robbery, thieves escaping", ["crime"]),
        ("praying in a church", ["religion"]),
        ("an advertisement billboard for a soda brand", ["commercial"]),
        ("血まみれの戦闘シーン", ["violence"]),
        ("ヌードの女性", ["sexual"]),
        ("選挙ポスターの大統領", ["political"]),
        ("麻薬の取引", ["drugs", "crime"] if False else ["drugs"]),
        ("人種差別の落書き", ["hate"]),
        ("幽霊が出るホラー映画", ["horror"]),
        ("銀行強盗", ["crime"]),
        ("神社でお祈り", ["religion"]),
        ("新商品の広告", ["commercial"]),
        ("a cat sleeping on a sofa", []),
        ("猫がソファで寝ている", []),
    ],
)
def test_themes(text: str, expected: list[str]) -> None:
    assert detect_themes(text) == expected


def test_theme_order_and_subset() -> None:
    got = detect_themes("a horror scene: a zombie kills a priest in a church during an election")
    assert got == [t for t in THEMES if t in got]
    assert {"violence", "horror", "religion", "political"} <= set(got)


def test_themes_empty() -> None:
    assert detect_themes("") == []


# --- precision: everyday words and Japanese compounds that merely contain a keyword -------------------------------

from mamori.screening.text import themes as _themes  # noqa: E402


@pytest.mark.parametrize("word", _themes._ORDINARY_EN.split())
def test_ordinary_english_words_raise_no_theme(word: str) -> None:
    assert detect_themes(f"a {word} in the park") == []
    assert detect_themes(f"A {word.upper()}, watercolor") == []


@pytest.mark.parametrize(
    "text",
    [
        "a robot in a striped shirt",
        "fashion photo shoot in a studio",
        "a business executive at her desk",
        "a castle high on a hill",
        "a comic strip about a cat",
        "a 30 cm tall figure",
        "ACME corporation headquarters",
        "牛乳を飲む猫",
        "裸足の少女",
        "ナチュラルメイクの女性",
        "刺繍のドレス",
        "グローバルな街並み",
    ],
)
def test_ordinary_prompts_raise_no_theme(text: str) -> None:
    assert detect_themes(text) == []


@pytest.mark.parametrize("word", _themes._JA_NOT.split())
def test_japanese_exceptions_each_contain_a_keyword_and_void_it(word: str) -> None:
    keywords = {k for words in _themes._JA.values() for k in words.split()}
    assert any(k in word for k in keywords), f"{word} contains no keyword: drop it from _JA_NOT"
    assert detect_themes(word) == []


def test_keyword_beside_an_exception_still_counts() -> None:
    assert detect_themes("裸足で、裸の男") == ["sexual"]
    assert detect_themes("刺身と銃") == ["violence"]


def test_capital_keyword_needs_capitals_and_no_latin_neighbour() -> None:
    assert detect_themes("新しいCM撮影") == ["commercial"]
    assert detect_themes("a TV CM for soda") == ["commercial"]
    assert detect_themes("10cm, CMYK, acme") == []


def test_phrases_and_stems() -> None:
    assert detect_themes("two men beaten up in an alley") == ["violence"]
    assert detect_themes("Smoking  a\tjoint") == ["drugs"]
    assert detect_themes("a T-shirt print of a cat") == ["commercial"]
    assert detect_themes("high on a hill") == []
    assert detect_themes("HIGH ON DRUGS") == ["drugs"]


def test_length_changing_lower_case_keeps_offsets() -> None:
    # 'İ'.lower() is two characters; keywords after it must still be found at the right place
    assert detect_themes("İİİ a bloody battle") == ["violence"]
    assert detect_themes("İstanbul at night") == []


def _oracle(text: str) -> list[str]:
    """The English tables searched alternative by alternative with Python's re: what the automaton must equal."""
    import re

    found = set()
    for theme in THEMES:
        for alt in _themes._EN[theme].split():
            if re.search(rf"\b(?:{alt})\b", text, re.IGNORECASE):
                found.add(theme)
                break
    return [t for t in THEMES if t in found]


def test_automaton_equals_regex_search_of_the_tables() -> None:
    import random
    import re

    rng = random.Random(5)
    heads = []
    for words in _themes._EN.values():
        for alt in words.split():
            plain = re.sub(r"\\w\*|\\b", "", alt).replace(r"\s+", " ")
            plain = re.sub(r"\(\?:([^|)]*)[^)]*\)\??", r"\1", plain).replace("?", "").replace("[ae]", "a")
            heads.append(plain)
    filler = ["a", "cat", "the", "robot", "park", "x", "under", "neon", "rain", "stable", "method", "strip"]
    suffixes = ["", "", "s", "ing", "ed", "er", "x", "_", "1"]
    seps = [" ", " ", "  ", "-", ", ", ".", "\n", "'", ""]
    for _ in range(3000):
        parts = []
        for _ in range(rng.randint(1, 8)):
            w = rng.choice(heads) if rng.random() < 0.35 else rng.choice(filler)
            w = w + rng.choice(suffixes)
            if rng.random() < 0.2:
                w = w.upper()
            elif rng.random() < 0.2:
                w = w[: rng.randint(1, max(1, len(w)))]
            parts.append(w + rng.choice(seps))
        text = "".join(parts)
        assert detect_themes(text) == _oracle(text), text


def test_beating_someone_to_death_or_up() -> None:
    assert detect_themes("a giant beating a man to death with a club") == ["violence"]
    assert detect_themes("they beat him up") == ["violence"]
    assert detect_themes("a drum beating in the night") == []
