"""Prompt normalisation with an offset map back into the original text.

`normalize(text)` folds width and compatibility forms (NFKC: mathematical alphanumerics, letterlike symbols, circled
letters), case, Latin diacritics, homoglyphs of Latin letters from other scripts (Cyrillic, Greek, Armenian,
Cherokee, Canadian syllabics, Lisu, small capitals/IPA, enclosed letters) and strips invisible
characters (zero-width, bidi controls, variation selectors, non-spacing control characters such as NUL, U+FFFD),
keeping for every output character the
[start, end) offsets of the original characters it came from and flags saying which transformations touched
it (so evidence can say 'confusable' or 'invisible characters'). Prompts whose every character folds to its own
lower-case form (pure ASCII, plain kana/kanji) take a fast path with an identity offset map.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from anyascii import anyascii

F_CONFUSABLE = 1
F_WIDTH = 2
F_INVISIBLE = 4
F_DIACRITIC = 8

# Cyrillic, Greek and other letters that look like Latin letters (lower- and upper-case forms).
_CONFUSABLE_PAIRS = (
    # Cyrillic
    "аa вb еe ёe кk мm нh оo рp сc тt уy хx ѕs іi їi јj ԁd ӏl һh ԛq ԝw ьb ҽe ӕa ɡg ѵv ґr"
    " АA ВB ЕE ЁE КK МM НH ОO РP СC ТT УY ХX ЅS ІI ЇI ЈJ ԀD ӀI ҺH ԚQ ԜW ѴV"
    # Greek
    " αa βb εe ιi κk νv οo ρp τt υu χx ωw γy ηn ϲc ϳj"
    " ΑA ΒB ΕE ΖZ ΗH ΙI ΚK ΜM ΝN ΟO ΡP ΤT ΥY ΧX ϹC Ϳ J"
    # Latin look-alikes outside ASCII and IPA letters
    " ıi ȷj ℓl ɑa ɩi ɪi ʟl ɴn ʀr ʏy ᴀa ʙb ᴄc ᴅd ᴇe ɢg ʜh ᴊj ᴋk ᴍm ᴏo ᴘp ǫq ꜱs ᴛt ᴜu ᴠv ᴡw ᴢz ǝe ɛe ɔc"
    " ꓮA ꓐB ꓚC ꓓD ꓰE ꓝF ꓖG ꓧH ꓲI ꓙJ ꓗK ꓡL ꓟM ꓠN ꓳO ꓑP ꓣR ꓢS ꓔT ꓴU ꓦV ꓪW ꓫX ꓬY ꓜZ"
    " ǀl Ɩl ꞁl ɾr ʋu ʊu ɯw ʍw ɥh ƽs ꜰF ϱp ϰk ϵe ϑo ℮e ⅰi ⅼl ⅽc ⅾd ⅿm"
    # Armenian
    " օo ՕO սu Սu ցg հh ոn ռn զq աw յj Լl Տs"
    # Cherokee (capitals; their small forms are added below)
    " ᎪA ᏴB ᏟC ᎠD ᎬE ᏀG ᎻH ᎫJ ᏦK ᏞL ᎷM ᏃZ ᎾO ᏫO ᏢP ᎡR ᏚS ᎢT ᏙV ᎳW Ꭵi ᏂH ᏒR ᏆT"
    # Unified Canadian Aboriginal Syllabics
    " ᐯV ᐺV ᑌU ᑎn ᑕC ᑭP ᑯd ᑲb ᑫq ᒍJ ᒪL ᓀn ᔕS ᕁx ᕼH ᖇR ᖴF ᗅA ᗩA ᗷB ᗪD ᗞD ᗰM ᗯW ᙭X ᘔZ ᕮE ᘜG ᗴE ᑐc"
)
CONFUSABLES: dict[str, str] = {}
for _pair in _CONFUSABLE_PAIRS.split():
    if len(_pair) == 2:
        CONFUSABLES[_pair[0]] = _pair[1]
CONFUSABLES["Ϳ"] = "J"
for _c, _l in list(CONFUSABLES.items()):
    if 0x13A0 <= ord(_c) <= 0x13F5 and _c.lower() != _c:  # Cherokee small letters look like the capitals
        CONFUSABLES.setdefault(_c.lower(), _l)
# Enclosed letters without a compatibility decomposition (negative circled/squared, regional indicators).
for _base in (0x1F150, 0x1F170, 0x1F1E6):
    for _k in range(26):
        CONFUSABLES[chr(_base + _k)] = chr(0x41 + _k)

_HALF_VOICED = {"\uff9e", "\uff9f"}  # half-width (semi-)voiced sound marks combine with the previous kana
_DROP_CATEGORIES = {"Cf", "Cs", "Co", "Cn"}  # format (zero-width, bidi), surrogates, private use, unassigned
_MARK_CATEGORIES = {"Mn", "Me"}


def is_kana(ch: str) -> bool:
    o = ord(ch)
    return 0x3041 <= o <= 0x30FF or 0x31F0 <= o <= 0x31FF


def is_hiragana(ch: str) -> bool:
    return 0x3041 <= ord(ch) <= 0x309F


def is_katakana(ch: str) -> bool:
    o = ord(ch)
    return 0x30A0 <= o <= 0x30FF or 0x31F0 <= o <= 0x31FF


def is_kanji(ch: str) -> bool:
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF or o == 0x3005


CJK_RE = re.compile("[\u3041-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005]")


def is_cjk(ch: str) -> bool:
    o = ord(ch)
    return (
        0x3041 <= o <= 0x30FF
        or 0x4E00 <= o <= 0x9FFF
        or 0x31F0 <= o <= 0x31FF
        or 0x3400 <= o <= 0x4DBF
        or 0xF900 <= o <= 0xFAFF
        or o == 0x3005
    )


_JA_FOLD: dict[str, str] = {}


def ja_fold(ch: str) -> str:
    """Japanese-stream form of one normalised character: katakana for kana, the kanji, '' for spacing/・ and the
    marks typed between kana to split a name ('エ.ル.サ'), '|' for anything else."""
    got = _JA_FOLD.get(ch)
    if got is None:
        if is_cjk(ch):
            o = ord(ch)
            got = chr(o + 0x60) if 0x3041 <= o <= 0x3096 else ch
        elif ch in "・･ \u3000._*-\u2010\u2011\u2012\u2013\u2014\u2015\u2212" or ch.isspace():
            # spacing, and the marks typed to split a name (matcher)
            got = ""
        else:
            got = "|"
        if len(_JA_FOLD) < 100_000:
            _JA_FOLD[ch] = got
    return got


_KATAKANA = {c: c + 0x60 for c in range(0x3041, 0x3097)}


def to_katakana(s: str) -> str:
    """Hiragana -> katakana (1:1, offsets preserved)."""
    return s.translate(_KATAKANA)


def _latin_letters(c: str) -> str:
    """The ASCII letters (one or two) of a Latin-script letter that has no decomposition; '' otherwise."""
    if not unicodedata.name(c, "").startswith("LATIN "):
        return ""
    out = anyascii(c).lower()
    return out if 1 <= len(out) <= 2 and out.isascii() and out.isalpha() else ""


def _fold_char(ch: str) -> tuple[str, int]:
    """Normalised form of one character and the flags of what changed. '' when it is dropped."""
    cat = unicodedata.category(ch)
    if cat in _DROP_CATEGORIES or ch == "\ufffd" or (cat in _MARK_CATEGORIES and 0xFE00 <= ord(ch) <= 0xFE0F):
        return "", F_INVISIBLE  # U+FFFD: what the intake put where an unstorable character was (textsafe.py)
    if (
        cat == "Cc"
    ):  # tab, newline and the other spacing controls separate words; NUL, ESC, DEL... hide in them
        return (" ", 0) if ch.isspace() else ("", F_INVISIBLE)
    flags = 0
    conf = CONFUSABLES.get(ch)
    if conf is not None:
        return conf.lower(), F_CONFUSABLE
    out = unicodedata.normalize("NFKC", ch)
    if out != ch:
        flags |= F_WIDTH
    res = []
    for c in out:
        conf = CONFUSABLES.get(c)
        if conf is not None:
            res.append(conf.lower())
            flags |= F_CONFUSABLE
            continue
        if ord(c) > 0x7F and c.isalpha() and not is_cjk(c):
            base = unicodedata.normalize("NFD", c)[0]
            if base.isascii() and base.isalpha():
                res.append(base.lower())
                flags |= F_DIACRITIC
                continue
            # a Latin letter with a stroke or a ligature, which does not decompose ('ø', 'ł', 'đ', 'æ', 'ß'): its
            # ASCII letters as anyascii's transliteration tables give them
            latin = _latin_letters(c)
            if latin:
                res.append(latin)
                flags |= F_DIACRITIC
                continue
        if unicodedata.category(c) in _MARK_CATEGORIES and not (0x3099 <= ord(c) <= 0x309C):
            flags |= F_DIACRITIC
            continue  # stray combining mark on Latin text
        low = c.lower()
        conf = CONFUSABLES.get(low)  # a lower-case form can itself be a look-alike (Ʀ -> ʀ -> r)
        if conf is not None:
            low = conf.lower()
            flags |= F_CONFUSABLE
        res.append(low)
    return "".join(res), flags


_CTRL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_FOLD_CACHE: dict[str, tuple[str, int]] = {}


# The per-prompt classes below spell out __init__ (init=False): with the compiled build (text/native.py) an explicit
# __init__ is compiled too, while a dataclass-generated one stays interpreted (~5x slower to construct).
@dataclass(init=False)
class Normalized:
    """Normalised text; `starts[i]`/`ends[i]` are the original offsets of normalised character i."""

    original: str
    text: str
    starts: list[int] | None  # None: identity map (ASCII fast path)
    ends: list[int] | None
    flags: list[int] | None

    def __init__(
        self,
        original: str,
        text: str,
        starts: list[int] | None,
        ends: list[int] | None,
        flags: list[int] | None,
    ) -> None:
        self.original = original
        self.text = text
        self.starts = starts
        self.ends = ends
        self.flags = flags

    def span(self, i: int, j: int) -> tuple[int, int]:
        """Original [start, end) of normalised [i, j)."""
        if self.starts is None or self.ends is None:
            return i, j
        if j <= i:
            p = self.starts[i] if i < len(self.starts) else len(self.original)
            return p, p
        return self.starts[i], self.ends[j - 1]

    def flags_in(self, i: int, j: int) -> int:
        if self.flags is None:
            return 0
        f = 0
        for x in self.flags[i:j]:
            f |= x
        # invisible characters between i and j live in the gaps of the offset map
        if self.starts is not None and self.ends is not None and j - i > 1:
            for k in range(i + 1, j):
                if self.starts[k] != self.ends[k - 1]:
                    gap = self.original[self.ends[k - 1] : self.starts[k]]
                    if any(_fold_char(c)[0] == "" for c in gap):
                        f |= F_INVISIBLE
        return f

    def orig_char(self, i: int) -> str:
        s, _ = self.span(i, i + 1)
        return self.original[s : s + 1]


_IDENTITY: dict[str, bool] = {}
# ASCII and the non-ASCII characters found to fold to themselves (a subset test per prompt; bounded like _IDENTITY)
_IDENTITY_SET: set[str] = {chr(c) for c in range(0x80)}


def _identity_char(ch: str) -> bool:
    """True when a non-ASCII character normalises to exactly its own lower-case form (one character, no flags):
    then a prompt made only of such characters (and printable ASCII) needs no offset map."""
    got = _IDENTITY.get(ch)
    if got is None:
        if (
            ch in _HALF_VOICED or ch == "\u03a3" or unicodedata.category(ch) == "So"
        ):  # combines with the previous char / context-dependent lower-case / a symbol that may hide inside a word
            got = False
        else:
            low = ch.lower()
            got = len(low) == 1 and _fold_char(ch) == (low, 0)
        if len(_IDENTITY) < 100_000:
            _IDENTITY[ch] = got
            if got:
                _IDENTITY_SET.add(ch)
    return got


# scripts with letters that look Latin (CONFUSABLES): Greek, Cyrillic, Armenian, Cherokee
_LOOKALIKE_SCRIPT_RE = re.compile("[\u0370-\u052f\u0530-\u058f\u13a0-\u13ff]")
_WORD_RE = re.compile(r"[^\W\d_]+")


def _native_words(text: str) -> set[int] | None:
    """Offsets of the letters of words written wholly in a script with Latin look-alikes, with a letter that has no
    Latin look-alike ('консультации', 'Пикачу'): words of their language, not a name in disguise, so they are not
    folded to look-alikes. A word that mixes scripts ('Sаilor', Cyrillic 'а') or is made only of look-alikes
    ('Уоѕһі') is folded as before (Unicode's mixed-script and whole-script confusable cases, UTS #39)."""
    out: set[int] | None = None
    for m in _WORD_RE.finditer(text):
        w = m.group()
        if not _LOOKALIKE_SCRIPT_RE.search(w) or any(c.isascii() for c in w):
            continue
        if all(c in CONFUSABLES or c.lower() in CONFUSABLES for c in w):
            continue
        if out is None:
            out = set()
        out.update(range(m.start(), m.end()))
    return out


def _inner_symbol(text: str, i: int) -> bool:
    """text[i] is a mask or a symbol typed inside a word to break it ('V*geta', 'Ki✨ki'): '*' or a symbol
    (Unicode So: emoji, dingbats), with only such characters (or invisible ones) between it and a letter on each
    side, and a short piece on one side at least: between two words of four letters or more it separates them
    ('Sailor🌙Moon', 'Pikachu⚡Raichu')."""
    k = i - 1
    while k >= 0 and _breaker(text[k]):
        k -= 1
    left = k
    while k >= 0 and _letter(text[k]):
        k -= 1
    n_left = left - k
    k = i + 1
    while k < len(text) and _breaker(text[k]):
        k += 1
    right = k
    while k < len(text) and _letter(text[k]):
        k += 1
    n_right = k - right
    return n_left > 0 and n_right > 0 and min(n_left, n_right) < INNER_WORD_PIECE


INNER_WORD_PIECE = 4  # a piece shorter than this beside a symbol is part of one broken word


def _letter(ch: str) -> bool:
    """A letter, or a character that normalises to one ('ａ', 'ⓐ', '𝐚')."""
    return ch.isalpha() or not ch.isascii() and unicodedata.normalize("NFKC", ch)[:1].isalpha()


def _breaker(ch: str) -> bool:
    """A character typed inside a word to break it up: '*', a symbol (So) that is no letter in disguise ('ⓐ'),
    or one that normalize() drops (a control, Cf, a variation selector...)."""
    if ch == "*":
        return True
    if ch.isascii():
        return (ch < " " or ch == "\x7f") and ch not in "\t\n\r"
    cat = unicodedata.category(ch)
    return cat == "So" and not _letter(ch) or _fold_char(ch)[0] == ""


def normalize(text: str) -> Normalized:
    # isprintable(): no control character at all (cheaper than the _CTRL_RE scan, which allows tab/newline/CR)
    if text.isascii():
        if (text.isprintable() or not _CTRL_RE.search(text)) and not ("*" in text and _STAR_RE.search(text)):
            return Normalized(text, text.lower(), None, None, None)
    elif text.isprintable() or not _CTRL_RE.search(text):
        # kana/kanji/most letters fold to themselves: the offset map is the identity, as for ASCII
        chars = set(text)
        if chars <= _IDENTITY_SET:  # every character already known to fold to itself (or ASCII)
            return Normalized(text, text.lower(), None, None, None)
        ident = _IDENTITY
        for ch in chars:
            if ch > "\x7f" and not (ident.get(ch) or _identity_char(ch)):
                break
        else:
            return Normalized(text, text.lower(), None, None, None)
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    flags: list[int] = []
    i, n = 0, len(text)
    cache = _FOLD_CACHE
    native = _native_words(text) if _LOOKALIKE_SCRIPT_RE.search(text) else None
    while i < n:
        ch = text[i]
        j = i + 1
        if j < n and text[j] in _HALF_VOICED:
            ch = text[i : j + 1]
            j += 1
        if native is not None and i in native:
            f, fl = ch.lower(), 0  # a word of its own script, not look-alike letters
        elif ch.isascii():
            if ch == "*" and _inner_symbol(text, i):
                f, fl = "", F_INVISIBLE  # a mask inside a word ('V*geta'): the word, one letter short
            elif (ch >= " " and ch != "\x7f") or ch in "\t\n\r":
                f, fl = ch.lower(), 0
            else:  # as _fold_char: spacing controls separate words, the others (NUL, BEL, ESC, DEL) vanish
                f, fl = (" ", 0) if ch.isspace() else ("", F_INVISIBLE)
        else:
            got = cache.get(ch)
            if got is None:
                got = _fold_char(ch) if len(ch) == 1 else (unicodedata.normalize("NFKC", ch), F_WIDTH)
                if len(cache) < 50_000:
                    cache[ch] = got
            f, fl = got
            if f == ch and not ch.isalnum() and _breaker(ch) and _inner_symbol(text, i):
                f, fl = "", F_INVISIBLE  # a symbol inside a word ('Ki✨ki'): the word
        for c in f:
            out.append(c)
            starts.append(i)
            ends.append(j)
            flags.append(fl)
        i = j
    return Normalized(text, "".join(out), starts, ends, flags)


# ---------------------------------------------------------------- Latin tokens

_TOKEN_RE = re.compile(r"[a-z0-9@$]+")
_STAR_RE = re.compile(r"[A-Za-z]\*+[A-Za-z]")  # a mask inside a word ('V*geta'): normalize() drops it
_SENT_END = set(".!?;:\n。！？")


@dataclass(slots=True, init=False)
class Token:
    start: int  # normalised offsets
    end: int
    text: str  # normalised text (lower-case)
    upper: bool  # original first letter is upper-case
    allcaps: bool  # every original letter is upper-case (and there are >= 2)
    sent_start: bool  # first token of a sentence
    sep_before: str  # normalised characters between the previous token and this one
    clean: str  # letters and digits only
    merged: bool  # built from split letters ('S a i l o r', 'V.e.g.e.t.a')

    def __init__(
        self,
        start: int,
        end: int,
        text: str,
        upper: bool,
        allcaps: bool,
        sent_start: bool,
        sep_before: str,
        clean: str = "",
        merged: bool = False,
    ) -> None:
        self.start = start
        self.end = end
        self.text = text
        self.upper = upper
        self.allcaps = allcaps
        self.sent_start = sent_start
        self.sep_before = sep_before
        self.clean = clean
        self.merged = merged


_POSSESSIVE_TAILS = frozenset(("s", "t", "re", "ll", "d", "ve", "m"))


def _case(seg: str, n: int) -> tuple[bool, bool]:
    """(first letter upper-case, every letter upper-case and n >= 2) of the original segment of a token whose
    normalised form has n characters. A word written in mixed case with two or more capitals ('pOwEr', 'sTiTcH') is
    capitalised too: no everyday word is written so."""
    c0 = seg[:1]
    upper = c0.isupper() or (not c0.isalnum() and next((c for c in seg if c.isalnum()), "").isupper())
    if not upper and n >= 3 and sum(c.isupper() for c in seg) >= 2:
        upper = True
    return upper, n >= 2 and seg.isupper()


# (separator, token) pairs: the tokens of _TOKEN_RE, and '!' inside a word as a leet 'i' ('P!kachu'); a '!' that
# ends a word ('Hello!') stays a separator (and a sentence end)
_PAIR_RE = re.compile(r"([^a-z0-9@$]*)([a-z0-9@$]+(?:!+[a-z0-9@$]+)*)")
_INNER_BANG = re.compile(r"[a-z0-9@$]!+[a-z0-9@$]")
_SEG_CACHE: dict[str, tuple[str, bool, bool]] = {}


def tokenize(norm: Normalized) -> list[Token]:
    text = norm.text
    orig = norm.original
    toks: list[Token] = []
    append = toks.append
    ident = norm.starts is None
    seg_cache = _SEG_CACHE
    sent_end = _SENT_END
    tails = _POSSESSIVE_TAILS
    run = 0  # current run of one-character tokens (split letters)
    split = False
    pos = 0  # end of the last token found
    prev_end = 0  # end of the last token kept (or possessive tail dropped)
    for sep, word in _PAIR_RE.findall(text):
        s = pos + len(sep)
        e = s + len(word)
        if prev_end != pos:  # a token of '@'/'$' only was skipped: its characters belong to the separator
            sep = text[prev_end:s]
        pos = e
        if ident:
            # identity map: the original segment has the same offsets; per segment (letters/digits, case) cached
            seg = orig[s:e]
            got = seg_cache.get(seg)
            if got is None:
                clean = word if word.isalnum() else word.replace("@", "").replace("$", "").replace("!", "")
                got = (clean, *_case(seg, e - s)) if e - s > 1 else (clean, seg.isupper(), False)
                if len(seg_cache) > 200_000:
                    seg_cache.clear()
                seg_cache[seg] = got
            clean, upper, allcaps = got
            if not clean:
                continue
        else:
            if word.isalnum():
                clean = word
            else:
                clean = word.replace("@", "").replace("$", "").replace("!", "")  # tokens: [a-z0-9@$!]
                if not clean:
                    continue
            upper = allcaps = False  # set below, once the token is kept
        # drop possessive/contraction tails: "yoshi's" -> "yoshi"
        if (sep == "'" or sep == "’") and toks and word in tails:
            prev_end = e
            continue
        if not ident:
            os_, oe = norm.span(s, e)
            upper, allcaps = _case(orig[os_:oe], e - s)
        append(
            Token(
                s,
                e,
                word,
                upper,
                allcaps,
                not toks or (sep != " " and not sent_end.isdisjoint(sep)),
                sep,
                clean,
            )
        )
        if e - s == 1:
            run = run + 1 if run and len(sep) <= 3 else 1
            if run >= 3:
                split = True
        else:
            run = 0
        prev_end = e
    return _merge_split_letters(toks) if split else toks


def scan(norm: Normalized) -> list[str] | None:
    """The letters/digits of the tokens (`Token.clean`, in order) without building Token objects, for a prompt
    where they are simply its [a-z0-9] runs: identity offset map, no '@'/'$' (no token loses characters or is
    skipped), no apostrophe (no possessive tail dropped), fewer than three one-character tokens (no split letters
    merged). None otherwise: use tokenize()."""
    text = norm.text
    if norm.starts is not None or "@" in text or "$" in text or "'" in text or "’" in text:
        return None
    if "!" in text and _INNER_BANG.search(text):  # a '!' inside a word: tokenize() reads it as a leet 'i'
        return None
    words: list[str] = _TOKEN_RE.findall(text)
    if list(map(len, words)).count(1) >= 3:
        return None
    return words


def _scanned_tokens(norm: Normalized, words: list[str]) -> list[Token]:
    """tokenize() of a prompt scan() could read, given its words: the general loop without what cannot occur
    there (skipped or cleaned tokens, possessive tails, split letters); offsets are the identity map's."""
    text = norm.text
    orig = norm.original
    lower = orig == text  # nothing upper-case anywhere
    case = _CASE_CACHE
    sent_end = _SENT_END
    toks: list[Token] = []
    append = toks.append
    pos = 0
    sent = True  # the first token opens a sentence
    for sep, w in zip(_TOKEN_RE.split(text), words, strict=False):  # separators: one more than the words
        s = pos + len(sep)
        pos = e = s + len(w)
        if lower:
            upper = allcaps = False
        else:
            seg = orig[s:e]
            if seg == w:
                upper = allcaps = False
            else:
                got = case.get(seg)
                if got is None:
                    got = _case(seg, e - s) if e - s > 1 else (seg.isupper(), False)
                    if len(case) > 200_000:
                        case.clear()
                    case[seg] = got
                upper, allcaps = got
        append(Token(s, e, w, upper, allcaps, sent or (sep != " " and not sent_end.isdisjoint(sep)), sep, w))
        sent = False
    return toks


_CASE_CACHE: dict[str, tuple[bool, bool]] = {}  # original segment -> (upper, allcaps), see _case


class LazyTokens:
    """tokenize(norm), built on first use: most prompts have no hit, and the hit finders need Token objects only
    where they find one (their letters/digits come from scan())."""

    __slots__ = ("norm", "words", "_toks")

    def __init__(self, norm: Normalized, words: list[str] | None = None) -> None:
        self.norm = norm
        self.words = words  # scan(norm), when it could read the prompt
        self._toks: list[Token] | None = None

    def get(self) -> list[Token]:
        toks = self._toks
        if toks is None:
            words = self.words
            toks = self._toks = tokenize(self.norm) if words is None else _scanned_tokens(self.norm, words)
        return toks


def _merge_split_letters(toks: list[Token]) -> list[Token]:
    """Runs of >= 3 one-character tokens ('S a i l o r', 'V.e.g.e.t.a') become one merged token."""
    if len(toks) < 3:
        return toks
    out: list[Token] = []
    i, n = 0, len(toks)
    while i < n:
        j = i
        while j < n and len(toks[j].text) == 1 and (j == i or len(toks[j].sep_before) <= 3):
            j += 1
        if j - i >= 3:
            run = toks[i:j]
            out.append(
                Token(
                    run[0].start,
                    run[-1].end,
                    "".join(t.text for t in run),
                    run[0].upper,
                    False,
                    run[0].sent_start,
                    run[0].sep_before,
                    "".join(t.clean for t in run),
                    merged=True,
                )
            )
            i = j
        else:
            out.append(toks[i])
            i += 1
    return out


_TITLE_LAST: tuple[list[Token] | None, int, bool] = (None, 0, False)


def is_title_case_prompt(toks: list[Token], ordinary: Callable[[str], bool] | None = None) -> bool:
    """Headline-style prompts ('Vegeta Walking A Dog') make capitalisation uninformative. With `ordinary` (is a
    word an everyday word), only everyday words are counted: names and places are capitalised in any sentence
    ('King Olaf of Norway statue in Oslo' is a sentence: its one everyday word, 'statue', is lower case), so a
    headline is one whose everyday words are capitalised. The answer for the last token list asked about is kept
    (the hits of one prompt ask about the same list, with the same predicate)."""
    global _TITLE_LAST
    last = _TITLE_LAST
    if last[0] is toks and last[1] == len(toks):
        return last[2]
    if ordinary is None:
        ups = [t.upper for t in toks[1:] if len(t.text) >= 3 and t.text.isalpha()]
        got = len(ups) >= 3 and ups.count(True) >= 0.75 * len(ups)
    else:
        ups = [t.upper for t in toks[1:] if len(t.text) >= 3 and t.text.isalpha() and ordinary(t.text)]
        got = len(ups) >= 2 and ups.count(True) >= 0.75 * len(ups)
    _TITLE_LAST = (toks, len(toks), got)
    return got
