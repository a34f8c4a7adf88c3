"""Japanese morphological analysis (fugashi: MeCab with the unidic-lite dictionary, both inside their wheels).

Used only where a script boundary cannot tell where a kana name starts or ends: a name in kana right after or before
other kana or kanji ('きのううさぎちゃんが…', 'ゾロ目'). The analyser splits unspaced text into morphemes; a name is
read on morpheme boundaries, never inside a dictionary word ('れいぞうこ' is one word, not 'れい' + 'ぞうこ').

fugashi was chosen over SudachiPy: MeCab is a C library with a thin Cython binding (~20 us for a sentence here),
unidic-lite's dictionary ships in its wheel, and unidic's parts of speech mark suffixes (honorifics) and particles.
When fugashi or its dictionary is missing the gate says so once and keeps the script-boundary rules.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Any

from mamori.screening.text import vocab

log = logging.getLogger(__name__)

MAX_CHARS = 4_000  # a window around a hit is analysed, never a whole (possibly huge) prompt
WINDOW = 24  # characters analysed on each side of a span (a clause: enough for MeCab to place the boundary)
_tagger: Any = None
_missing = False


def _get_tagger() -> Any:
    """The process's one tagger (vocab.tagger, which the build-time readers share), or None: said once."""
    global _tagger, _missing
    if _tagger is None and not _missing:
        _tagger = vocab.tagger()
        if _tagger is None:  # the analyser is optional: never let it stop screening
            _missing = True
            log.warning(
                "Japanese morphological analysis unavailable (%s); script boundaries only",
                vocab.tagger_error(),
            )
    return _tagger


def available() -> bool:
    return _get_tagger() is not None


# parts of speech (unidic pos1) of function words: MeCab's split of an unknown kana name often glues one of these
# to the name's edge ('ませ', 'んと'), which says nothing about where a word is
_FUNCTION_POS = frozenset({"助詞", "助動詞", "接尾辞", "接頭辞", "記号", "補助記号", "感動詞"})


def _walk(text: str) -> list[tuple[int, int, Any]] | None:
    """(start, end, MeCab node) of each morpheme of a short Japanese text; None when the analyser is unavailable or
    fails (a malformed input must not crash the run: the callers fall back to script boundaries)."""
    tagger = _get_tagger()
    if tagger is None or not text:
        return None
    out = []
    pos = 0
    try:
        for w in tagger(text):
            s = text.find(w.surface, pos)
            if s < 0:
                return None
            pos = s + len(w.surface)
            out.append((s, pos, w))
    except Exception:
        log.debug("morphological analysis failed", exc_info=True)
        return None
    return out


@lru_cache(maxsize=20_000)
def morphemes(text: str) -> tuple[tuple[int, int, bool, bool], ...]:
    """(start, end, a known content word, an ordinary word) of each morpheme of a short Japanese text; () when
    unavailable. An ordinary word is a known morpheme that is not a proper noun (unidic pos2 固有名詞: '月野' is a
    surname, '機器' and 'つき' are words)."""
    out = []
    for s, e, w in _walk(text) or ():
        # pos1 is the first field of the raw feature string: read without building the 29-field feature tuple of
        # every morpheme (which cost more than the analysis itself)
        pos1, _, rest = w.feature_raw.partition(",")
        content = not w.is_unk and e - s >= 2 and pos1 not in _FUNCTION_POS
        out.append((s, e, content, not w.is_unk and not rest.startswith("固有名詞")))
    return tuple(out)


@lru_cache(maxsize=2_000)
def _tags(text: str) -> tuple[tuple[int, int, str, str, str, str], ...]:
    """(start, end, pos1, pos2, conjugated form, pos3) of each morpheme of a short Japanese text; () when
    unavailable."""
    out = []
    for s, e, w in _walk(text) or ():
        f = w.feature_raw.split(",", 6)  # the fields read below only, not all 29
        out.append(
            (s, e, f[0], f[1] if len(f) > 1 else "", f[5] if len(f) > 5 else "", f[2] if len(f) > 2 else "")
        )
    return tuple(out)


_VERBAL = frozenset({"動詞", "助動詞"})
_SUBJECT = frozenset({"が", "は", "も"})


def acts(text: str, a: int, b: int) -> bool | None:
    """Whether the word at [a, b) does something in its sentence: the subject of a verb of action
    ('リンクが自転車に乗っている') or the head of a clause with one ('ラーメンを食べるソニック'); None when the analyser is
    unavailable or the span is not one morpheme. A verb of action is one unidic does not mark as possibly bound
    (非自立可能: 'ある', 'いる', 'なる', 'する', '切れる'): 'リンクがある風景', 'リンクが切れたページ' do nothing."""
    got = _bounds(text, a, b)
    if got is None:
        return None
    lo, hi = got
    window = text[lo:hi]
    ms = _tags(window)
    a, b = a - lo, b - lo
    # the morphemes that start and end the span: one, or several where the analyser splits a name it does not
    # know ('ヒナタ': 'ヒナ' + 'タ')
    i = next((k for k, m in enumerate(ms) if m[0] == a), None)
    j = next((k for k, m in enumerate(ms) if m[1] == b), None)
    if i is None or j is None or j < i:
        return None
    if i > 0 and ms[i - 1][2] in _VERBAL and ms[i - 1][4].startswith("連体形"):
        return _action(ms[:i], _stative_at(window))
    if j + 1 < len(ms) and window[ms[j + 1][0] : ms[j + 1][1]] in _SUBJECT:
        return _action(ms[j + 2 :], _stative_at(window))
    return False


@lru_cache(maxsize=2_000)
def _stative_at(text: str) -> frozenset[int]:
    """The start offsets of the verbs of a short Japanese text whose lemma says how a thing is, not what someone
    does (data/ja_stative_verbs.txt: '光る', '揺れる', '咲く')."""
    stative = vocab.ja_stative_verbs()
    out = set()
    for s, _, w in _walk(text) or ():
        if w.feature_raw.startswith("動詞"):
            f = w.feature_raw.split(",", 8)
            if len(f) > 7 and f[7] in stative:
                out.add(s)
    return frozenset(out)


def common_noun(word: str) -> bool | None:
    """Whether the analyser reads a word on its own as one common noun of its dictionary (unidic 普通名詞: 'デイジー',
    'ピッコロ'; not 'マリオ', a person's name); None when it is unavailable."""
    ms = _tags(word)
    if not ms:
        return None
    return len(ms) == 1 and ms[0][1] - ms[0][0] == len(word) and ms[0][2] == "名詞" and ms[0][3] == "普通名詞"


@lru_cache(maxsize=2_000)
def loanword(word: str) -> bool | None:
    """Whether the analyser reads a word on its own as one loanword of its dictionary (unidic 語種 外: 'シルバー',
    'クリーム'; not 'ソラ' (空) nor 'リク' (陸), native words, nor a name); None when it is unavailable."""
    ms = _walk(word)
    if ms is None:
        return None
    return len(ms) == 1 and ms[0][1] - ms[0][0] == len(word) and ms[0][2].feature.goshu == "外"


def adjectival(word: str) -> bool | None:
    """Whether the analyser reads a word on its own as one adjectival noun (unidic 形状詞, or a noun that may be one:
    'ハッピー', 'クール', 'ラッキー'), which 'な' after it makes an adjective; None when it is unavailable."""
    ms = _tags(word)
    if not ms:
        return None
    return (
        len(ms) == 1
        and ms[0][1] - ms[0][0] == len(word)
        and (ms[0][2] == "形状詞" or ms[0][5] == "形状詞可能")
    )


def _tagged(
    text: str, a: int, b: int
) -> tuple[tuple[tuple[int, int, str, str, str, str], ...], int, int] | None:
    """The tags of the Japanese run around the span [a, b) (`_bounds`), and the span in the run's offsets; None when
    the analyser is unavailable."""
    got = _bounds(text, a, b)
    if got is None:
        return None
    lo, hi = got
    return _tags(text[lo:hi]), a - lo, b - lo


def place_name(text: str, a: int, b: int) -> bool | None:
    """Whether the span [a, b) of text is whole morphemes the analyser reads as place names (unidic 固有名詞 地名:
    '鳴門' in '鳴門海峡の渦潮'); None when it is unavailable."""
    got = _tagged(text, a, b)
    if got is None:
        return None
    ms, a, b = got
    inside = [m for m in ms if m[0] < b and m[1] > a]
    if not inside or inside[0][0] != a or inside[-1][1] != b:
        return False
    return all(m[2] == "名詞" and m[3] == "固有名詞" and m[5] == "地名" for m in inside)


def adverb(text: str, a: int, b: int) -> bool | None:
    """Whether the span [a, b) of text is one morpheme the analyser reads as an adverb in its sentence (unidic 副詞:
    'ムカムカ' in '胃がムカムカする'); None when it is unavailable."""
    got = _tagged(text, a, b)
    if got is None:
        return None
    ms, a, b = got
    return any(m[0] == a and m[1] == b and m[2] == "副詞" for m in ms)


def person_name(word: str) -> bool | None:
    """Whether the analyser reads a person's name in a katakana word on its own ('ドイル', 'イシダ': unidic's
    固有名詞 人名), as it does not an everyday loanword ('スター'); None when it is unavailable."""
    ms = _tags(word)
    if not ms:
        return None
    return any(m[2] == "名詞" and m[3] == "固有名詞" and m[5] == "人名" for m in ms)


def person_name_kind(word: str) -> str | None:
    """'surname' or 'given' when the analyser reads a word on its own as one person's name of its dictionary
    (unidic 固有名詞 人名 姓 / 名: '星野', '悟'), else '' ; None when it is unavailable."""
    got = _walk(word)
    if got is None:
        return None
    if len(got) != 1 or got[0][1] - got[0][0] != len(word):
        return ""
    f = got[0][2].feature_raw.split(",", 5)
    if len(f) < 4 or f[0] != "名詞" or f[1] != "固有名詞" or f[2] != "人名":
        return ""
    return {"姓": "surname", "名": "given"}.get(f[3], "")


def _action(
    ms: tuple[tuple[int, int, str, str, str, str], ...], stative: frozenset[int] = frozenset()
) -> bool:
    """A verb of action among the morphemes: a verb unidic does not mark as possibly bound, nor one that says how a
    thing is (`stative`: the start offsets of those, '光る', '揺れる'), or a noun of action followed by する ('掃除をする',
    '料理する')."""
    for k, m in enumerate(ms):
        if m[2] == "動詞" and m[3] == "一般" and m[0] not in stative:
            return True
        if m[2] == "名詞" and m[5] == "サ変可能":
            rest = ms[k + 1 : k + 3]
            if any(r[2] == "動詞" and r[3] == "非自立可能" for r in rest):
                return True
    return False


def before_loanword(text: str, a: int, b: int) -> bool | None:
    """Whether the span [a, b) is one common noun (unidic 普通名詞) directly followed by a katakana noun: a word
    compound ('チョッパーバイク', 'リンクボタン'), not a name; a proper noun before one stays ('ピカチュウグッズ'). None
    when the analyser is unavailable."""
    got = _bounds(text, a, b)
    if got is None:
        return None
    lo, _ = got
    ms = _tags(text[lo : got[1]])
    a, b = a - lo, b - lo
    for k, m in enumerate(ms):
        if m[0] == a and m[1] == b:
            if m[2] != "名詞" or m[3] != "普通名詞" or k + 1 >= len(ms):
                return False
            nxt = ms[k + 1]
            word = text[lo + nxt[0] : lo + nxt[1]]
            return nxt[2] == "名詞" and all("\u30a1" <= c <= "\u30fc" for c in word)
    return False


def tail_of_word(text: str, a: int, b: int) -> bool | None:
    """Whether the span [a, b) of text ends one known ordinary word of the dictionary that starts before it: the
    span is that word's tail ('あられ' of 'ひなあられ', 'ネコ' of 'マネキネコ'), not a word of its own; None when the
    analyser is unavailable. An unknown name glued to the kana before it ('ことし|もべ') ends no known word."""
    got = _around(text, a, b)
    if got is None:
        return None
    ms, a, b = got
    return any(s < a and e == b and content and ordinary for s, e, content, ordinary in ms)


def whole_words(text: str, a: int, b: int) -> bool:
    """Whether no dictionary content word runs across either edge of the span [a, b) of text: a cue written as a
    word of its own ('アニメ' in 'アニメ風', 'アニメキャラ'; not in 'アニメーション', another word). True without the
    analyser."""
    got = crosses_word(text, a, b)
    return got is None or not (got[0] or got[1])


def one_word(text: str, a: int, b: int) -> bool | None:
    """Whether the span [a, b) of text is exactly one dictionary content word in its sentence ('うさぎ' in
    'うさぎがにんじんを食べる'; not 'えどわーど', which the analyser can only read as fragments, nor 'りゅーく', which
    it reads as a person's name); None when the analyser is unavailable."""
    got = _around(text, a, b)
    if got is None:
        return None
    ms, a, b = got
    return any(s == a and e == b and content and ordinary for s, e, content, ordinary in ms)


def ordinary_words(text: str, a: int, b: int) -> bool | None:
    """Whether the span [a, b) of text is made of whole morphemes that are all ordinary words (no proper noun, no
    unknown word: '機器', '付きの'; not '月野', a surname); None when the analyser is unavailable."""
    got = _around(text, a, b)
    if got is None:
        return None
    ms, a, b = got
    inside = [m for m in ms if m[0] < b and m[1] > a]
    if not inside or inside[0][0] != a or inside[-1][1] != b:
        return False  # the span cuts a word: not made of whole words
    return all(m[3] for m in inside)


def _around(text: str, a: int, b: int) -> tuple[tuple[tuple[int, int, bool, bool], ...], int, int] | None:
    """The morphemes of the Japanese run around the span [a, b) (at most WINDOW characters each side, cut where a
    boundary is sure: spaces, punctuation, Latin) and the span's offsets in that run; None when the run is over
    MAX_CHARS or the analyser is unavailable."""
    got = _bounds(text, a, b)
    if got is None:
        return None
    lo, hi = got
    ms = morphemes(text[lo:hi])
    if not ms:
        return None
    return ms, a - lo, b - lo


def _bounds(text: str, a: int, b: int) -> tuple[int, int] | None:
    """The Japanese run around the span [a, b): at most WINDOW characters each side, cut where a boundary is sure
    (spaces, punctuation, Latin); None when it is over MAX_CHARS or the analyser is unavailable."""
    if _get_tagger() is None:
        return None
    lo = max(0, a - WINDOW)
    for cut in _NON_JP.finditer(text, lo, a):
        lo = cut.end()
    stop = _NON_JP.search(text, b, b + WINDOW)
    hi = stop.start() if stop else min(len(text), b + WINDOW)
    return None if hi - lo > MAX_CHARS else (lo, hi)


def crosses_word(text: str, a: int, b: int) -> tuple[bool, bool] | None:
    """Whether a dictionary content word runs across the start / the end of the span [a, b) of text ('れいぞうこ' across the
    end of 'れい', 'ゾロ目' across the end of 'ゾロ'), analysed on a window around the span cut where a boundary is
    sure (spaces, punctuation, Latin); None when the analyser is unavailable."""
    got = _around(text, a, b)
    if got is None:
        return None
    ms, a, b = got
    left = right = False
    for s, e, content, _ in ms:
        if content:
            if s < a < e:
                left = True
            if s < b < e:
                right = True
    return left, right


_NON_JP = re.compile("[^\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\u3005\uff70]")
