from __future__ import annotations

import pytest

from mamori.screening.text.normalize import F_CONFUSABLE, F_INVISIBLE, normalize, tokenize
from mamori.screening.text.variants import has_leet, leet_decode, phonetic_key, stem


def test_ascii_fast_path_is_identity() -> None:
    n = normalize("Hello World")
    assert n.text == "hello world"
    assert n.span(6, 11) == (6, 11)


def test_zero_width_and_bidi_are_stripped_with_offsets() -> None:
    s = "ab\u200dc\u202ed\u2066e"
    n = normalize(s)
    assert n.text == "abcde"
    o0, o1 = n.span(0, 5)
    assert s[o0:o1] == s
    assert n.flags_in(0, 5) & F_INVISIBLE
    o0, o1 = n.span(3, 4)
    assert s[o0:o1] == "d"


def test_fullwidth_and_confusables_fold() -> None:
    s = "Ｓａｉｌ Vеgеtа"  # full-width + Cyrillic е/а
    n = normalize(s)
    assert n.text == "sail vegeta"
    assert n.flags_in(5, 11) & F_CONFUSABLE
    o0, o1 = n.span(0, 4)
    assert s[o0:o1] == "Ｓａｉｌ"


def test_combining_marks_and_diacritics() -> None:
    n = normalize("Pokémon Pokémon")  # precomposed and combining acute
    assert n.text == "pokemon pokemon"
    o0, o1 = n.span(8, 15)
    assert normalize("Pokémon Pokémon").original[o0:o1] == "Pokémon"


def test_lone_surrogates_and_controls_do_not_raise() -> None:
    s = "abc\ud800def\x00\x07ghi"
    n = normalize(s)
    assert "abc" in n.text and "def" in n.text and "ghi" in n.text


def test_japanese_kept_and_halfwidth_kana_folded() -> None:
    n = normalize("ﾍﾞｼﾞｰﾀ")
    assert n.text == "ベジータ"
    assert n.span(0, 1) == (0, 2)


def test_large_prompt() -> None:
    s = ("Ｓａｉｌ \u200d" * 100_000)[:1_000_000]
    n = normalize(s)
    assert len(n.text) > 0
    assert len(tokenize(n)) > 1000


def test_split_letters_are_merged() -> None:
    toks = tokenize(normalize("see S a i l o r  M o o n now"))
    assert [t.clean for t in toks] == ["see", "sailormoon", "now"]
    assert toks[1].merged


def test_phonetic_key_folds_romanisation() -> None:
    assert phonetic_key("yossy") == phonetic_key("yoshi") == phonetic_key("yosshii")
    assert phonetic_key("vejita") == phonetic_key("bejiita")
    assert phonetic_key("tsukino") == phonetic_key("tukino")
    assert phonetic_key("ponnyo") == phonetic_key("ponyo")
    assert phonetic_key("zolo") == phonetic_key("zoro")
    assert phonetic_key("kenta") != phonetic_key("kanta")


def test_leet() -> None:
    assert has_leet("v3g3ta") and not has_leet("4k") and not has_leet("2nd") and not has_leet("00")
    assert leet_decode("m1r@1") == "miraí".replace("í", "i")


def test_stem() -> None:
    assert stem("haired") == stem("hair")
    assert stem("shaped") == stem("shape")
    assert stem("swords") == stem("sword")
    assert stem("heavily") == stem("heavy")


SCAN_PROMPTS = [
    "Mirai Hoshino dancing on a stage",
    "Hello! Mirai at the beach",
    "Amazing!!! a cat, sleeping. Another sentence?",
    "P!kachu at the beach",
    "P!!kachu at the beach",
    "wow! great!",
    "hello!world",
    "a b c d split letters",
    "yoshi's egg",
    "e-mail me @ home for $5",
    "UPPER case AND Mixed",
    "",
    "!!!",
]


@pytest.mark.parametrize("text", SCAN_PROMPTS)
def test_scan_reads_what_tokenize_reads(text: str) -> None:
    """scan() (the fast path) either declines or gives exactly tokenize()'s tokens."""
    from mamori.screening.text.normalize import _scanned_tokens, scan, tokenize

    norm = normalize(text)
    words = scan(norm)
    if words is None:
        return
    assert words == [t.clean for t in tokenize(norm)]
    assert _scanned_tokens(norm, words) == tokenize(norm)


def test_bang_inside_a_word_is_a_leet_i_and_ends_nothing() -> None:
    from mamori.screening.text.normalize import scan, tokenize

    toks = tokenize(normalize("P!kachu and M!!ra"))
    assert [(t.text, t.clean) for t in toks] == [("p!kachu", "pkachu"), ("and", "and"), ("m!!ra", "mra")]
    assert scan(normalize("P!kachu")) is None
    # a '!' that ends a word still ends the sentence and separates the words
    toks = tokenize(normalize("Wow! Great"))
    assert [(t.text, t.sent_start) for t in toks] == [("wow", True), ("great", True)]
    assert has_leet("p!kachu") and leet_decode("p!kachu") == "pikachu"
