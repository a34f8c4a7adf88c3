"""The ordinary-English judge behind 'needs context' and 'odd word' decisions, answered from data."""

from __future__ import annotations

import pickle
from functools import lru_cache

import pytest

from mamori.screening.text.lexicon import Lexicon
from mamori.screening.text.vocab import frequent_en_words


@lru_cache(maxsize=1)
def _lex() -> Lexicon:
    return Lexicon.from_data({"black", "cat", "sky", "rider", "the", "count", "little"})


@pytest.mark.parametrize(
    "word", ["running", "stopped", "sitting", "planned", "walking", "smiles", "frozen", "link"]
)
def test_light_inflections_of_frequent_words_are_ordinary(word: str) -> None:
    assert _lex().is_common_en(word)


@pytest.mark.parametrize("word", ["hopper", "vegeta", "zelda", "pikachu", "naruto"])
def test_names_and_surnames_are_not_made_ordinary(word: str) -> None:
    assert not _lex().is_common_en(word)


def test_given_names_and_phrases_come_from_data() -> None:
    lex = _lex()
    assert {"peter", "mary", "john"} <= lex.given and "table" not in lex.given
    assert not lex.ordinary_word("peter") and lex.ordinary_word("walker")
    # an adjective (lemminflect) or a determiner (data/phrase_openers.txt) opens a phrase; a noun does not
    assert lex.frequent_phrase(("black", "cat")) and lex.frequent_phrase(("the", "count"))
    assert not lex.frequent_phrase(("sky", "rider"))
    assert "ネコ" in lex.common_ja and "ピカチュウ" not in lex.common_ja


def test_a_lexicon_survives_pickling() -> None:
    lex = pickle.loads(pickle.dumps(_lex()))
    assert lex.is_common_en("running") and lex.frequent_phrase(("black", "cat"))


# --- everyday prompt vocabulary (pyspellchecker's English frequency list) -------------------------------------------

from mamori.registry.model import Character, Registry, Rightsholder, Work  # noqa: E402
from mamori.screening.text import TextMatcher  # noqa: E402


@pytest.mark.parametrize("word", ["anime", "portrait", "cinematic", "realistic", "sunset", "fluffy", "photo"])
def test_everyday_prompt_words_are_frequent(word: str) -> None:
    assert word in frequent_en_words()


@pytest.mark.parametrize("word", ["vegeta", "pikachu", "zagayu", "kahime", "hoshino"])
def test_invented_and_character_names_are_not_frequent(word: str) -> None:
    assert word not in frequent_en_words()


def _matcher(*names: str) -> TextMatcher:
    chars = tuple(Character(f"c{i}", "w", (n,)) for i, n in enumerate(names))
    return TextMatcher(Registry((Rightsholder("rh", "R"),), (Work("w", "rh", ("Some Saga",)),), chars))


def test_everyday_words_are_not_read_as_a_misspelt_name() -> None:
    # 'park anime' is within two edits of 'Zaka Nime': it must not be read as the name misspelt
    m = _matcher("Zaka Nime", "Rebarath")
    assert m.detect("a girl in a park anime style, cinematic lighting") == []
    assert m.detect("a girl in a park, anime style, fluffy clouds") == []
    # real misspellings still are
    assert [x.character for x in m.detect("Zaka Nimme in a park")] == ["c0"]
    assert [x.character for x in m.detect("Rebaratah at sunset")] == ["c1"]


def test_a_word_of_a_registered_name_stays_a_possible_misspelling() -> None:
    # 'pixie' and 'bar' are both everyday words, but 'Pixie Bear' is registered: 'Pixie Bar' is read as it
    assert "pixie" in frequent_en_words()
    m = _matcher("Pixie Bear")
    assert [x.character for x in m.detect("Pixie Bar eating in the forest")] == ["c0"]
    assert m.detect("a pixie in a bar") == []


def test_an_everyday_name_part_with_one_trait_is_not_decisive() -> None:
    # 'lantern' is a part of the name and an everyday word: it counts as one more trait. With one generic trait
    # it is any lantern (two generic traits are nobody); with one distinctive trait, review (as two traits)
    chars = (
        Character(
            "tolo",
            "w",
            ("Tolo the lantern",),
            ("blue flame", "brass handle", "talking lantern", "verdigris hinges"),
        ),
    )
    m = TextMatcher(Registry((Rightsholder("rh", "R"),), (Work("w", "rh", ("Some Saga",)),), chars))
    assert m.detect("a lantern with a blue flame on a table") == []
    assert m.detect("a talking lantern puppet on a stage") == []
    one = m.detect("a lantern with verdigris hinges on a table")
    assert one and one[0].character == "tolo" and one[0].score < 0.7
    two = m.detect("a lantern with a blue flame and a brass handle on a table")
    assert two and two[0].character == "tolo" and two[0].score >= 0.7
    assert m.detect("a lantern on a table") == []
    assert [x.score >= 0.7 for x in m.detect("Tolo the lantern on a table")] == [True]


def test_a_one_word_name_written_as_two_words() -> None:
    m = _matcher("Kirabelle", "Moonblade")
    assert [(x.character, x.score >= 0.7) for x in m.detect("Kira belle dancing in the rain")] == [
        ("c0", True)
    ]
    assert [(x.character, x.score >= 0.7) for x in m.detect("kira-belle dancing")] == [("c0", True)]
    # two ordinary words that happen to spell a registered name need context, like any ordinary reading
    assert m.detect("a moon blade hanging on the wall") == []


def test_bang_as_a_leet_i() -> None:
    m = _matcher("Kirabelle")
    got = m.detect("K!rabelle dancing in the rain")
    assert [(x.character, x.score >= 0.9) for x in got] == [("c0", True)]
    assert "leetspeak" in got[0].evidence[0].detail
    assert m.detect("Wow! Belle is a nice name") == []


def test_a_misspelt_word_of_a_registered_name_that_is_everyday_vocabulary() -> None:
    # 'loin' is an everyday word (not a misspelt name on its own), but 'Captain' opens 'Captain Lion'
    assert "loin" in frequent_en_words()
    m = _matcher("Captain Lion")
    assert [(x.character, x.score >= 0.7) for x in m.detect("Captain Loin on a ship")] == [("c0", True)]
    assert m.detect("a captain at the helm, roast loin on the table") == []
