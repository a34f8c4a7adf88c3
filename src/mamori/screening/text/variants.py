"""Spelling folds shared by the index (build time) and the prompt (query time).

- `phonetic_key`: a general romanisation/spelling key: long vowels, double consonants, l/r, v/b, f/h,
  shi/si, chi/ti, tsu/tu, ji/zi, sy/sh, c/k, final y/i... so 'Yossy' == 'Yoshi', 'Vejita' == romaji of 'ベジータ';
- `leet_decode`: 0->o 1->i 3->e 4->a 5->s 7->t @->a $->s inside tokens that also hold letters;
- `stem`: light English stemming for trait tokens;
- `romaji_segments`: pykakasi readings of kana/kanji runs, cached; `run_segments`: the same for a prompt's run,
  read chunk by chunk so that the chunks' readings are reused across prompts.
"""

from __future__ import annotations

import re
from functools import lru_cache
from operator import itemgetter
from typing import Any

from anyascii import anyascii

# The folds, in order (each applied to the result of the previous one):
#   [^a-z0-9] -> ''  (skipped for words already made of [a-z0-9]), ([a-z])\1+ -> \1, ph -> f, tch -> ch, ck -> k,
#   sh -> sy, ch -> ty, j -> zy, ts -> t, dz -> z, c(?=[eiy]) -> s, [cq] -> k, x -> ks, f -> h, v -> b, l -> r,
#   y(?![aeiou]) -> i, yi -> i, (?<=[aeiou])h(?![aeiou]) -> '', ou -> o, ei -> e, ([a-z])\1+ -> \1, m(?=[bp]) -> n.
# Literal patterns run as str.replace (same left-to-right, non-overlapping replacement as re.sub, much cheaper);
# a one-character lookahead is spelt out as the replacements of its pairs (c(?=[eiy]): ce, ci, cy; m(?=[bp]): mb,
# mp: the lookahead character is put back unchanged and cannot start another match); the three context rules
# stay regular expressions, run only when their letter occurs.
_NOT_KEY_CHAR = re.compile(r"[^a-z0-9]")
_KEY_WORD = re.compile(r"[a-z0-9]*").fullmatch
_DOUBLE = re.compile(r"([a-z])\1+")
# match[1]: as the template r"\1", without re's per-call template expansion (slow)
_FIRST_GROUP = itemgetter(1)
_Y_NOT_BEFORE_VOWEL = re.compile(r"y(?![aeiou])")
_H_AFTER_VOWEL = re.compile(r"(?<=[aeiou])h(?![aeiou])")
_PH_CACHE: dict[str, str] = {}


def phonetic_key(word: str) -> str:
    """Key of a lower-case Latin word (no spaces). Equal keys = same name under romanisation/spelling folds."""
    got = _PH_CACHE.get(word)
    if got is not None:
        return got
    k = word if _KEY_WORD(word) else _NOT_KEY_CHAR.sub("", word)
    k = _DOUBLE.sub(_FIRST_GROUP, k)
    k = (
        k.replace("ph", "f")
        .replace("tch", "ch")
        .replace("ck", "k")
        .replace("sh", "sy")
        .replace("ch", "ty")
        .replace("jy", "j")  # 'jyo' (wapuro and Korean romanisation of じょ/죠) is 'jo'
        .replace("j", "zy")
        .replace("ts", "t")
        .replace("dz", "z")
    )
    if "c" in k:
        k = k.replace("ce", "se").replace("ci", "si").replace("cy", "sy").replace("c", "k")
    k = k.replace("q", "k").replace("x", "ks").replace("f", "h").replace("v", "b").replace("l", "r")
    if "y" in k:
        k = _Y_NOT_BEFORE_VOWEL.sub("i", k).replace("yi", "i")
    if "h" in k:
        k = _H_AFTER_VOWEL.sub("", k)
    k = _DOUBLE.sub(_FIRST_GROUP, k.replace("ou", "o").replace("ei", "e"))
    if "m" in k:
        k = k.replace("mb", "nb").replace("mp", "np")
    if not k:
        k = word
    if len(_PH_CACHE) > 300_000:
        _PH_CACHE.clear()
    _PH_CACHE[word] = k
    return k


LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}
)
LEET_L = str.maketrans(
    {"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}
)
_UNITS = re.compile(r"^\d+(?:st|nd|rd|th|d|k|p|s|x|am|pm|mm|cm|m|kg|g|fps|hz|px)$")
_LEETCH = set("0134579@$!")


def has_leet(tok: str) -> bool:
    """A token mixing letters with leet digits/symbols ('V3g3ta', 'S@ilor'), not '4k' or '2nd'."""
    if tok.isalpha() or tok.isdigit():
        return False
    if not any(c.isalpha() for c in tok) or not any(c in _LEETCH for c in tok):
        return False
    return not _UNITS.match(tok)


def leet_decode(tok: str, one_as_l: bool = False) -> str:
    return tok.translate(LEET_L if one_as_l else LEET)


def clean_letters(tok: str) -> str:
    return "".join(c for c in tok if c.isalnum())


# Hangul writes the Japanese sounds ス, ズ, ツ with the vowel ㅡ (스, 즈, 츠/쓰), which the Revised Romanization that
# anyascii follows spells 'eu': read back as the Japanese syllables ('하츠네' -> 'hacheune' -> 'hatsune')
_HANGUL_JA = (("sseu", "tsu"), ("cheu", "tsu"), ("jeu", "zu"), ("seu", "su"))


# a word written wholly in Greek, Cyrillic or Hangul: what translit_key reads (the matcher's prompts, the registry's
# names written so)
FOREIGN_WORD_RE = re.compile("[\u0370-\u03ff\u0400-\u04ff\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]{2,}")


def translit_key(word: str) -> str:
    """The phonetic key of a word written in Cyrillic, Greek or Hangul, transliterated by anyascii ('Пикачу' ->
    'pikachu', '토토로' -> 'totoro')."""
    # ё is 'yo' (Polivanov's ジョ is 'дзё'), where anyascii gives 'e'
    latin = anyascii(word.replace("ё", "yo").replace("Ё", "Yo")).lower()
    if any("\uac00" <= c <= "\ud7af" for c in word):
        for a, b in _HANGUL_JA:
            latin = latin.replace(a, b)
    return phonetic_key(clean_letters(latin))


# ---------------------------------------------------------------- stemming for traits

_STEM_CACHE: dict[str, str] = {}


def stem(w: str) -> str:
    got = _STEM_CACHE.get(w)
    if got is not None:
        return got
    s = w
    if len(s) > 4 and s.endswith("ies"):
        s = s[:-3] + "y"
    elif len(s) > 3 and s.endswith("s") and not s.endswith("ss") and not s.endswith("us"):
        s = s[:-1]
    if len(s) > 5 and s.endswith("ing"):
        s = s[:-3]
    elif len(s) > 4 and s.endswith("ed"):
        s = s[:-2]
    elif len(s) > 5 and s.endswith("ily"):
        s = s[:-3] + "y"
    elif len(s) > 5 and s.endswith("ly"):
        s = s[:-2]
    if len(s) > 3 and s.endswith("e"):
        s = s[:-1]
    if len(s) > 3 and s.endswith("y"):
        s = s[:-1] + "i"
    if len(s) > 3 and s[-1] == s[-2] and s[-1] not in "aeiou":
        s = s[:-1]
    if len(_STEM_CACHE) > 300_000:
        _STEM_CACHE.clear()
    _STEM_CACHE[w] = s
    return s


# ---------------------------------------------------------------- romaji

_kakasi: Any = None


def _get_kakasi() -> Any:
    global _kakasi
    if _kakasi is None:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import pykakasi

            _kakasi = pykakasi.kakasi()
    return _kakasi


# a run pykakasi reads as one segment without its dictionary: only katakana (U+30A1-U+30FC, so with ・ and ー) or
# only hiragana (with ー), not starting with ー
_KANA_ONLY = re.compile("[\u30a1-\u30fb][\u30a1-\u30fc]*|[\u3041-\u3096][\u3041-\u3096\u30fc]*").fullmatch


def _kana_segment(run: str) -> tuple[tuple[int, int, str, str], ...] | None:
    """romaji_segments of a kana-only run through pykakasi's own kana converters directly (its segmenter and the
    kunrei/passport readings skipped); None when not applicable."""
    if not _KANA_ONLY(run):
        return None
    try:
        iconv = _get_kakasi()._kakasi._iconv
        kana = iconv._h2k(run)
        hep = iconv._s2a(iconv._h2ah(iconv._k2h(run)))
    except AttributeError:  # another pykakasi layout: the general path
        return None
    hep = "".join(c for c in hep.lower() if "a" <= c <= "z")
    return ((0, len(run), hep, kana or ""),)


@lru_cache(maxsize=200_000)  # the registry's kana/kanji names stay read for prompts that write them
def romaji_segments(run: str) -> tuple[tuple[int, int, str, str], ...]:
    """(start, end, hepburn letters, katakana reading) per pykakasi segment of a kana/kanji run."""
    fast = _kana_segment(run)
    if fast is not None:
        return fast
    return _pykakasi_segments(run)


def _pykakasi_segments(run: str) -> tuple[tuple[int, int, str, str], ...]:
    import warnings

    out = []
    pos = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        segs = _get_kakasi().convert(run)
    for seg in segs:
        orig = seg.get("orig", "")
        if not orig:
            continue
        start = run.find(orig, pos)
        if start < 0:
            start = pos
        end = start + len(orig)
        pos = end
        hep = "".join(c for c in seg.get("hepburn", "").lower() if "a" <= c <= "z")
        out.append((start, end, hep, seg.get("kana", "") or ""))
    return tuple(out)


def _script(ch: str) -> int:
    """0 kanji (and 々), 1 katakana (and ・), 2 hiragana, 3 the long-vowel mark ー (belongs to what precedes)."""
    o = ord(ch)
    if o == 0x30FC:
        return 3
    if 0x3041 <= o <= 0x309F:
        return 2
    if 0x30A0 <= o <= 0x30FF or 0x31F0 <= o <= 0x31FF:
        return 1
    return 0


def reading_chunks(run: str) -> list[tuple[int, int]]:
    """Where pykakasi's reading of a kana/kanji run starts afresh: before a kanji that follows kana, before
    katakana that follows hiragana, before hiragana that follows katakana. A kanji word may take the kana that
    follow it (okurigana, and katakana in entries like 日ソ), so kana after a kanji stay in its chunk until the
    script changes. Reading each chunk alone gives the run's segments (tests compare with the whole run)."""
    out: list[tuple[int, int]] = []
    start = 0
    prev = -1
    for i, ch in enumerate(run):
        c = _script(ch)
        if c == 3:
            if prev < 0:
                prev = 1
            continue
        if prev >= 0 and ((c == 0 and prev != 0) or (c == 1 and prev == 2) or (c == 2 and prev == 1)):
            out.append((start, i))
            start = i
        prev = c
    out.append((start, len(run)))
    return out


def run_segments(run: str) -> tuple[tuple[int, int, str, str], ...]:
    """romaji_segments(run), read chunk by chunk (reading_chunks): a prompt's run ('夕焼けの中のミライが歩く')
    is new each time, its chunks ('夕焼けの', '中の', 'が', '歩く') mostly are not, and pykakasi is slow."""
    chunks = reading_chunks(run)
    if len(chunks) == 1:
        return romaji_segments(run)
    out: list[tuple[int, int, str, str]] = []
    for a, b in chunks:
        for s0, s1, hep, kana in romaji_segments(run[a:b]):
            out.append((s0 + a, s1 + a, hep, kana))
    return tuple(out)
