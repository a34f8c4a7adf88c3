"""Misspelling probes: what is skipped (pairs beside a multi-word name hit, pairs no multi-word form can start or
end with) must not lose a misspelt name; kana-only runs read without pykakasi's segmenter read the same."""

from __future__ import annotations

import random

import pytest

from mamori.registry.model import Character, Registry, Rightsholder, Work
from mamori.screening.base import Corpus
from mamori.screening.text import TextMatcher
from mamori.screening.text.variants import _kana_segment, _pykakasi_segments, romaji_segments

# Invented characters only.
REG = Registry(
    rightsholders=(Rightsholder("rh", "Invented"),),
    works=(
        Work("w1", "rh", ("Gorelan Quest", "ゴレラン")),
        Work("w2", "rh", ("Tessaly Harbor",)),
    ),
    characters=(
        Character("bubute", "w1", ("Bubute Zahari",), ()),
        Character("bebu", "w2", ("Bebu Bute",), ()),
        Character(
            "sailor", "w2", ("Sailor Moonbeam",), ()
        ),  # a multi-word name starting with an ordinary word
        Character("kiri", "w1", ("Kirima Delvenor Sarvice",), ()),
        Character("tamsin", "w2", ("Tamsin Vorrel",), ()),
    ),
)


@pytest.fixture(scope="module")
def m() -> TextMatcher:
    return TextMatcher.build(Corpus(registry=REG))


def chars(ms) -> set:  # type: ignore[no-untyped-def]
    return {x.character for x in ms}


@pytest.mark.parametrize(
    "text,cid",
    [
        ("Bubutex Zahari in a garden", "bubute"),  # one misspelt word, the other exact
        ("a portrait of Tamsn Vorel at night", "tamsin"),  # both words one edit off
        ("Sailor Moonbaem on a boat", "sailor"),  # an ordinary first word beside a misspelt one
        ("Gorelan Qest poster", None),  # a misspelt title whose first word is also a (one-word) kana title
        ("Gorelan Quets poster", None),
    ],
)
def test_misspelt_multi_word_names_still_found(m: TextMatcher, text: str, cid: str | None) -> None:
    ms = m.detect(text)
    if cid is None:
        assert any(x.character is None and x.work == "w1" for x in ms), ms
    else:
        assert cid in chars(ms), ms


def test_split_letters_beside_a_short_word(m: TextMatcher) -> None:
    # the merged token alone is one edit from the whole three-word name; the pair with 'of' is probed
    assert "kiri" in chars(m.detect("a drawing of K.i.r.i.m.a.D.e.l.v.n.o.r.S.a.r.v.i.c.e now"))


def test_no_pair_probe_overlapping_an_exact_multi_word_name(m: TextMatcher) -> None:
    # 'boy Bubute' is within two edits of 'Bebu Bute', but 'Bubute' is already read as 'Bubute Zahari'
    ms = m.detect("a boy Bubute Zahari walking")
    assert chars(ms) == {"bubute"}


def test_pair_side_flags(m: TextMatcher) -> None:
    idx = m.index
    from mamori.screening.text.variants import phonetic_key as pk

    assert idx.pair_side(pk("tamsin")) & 2  # exactly a leading word
    assert idx.pair_side(pk("vorrel")) & 8  # exactly a trailing word
    assert idx.pair_side(pk("tamsn")) & 1 and not idx.pair_side(pk("tamsn")) & 2
    assert idx.pair_side(pk("portrait")) == 0
    assert idx.pair_side(pk("of")) & 5 == 5  # a short token may sit beside a whole form
    assert idx.pair_rest_near(pk("tamsin"), pk("vorl"), 2)
    assert not idx.pair_rest_near(pk("tamsin"), pk("garden"), 2)


def test_kana_only_runs_read_like_pykakasi() -> None:
    rng = random.Random(11)
    kata = [chr(c) for c in range(0x30A1, 0x30FD)]
    hira = [chr(c) for c in range(0x3041, 0x3097)] + ["ー"]
    checked = 0
    for _ in range(3000):
        pool = rng.choice([kata, hira, kata + hira])
        run = "".join(rng.choice(pool) for _ in range(rng.randint(1, 7)))
        fast = _kana_segment(run)
        if fast is None:
            continue
        checked += 1
        assert fast == _pykakasi_segments(run), run
    assert checked > 1000
    assert _kana_segment("ー") is None and _kana_segment("漢字") is None and _kana_segment("カナかな") is None
    assert romaji_segments("ゴレラン・ジョー")[0][2] == "goreranjoo"


def test_registered_word_infos_are_the_computed_ones(m: TextMatcher) -> None:
    """The per-word infos made at build for the registered words are what a prompt's word would get."""
    assert m._known, "the registry's words must be prepared at build"
    for w, info in m._known.items():
        assert info == m._word_info(w)
    assert m._word("zahari") == m._word_info("zahari")  # a registered word: its prepared infos
    assert m._word("gardening") == m._word_info("gardening")  # any other word: computed


def test_a_prompt_of_ordinary_words_has_no_misspelling_probe(m: TextMatcher) -> None:
    """The misspelling search is skipped only where it could probe nothing: no odd word, no word that is exactly
    the leading/trailing words of a multi-word form; a misspelt name or a 'Sailor' beside a misspelt word is
    still probed."""
    plain = "a dog in the park at night"
    assert not any(m._word(w)[2] or m._word(w)[4] & 10 for w in plain.split())
    assert m.detect(plain) == []
    assert chars(m.detect("Sailor Moonbaem on a boat")) == {"sailor"}
    assert chars(m.detect("a sailor Moonbaem on a boat")) == {"sailor"}
    assert chars(m.detect("Bubutex Zahari in a garden")) == {"bubute"}


@pytest.mark.parametrize(
    "text",
    [
        "a poster of ゴレラン at night",  # a kana title inside Latin text
        "ゴレ ラン on a wall",  # split by a space: the Japanese stream drops it
        "ゴレ\u3000ラン",  # an ideographic space
        "night、ゴレラン、day",  # kana punctuation around it
    ],
)
def test_kana_names_found_in_each_stretch_of_kana(m: TextMatcher, text: str) -> None:
    """The Japanese stream is matched per stretch of kana/kanji joined by what it drops (white space, the
    half-width dot): a name split by a space is found as before; one split by anything else is not."""
    assert any(x.work == "w1" for x in m.detect(text)), m.detect(text)


def test_a_kana_name_split_by_other_characters_is_not_joined(m: TextMatcher) -> None:
    # a letter, a slash or a sign between kana ends the stretch; the marks typed to split a name ('ゴレ-ラン', 'ゴ.レ.ラ.ン')
    # are dropped like spaces (test_other_senses.test_marks_typed_between_kana_to_split_a_name)
    for text in ("ゴレ/ラン on a wall", "ゴレxラン on a wall", "ゴレ+ラン on a wall"):
        assert not any(x.work == "w1" for x in m.detect(text))
    assert any(x.work == "w1" for x in m.detect("ゴレ-ラン on a wall"))


def _candidates_unfiltered(index, q: str, single: bool) -> list[int]:  # type: ignore[no-untyped-def]
    """What judge._candidates answers, computed without NameIndex.fuzzy_filter: every probe looked up."""
    from itertools import combinations

    fz = index.fuzzy
    n = len(q)
    out: set[int] = set(fz.get((single, n), {}).get(q, ()))
    for m_ in (1, 2) if n >= 9 else (1,):
        table = fz.get((single, n - m_))
        if not table:
            continue
        for d in {"".join(c) for c in combinations(q, n - m_)}:
            out.update(table.get(d, ()))
    return sorted(out)


def test_the_probe_filter_never_drops_a_candidate() -> None:
    """The filter over the deletion tables only skips probes that are in no table: every candidate the full
    lookup finds is still found, for keys of the registry, their misspellings and unrelated words."""
    from mamori.screening.text import judge
    from mamori.screening.text.variants import phonetic_key

    rng = random.Random(7)
    syl = ["ka", "ri", "mo", "shi", "tsu", "ne", "ba", "ru", "zo", "he", "yu", "do"]
    names = []
    for _ in range(300):
        given = "".join(rng.choice(syl) for _ in range(rng.randint(2, 4))).capitalize()
        family = "".join(rng.choice(syl) for _ in range(rng.randint(2, 4))).capitalize()
        names.append((f"{given} {family}", given + family.lower()))
    reg = Registry(
        rightsholders=(Rightsholder("rh", "Invented"),),
        works=(Work("w", "rh", ("Invented Saga",)),),
        characters=tuple(Character(f"c{i}", "w", nm, ()) for i, nm in enumerate(names)),
    )
    index = TextMatcher.build(Corpus(registry=reg)).index
    assert index.fuzzy_bits  # made with the index
    queries = set()
    for two, one in names:
        for form in (two.replace(" ", "").lower(), one.lower()):
            k = rng.randrange(len(form))
            queries.update(
                {form, form[:k] + form[k + 1 :], form[:k] + "x" + form[k:], form[:k] + "q" + form[k + 1 :]}
            )
    queries.update({"watercolor", "sunsetbeach", "robotcastle", "kastrefen", "a", ""})
    found = 0
    for text in sorted(queries):
        q = phonetic_key(text) if text else ""
        for single in (True, False):
            want = _candidates_unfiltered(index, q, single)
            assert judge._candidates(index, q, single) == want, (text, single)
            found += bool(want)
    assert found > 500  # the queries do reach candidates


def test_the_probe_filter_is_saved_with_the_index(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The filter's hash is positional and unsalted: a loaded index has the same filter and finds the same names."""
    from mamori.screening.text import persist
    from mamori.screening.text.names import FUZZY_MASK, fuzzy_hash

    m, how = persist.load_or_build(REG, folder=tmp_path)
    assert how == "built" and m.index.fuzzy_bits
    for table in m.index.fuzzy.values():  # every string's bit is set
        for s in table:
            h = fuzzy_hash(s) & FUZZY_MASK
            assert m.index.fuzzy_bits[h >> 3] >> (h & 7) & 1, s
    loaded, how = persist.load_or_build(REG, folder=tmp_path)
    assert how == "loaded"
    assert loaded.index.fuzzy_bits == m.index.fuzzy_bits
    assert chars(loaded.detect("a portrait of Tamsn Vorel at night")) == {"tamsin"}
