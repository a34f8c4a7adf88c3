"""TextMatcher: the multilingual prompt matcher (names, variants, obfuscations, traits, titles)."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from functools import lru_cache
from itertools import accumulate
from operator import itemgetter
from typing import Any, ClassVar

from mamori.registry.model import Registry
from mamori.screening.base import TEXT, Corpus, Detector, gc_paused
from mamori.screening.text import decide as _decide
from mamori.screening.text import judge
from mamori.screening.text.judge import Hit, WordInfo
from mamori.screening.text.lexicon import HONORIFICS, JA_PARTICLES, KO_PARTICLES
from mamori.screening.text.names import NameIndex
from mamori.screening.text.normalize import (
    CJK_RE,
    LazyTokens,
    Normalized,
    Token,
    ja_fold,
    normalize,
    scan,
)
from mamori.screening.text.traits import TraitIndex
from mamori.screening.text.variants import (
    _PH_CACHE,
    FOREIGN_WORD_RE,
    clean_letters,
    has_leet,
    leet_decode,
    phonetic_key,
    run_segments,
    stem,
    translit_key,
)
from mamori.types import Evidence, Match

_PARTICLE_ROMAJI = {
    "ga": 1,
    "no": 1,
    "wo": 1,
    "o": 1,
    "ni": 1,
    "wa": 1,
    "ha": 1,
    "to": 1,
    "mo": 1,
    "de": 1,
    "he": 1,
    "e": 1,
    "ya": 1,
    "chan": 3,
    "san": 2,
    "kun": 2,
    "sama": 2,
    "desu": 2,
    "da": 1,
}
_KEY = itemgetter(0)  # WordInfo: the word's phonetic key
_RARE_STEM = itemgetter(5)  # WordInfo: the word's stem is a rare trait token
_LEET_RE = re.compile(r"[a-z][0-9@$!]|[0-9@$!][a-z]")
# a leet digit/symbol anywhere: a single character class scans much faster than _LEET_RE's alternation, so most
# prompts (none of these characters) skip _LEET_RE
_LEET_CHAR_RE = re.compile(r"[0-9@$!]")
_PARTICLE_KEYS = {phonetic_key(k): v for k, v in _PARTICLE_ROMAJI.items()}
# the characters ja_fold drops (to ''): white space (\s is str.isspace), the half-width middle dot, and the marks
# typed between kana to split a name ('エ.ル.サ', 'エ-ル-サ', 'エ_ル_サ', 'エ*ル*サ': the normaliser folds full-width
# ones to these); no kana or kanji is one (the full-width ・ is kana and kept)
_JA_DROPPED_RE = re.compile("[\\s\uff65._*\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212]")
# a dash right after katakana, typed for the long-vowel mark ー
_KANA_DASH_RE = re.compile("(?<=[\u30a1-\u30fa])[\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212]")
CJK_RUN_RE = re.compile(CJK_RE.pattern + "+")  # ・ (U+30FB) is in the kana block, so runs include it
# a stretch of kana/kanji whose characters are joined only by characters the Japanese stream drops
_JA_SEGMENT_RE = re.compile(f"{CJK_RE.pattern}(?:{_JA_DROPPED_RE.pattern}*{CJK_RE.pattern})*")


class _JaFoldTable(dict):  # type: ignore[type-arg]
    """str.translate table: code point -> ja_fold(character), filled on first use."""

    def __missing__(self, o: int) -> str:
        got = ja_fold(chr(o))
        if len(self) < 100_000:
            self[o] = got
        return got


_JA_TABLE = _JaFoldTable()
_SPELLED_KANA_RE = re.compile("[\u3041-\u30fa\u30fc](?:・[\u3041-\u30fa\u30fc]){2,}")


# a word with letters masked by '*' ('St*tch', '*ikachu'), and how many of a prompt's are read
_MASKED_RE = re.compile(r"[A-Za-z]*(?:\*[A-Za-z]*)+")
MAX_MASKED = 16


def _masked(ev: Evidence, text: str, masked: list[tuple[int, int]]) -> Evidence:
    """The evidence of a reading of unmasked text, with the prompt's own spelling and a note where it covers a
    masked word."""
    sp = ev.span
    if sp is None or not any(a < sp.end and sp.start < b for a, b in masked):
        return ev
    written = text[sp.start : sp.end]
    return Evidence(
        ev.rule,
        ev.score,
        f"{ev.detail} (written '{written}', letters masked with '*')",
        sp,
        written,
        {**ev.extra, "masked": True},
    )


def _ko_stem(text: str, o0: int, o1: int) -> tuple[int, str] | None:
    """A Hangul word [o0, o1) without the Korean postposition it ends with ('토토로가' -> '토토로'): the stem's end and
    key, or None (no postposition, or a stem of one syllable)."""
    word = text[o0:o1]
    if not "\uac00" <= word[-1] <= "\ud7af":
        return None
    for p in KO_PARTICLES:
        if word.endswith(p) and len(word) - len(p) >= 2:
            return o1 - len(p), translit_key(word[: -len(p)])
    return None


def _normalised(norm: Normalized, o0: int, o1: int) -> tuple[int, int]:
    """The normalised span of the original [o0, o1)."""
    if norm.starts is None or norm.ends is None:
        return o0, o1
    return bisect_left(norm.starts, o0), bisect_left(norm.ends, o1) + 1


def _undot(m: re.Match[str]) -> str:
    return m.group().replace("・", ".")  # same length: the offsets stay


@lru_cache(maxsize=20_000)
def _romaji_run(
    run: str,
) -> tuple[tuple[tuple[int, int, str, str], ...], str, dict[int, int], list[tuple[int, int]]]:
    """Romaji segments of a kana/kanji run, their phonetic-key stream, segment starts and key bounds (cached)."""
    segs = run_segments(run)
    keys = [phonetic_key(h) if h else "" for _, _, h, _ in segs]
    starts: dict[int, int] = {}
    pos = 0
    bounds = []
    for i, key in enumerate(keys):
        starts.setdefault(pos, i)
        bounds.append((pos, pos + len(key)))
        pos += len(key)
    return segs, "".join(keys), starts, bounds


class TextMatcher(Detector):
    name: ClassVar[str] = "text"
    kinds: ClassVar[frozenset[str]] = frozenset({TEXT})
    version: ClassVar[str] = "1"

    def __init__(self, registry: Registry, allowlist: Iterable[tuple[str | None, str]] = ()) -> None:
        self.registry = registry
        self.index = NameIndex(registry)
        self.traits = TraitIndex(registry)
        self._lat_n = len(self.index.lat)
        self._words: dict[str, WordInfo] = {}
        # a distinctive title word -> its work (TextMatcher._title_parts)
        self._title_word_works: dict[str, str] = {
            w: work for work, ws in self.index.title_words.items() for w in ws
        }
        # the per-word infos of every registered name/title word, made once here (kept when the index is saved):
        # a prompt that names a character has its words at hand on the first prompt that writes them
        self._known: dict[str, WordInfo] = {}
        for w in self.index.registered_words:
            self._known[w] = self._word_info(w)
        self._ja_n = len(self.index.ja)
        self.allow: list[tuple[str | None, str]] = []
        for cid, phrase in allowlist:
            p = normalize(str(phrase)).text.strip()
            if p:
                self.allow.append((cid, p))
        self.work_chars: dict[str, set[str]] = {}
        for c in registry.characters:
            self.work_chars.setdefault(c.work, set()).add(c.id)

    @classmethod
    def build(cls, corpus: Corpus) -> TextMatcher:
        with gc_paused():
            return cls(corpus.registry, corpus.allowlist)

    @classmethod
    def examples(cls):  # type: ignore[no-untyped-def]
        from mamori.registry.model import Character, Registry, Rightsholder, Work

        reg = Registry(
            rightsholders=(Rightsholder("rh", "Example"),),
            works=(Work("w", "rh", ("Starlight Academy",)),),
            characters=(
                Character(
                    "mirai", "w", ("Mirai Hoshino", "星野みらい"), ("star hairpin", "silver twin tails")
                ),
            ),
        )
        yield Corpus(registry=reg), "Mirai Hoshino dancing on a stage", {"mirai"}

    # ------------------------------------------------------------------ detection

    def detect(self, content: Any) -> list[Match]:
        return self._run(content, None)

    def explain(self, content: Any) -> list[Evidence]:
        """Why a registered name in the prompt was not taken as the character: the evidence of names read in
        another sense (given to another, another person, an owner) with no character evidence beside them."""
        aside: list[Evidence] = []
        self._run(content, aside)
        return aside

    def screen(self, content: Any) -> tuple[list[Match], list[Evidence]]:
        """detect() and explain() in one pass: the matches, and the evidence of names read in another sense (a
        place, an everyday word, a person, a brand, given to another) whose character was not matched."""
        aside: list[Evidence] = []
        matches = self._run(content, aside)
        if aside and matches:
            found = {(m.character or "", m.work) for m in matches}
            aside = [ev for ev in aside if (ev.extra.get("character", ""), ev.extra.get("work")) not in found]
        return matches, aside

    def _run(self, content: Any, aside: list[Evidence] | None) -> list[Match]:
        text = content if isinstance(content, str) else str(content)
        if not text or text.isspace():  # as `not text.strip()`, without the copy
            return []
        if "*" in text:
            # letters masked with '*' ('St*tch', 'Ya*ami Light'): where the masked word can be one registered word
            # only, it is read as that word, and the evidence says so
            unmasked, masked = self._unmask(text)
            if masked:
                got = len(aside) if aside is not None else 0
                matches = self._run_text(unmasked, aside)
                if aside is not None:
                    aside[got:] = [_masked(ev, text, masked) for ev in aside[got:]]
                return [
                    Match(m.work, m.score, m.character, tuple(_masked(ev, text, masked) for ev in m.evidence))
                    for m in matches
                ]
        return self._run_text(text, aside)

    def _unmask(self, text: str) -> tuple[str, list[tuple[int, int]]]:
        """The text with each masked word that fits exactly one registered word (same length, every unmasked
        letter equal; at most a third of it masked) written as that word, and the spans so written."""
        words = self.index.words_by_len
        out = text
        masked: list[tuple[int, int]] = []
        for n, m in enumerate(_MASKED_RE.finditer(text)):
            if n >= MAX_MASKED:  # each is compared with the registered words of its length: bounded work
                break
            w = m.group()
            stars = w.count("*")
            if len(w) < 4 or stars * 3 > len(w):
                continue
            low = w.lower()
            fits = [r for r in words.get(len(w), ()) if all(c == "*" or c == r[i] for i, c in enumerate(low))]
            if len(fits) != 1:
                continue
            word = "".join(r if c == "*" else c for c, r in zip(w, fits[0], strict=True))
            out = out[: m.start()] + word + out[m.end() :]
            masked.append((m.start(), m.end()))
        return out, masked

    def _run_text(self, text: str, aside: list[Evidence] | None) -> list[Match]:
        norm = normalize(text)
        # Token objects are built only when needed (a hit, or a prompt that scan() cannot read): most have none
        raws = scan(norm)
        tokens = LazyTokens(norm, raws)
        if raws is None:
            toks = tokens.get()
            raws = [t.clean for t in toks]
            texts = [t.text for t in toks]
        else:
            texts = raws  # scan(): each token's text is its letters/digits
        hits: list[Hit] = []
        stems: dict[str, int] = {}
        if raws:
            words = self._words
            infos = [words.get(r) or self._word(r) for r in raws]
            self._latin(norm, tokens, raws, texts, list(map(_KEY, infos)), hits)
            if self.index.hon_parts and any(map(HONORIFICS.__contains__, raws)):
                self._honorific_parts(tokens, raws, hits)
        if not norm.text.isascii() and CJK_RE.search(norm.text):
            self._japanese(norm, hits)
            self._romaji(norm, hits)
        if not text.isascii() and FOREIGN_WORD_RE.search(text):
            self._transliterated(norm, hits)
        if raws and hits and self.index.hon_parts:
            self._title_parts(tokens, raws, hits)
        trait_hits = {}
        if raws:
            # the misspelling search probes only odd words (not ordinary ones) and pairs with an odd word or with
            # a word that is exactly the leading/trailing words of a multi-word form (judge.fuzzy): with neither
            # among the words (most prompts) it has nothing to probe
            for w in infos:
                if w[2] or w[4] & 10:
                    judge.fuzzy(self.index, tokens, hits, raws, infos)
                    break
            # traits can only be present with a rare trait stem among the words (TraitIndex.hits); decide() reads
            # the stems only for trait hits, so without a rare stem neither is made, hits or not
            if any(map(_RARE_STEM, infos)):
                joined = self.traits.joined
                for i, w in enumerate(infos):
                    stems.setdefault(w[1], i)
                    parts = joined.get(w[1]) if joined else None
                    if parts is not None:  # 'twintails': 'twin' and 'tail'
                        stems.setdefault(parts[0], i)
                        stems.setdefault(parts[1], i)
                trait_hits = self.traits.hits(set(stems))
        if not hits and not trait_hits:
            return []
        matches = _decide.decide(
            self.index, self.work_chars, norm, tokens.get(), hits, trait_hits, stems, aside
        )
        if self.allow and matches:
            matches = _decide.apply_allowlist(self.allow, norm, matches)
        return matches

    def _word(self, w: str) -> WordInfo:
        """Per distinct token (letters/digits): phonetic key, trait stem, 'odd' (not an ordinary word or frequent
        given name, so possibly part of a misspelt name), may itself be a misspelt one-word name (an odd word of
        5+ letters), how it may open/close a misspelt multi-word name (NameIndex.pair_side), whether its stem is a
        rare trait token (TraitIndex.rare_chars). Cached (bounded)."""
        got = self._known.get(w)
        if got is None:
            got = self._word_info(w)
        if len(self._words) > 200_000:
            self._words.clear()
        self._words[w] = got
        return got

    def _word_info(self, w: str) -> WordInfo:
        key = phonetic_key(w)
        odd = len(w) >= 3 and not self.index.plain_word(w)
        st = stem(w)
        return (
            key,
            st,
            odd,
            odd and len(w) >= 5 and w.isalpha(),
            self.index.pair_side(key),
            st in self.traits.rare_chars,
        )

    def _latin(
        self,
        norm: Normalized,
        tokens: LazyTokens,
        raws: list[str],
        texts: list[str],
        keys: list[str],
        hits: list[Hit],
    ) -> None:
        """`raws`: the tokens' letters/digits; `texts`: their normalised text."""
        self._stream(tokens, raws, hits, "plain", keys)
        text = norm.text
        if _LEET_CHAR_RE.search(text) and _LEET_RE.search(text) and any(has_leet(t) for t in texts):
            dec = [
                clean_letters(leet_decode(t)) if has_leet(t) else r for t, r in zip(texts, raws, strict=True)
            ]
            self._stream(tokens, dec, hits, "leet")
            if any("1" in t and has_leet(t) for t in texts):
                dec_l = [
                    clean_letters(leet_decode(t, True)) if has_leet(t) else r
                    for t, r in zip(texts, raws, strict=True)
                ]
                self._stream(tokens, dec_l, hits, "leet")

    def _stream(
        self, tokens: LazyTokens, raws: list[str], hits: list[Hit], via: str, keys: list[str] | None = None
    ) -> None:
        auto = self.index.lat
        if not self._lat_n:
            return
        if keys is None:
            cache = _PH_CACHE
            keys = [cache.get(r) or phonetic_key(r) for r in raws]
        # end offset of every token's key, built on the first automaton hit only
        offs: list[int] | None = None
        starts: dict[int, int] = {}  # with empty keys: token boundaries in the key stream
        ends: dict[int, int] = {}
        entries = self.index.entries
        for end, (klen, eids) in auto.iter("".join(keys)):
            p = end - klen + 1
            if offs is None:
                if all(keys):  # no empty key: the offsets increase strictly, boundaries by bisection
                    offs = list(accumulate(map(len, keys)))
                else:
                    offs = []
                    pos = 0
                    for i, k in enumerate(keys):
                        if not k:
                            continue
                        starts.setdefault(pos, i)
                        pos += len(k)
                        ends[pos] = i
            if offs:
                i = bisect_right(offs, p)  # the token whose key covers p: it must start there
                if (offs[i - 1] if i else 0) != p:
                    continue
                j = bisect_left(offs, end + 1)  # the token whose key covers end: it must end there
                if offs[j] != end + 1:
                    continue
            else:
                first = starts.get(p)
                if first is None:
                    continue
                i = first
                last = ends.get(end + 1)
                if last is None:
                    continue
                j = last
            lit = "".join(raws[i : j + 1])
            words = tuple(filter(None, raws[i : j + 1]))  # the non-empty ones
            toks = tokens.get()
            for eid in eids:
                e = entries[eid]
                if j > i and not judge.split_ok(e, words, toks, i, j):
                    continue
                hits.append(Hit(eid, toks[i].start, toks[j].end, i, j, via, lit, words))

    def _honorific_parts(self, tokens: LazyTokens, raws: list[str], hits: list[Hit]) -> None:
        """A capitalised name part that is an everyday word or given name, with an honorific right after it
        ('Kitty-chan', 'Edward-kun'): the part, which judge takes as strong (an honorific is said of a person)."""
        toks = tokens.get()
        for i in range(len(raws) - 1):
            eids = self.index.hon_parts.get(raws[i])
            if (
                eids
                and raws[i + 1] in HONORIFICS
                and toks[i].upper
                and toks[i + 1].sep_before in ("-", " ", "")
            ):
                for eid in eids:
                    hits.append(Hit(eid, toks[i].start, toks[i].end, i, i, "plain", raws[i], (raws[i],)))

    def _title_parts(self, tokens: LazyTokens, raws: list[str], hits: list[Hit]) -> None:
        """A capitalised name part that is an everyday word or given name, where the prompt names the part's work
        by a title or a distinctive title word ('Velma from Scooby-Doo', 'Lucy in a Peanuts strip'): the part, which
        needs context, and has it (decide). Without the work named, such a part names nobody."""
        entries = self.index.entries
        # a title of everyday words ('Peanuts', 'Cars') says nothing alone: 'Lucy eating peanuts'
        named = {entries[h.eid].work for h in hits if entries[h.eid].is_title and not entries[h.eid].common}
        by_word = self._title_word_works
        named.update(by_word[r] for r in raws if r in by_word)
        if not named:
            return
        inside = {i for h in hits if entries[h.eid].is_title and h.t0 >= 0 for i in range(h.t0, h.t1 + 1)}
        toks: list[Token] | None = None
        for i, r in enumerate(raws):
            eids = self.index.hon_parts.get(r)
            if not eids or i in inside or i + 1 < len(raws) and raws[i + 1] in HONORIFICS:
                continue  # none, a word of the title itself, or read with its honorific (_honorific_parts)
            if toks is None:
                toks = tokens.get()
            if not toks[i].upper:
                continue
            for eid in eids:
                if entries[eid].work in named:
                    hits.append(Hit(eid, toks[i].start, toks[i].end, i, i, "plain", r, (r,)))

    def _japanese(self, norm: Normalized, hits: list[Hit]) -> None:
        if not self._ja_n:
            return
        text = norm.text
        # The Japanese stream of the whole text is the kana/kanji folded (ja_fold), white space and the half-width
        # dot dropped, anything else a '|' that no key holds: a key can only match inside one stretch of kana/kanji
        # joined by dropped characters, so each stretch is folded and matched alone (most prompts: a short name in
        # Latin text, or none), with its offsets only
        for seg in _JA_SEGMENT_RE.finditer(text):
            s0 = seg.start()
            piece = seg.group()
            if "・" in piece:
                # kana spelled out one by one between middle dots ('ピ・カ・チ・ュ・ウ'): the dots go, as the marks
                # typed between kana do (a registered dotted name has words of several kana between its dots)
                piece = _SPELLED_KANA_RE.sub(_undot, piece)
            self._ja_piece(text, s0, piece, hits)
            if _KANA_DASH_RE.search(piece):
                # a dash typed after katakana for its long-vowel mark ('セ-ラ-ム-ン', 'ベジ−タ'): read once more with
                # the mark, as well as with the dashes dropped (marks typed between kana to split a name)
                self._ja_piece(text, s0, _KANA_DASH_RE.sub("ー", piece), hits)

    def _ja_piece(self, text: str, s0: int, piece: str, hits: list[Hit]) -> None:
        """Match one stretch of kana/kanji (at normalised offset s0) folded to the Japanese stream."""
        stream = piece.translate(_JA_TABLE)
        where: list[int] | range | None = None
        for end, (klen, eids) in self.index.ja.iter(stream):
            if where is None:  # stream index -> normalised offset, built on the first automaton hit only
                # every character folds to one character or to none (ja_fold): equal lengths, nothing dropped
                if len(stream) == len(piece):
                    where = range(s0, s0 + len(piece))
                else:  # the offsets of the pieces between dropped characters
                    where = []
                    pos = s0
                    for part in _JA_DROPPED_RE.split(piece):
                        where.extend(range(pos, pos + len(part)))
                        pos += len(part) + 1
            a = end - klen + 1
            na, nb = where[a], where[end] + 1
            # a kanji name in Chinese characters of three or more ('绿谷出久') stands in Chinese text, where Japanese
            # word boundaries say nothing ('介在' is a Japanese word in '…鸥介在海边')
            if not (klen >= 3 and stream[a : end + 1] in self.index.hanzi) and not judge.ja_boundary_ok(
                text, na, nb
            ):
                continue
            for eid in eids:
                hits.append(Hit(eid, na, nb, -1, -1, "ja", text[na:nb], ()))

    def _transliterated(self, norm: Normalized, hits: list[Hit]) -> None:
        """Words written wholly in another alphabet (Cyrillic, Greek, Hangul: 'Пикачу', '나루토'), transliterated by
        anyascii and matched, alone or two together, against the Latin names' keys."""
        auto = self.index.lat
        if not self._lat_n:
            return
        text = norm.original
        words = [(m.start(), m.end(), translit_key(m.group())) for m in FOREIGN_WORD_RE.finditer(text)]
        for k, (o0, o1, key) in enumerate(words):
            spans = [(o1, key)]
            if k + 1 < len(words) and not text[o1 : words[k + 1][0]].strip():
                o2 = words[k + 1][1]
                spans.append((o2, key + words[k + 1][2]))
                stem = _ko_stem(text, words[k + 1][0], o2)
                if stem:
                    spans.append((stem[0], key + stem[1]))
            stem = _ko_stem(text, o0, o1)
            if stem:
                spans.append(stem)
            for end, joined in spans:
                if len(joined) < 3:
                    continue
                for last, (klen, eids) in auto.iter(joined):
                    if klen != len(joined) or last != len(joined) - 1:
                        continue
                    n0, n1 = _normalised(norm, o0, end)
                    for eid in eids:
                        hits.append(Hit(eid, n0, n1, -1, -1, "translit", text[o0:end], ()))

    def _romaji(self, norm: Normalized, hits: list[Hit]) -> None:
        """Kana/kanji in the prompt read as romaji, matched against Latin names ('べじーた' ~ 'Vegeta')."""
        auto = self.index.lat
        if not self._lat_n:
            return
        text = norm.text
        entries = self.index.entries
        for mt in CJK_RUN_RE.finditer(text):
            s = mt.start()
            segs, stream, starts, bounds = _romaji_run(mt.group())
            for end, (klen, eids) in auto.iter(stream):
                if klen < 4:
                    continue
                i = starts.get(end - klen + 1)
                if i is None:
                    continue
                j = next((x for x, (b0, b1) in enumerate(bounds) if b0 <= end < b1), None)
                if j is None:
                    continue
                rest = stream[end + 1 : bounds[j][1]]
                cut = 0
                if rest:
                    if rest not in _PARTICLE_KEYS:
                        continue
                    cut = _PARTICLE_KEYS[rest]
                na = s + segs[i][0]
                nb = s + segs[j][1] - cut
                if nb <= na or not judge.ja_boundary_ok(text, na, nb, particles=JA_PARTICLES):
                    continue
                for eid in eids:
                    if entries[eid].ja:
                        continue
                    hits.append(Hit(eid, na, nb, -1, -1, "romaji", text[na:nb], ()))
