"""Descriptive matching: registered traits -> lemmatised tokens weighted by distinctiveness (IDF over all
registered traits, damped for frequent English words), with a token -> traits inverted index."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from mamori.registry.model import Registry
from mamori.screening.text import vocab
from mamori.screening.text.lexicon import STOPWORDS, Lexicon
from mamori.screening.text.normalize import normalize, tokenize
from mamori.screening.text.variants import clean_letters, stem

_TRAIT_STOP = STOPWORDS | {"like", "s", "shaped", "style", "type"}
# a trait whose every word is at least this frequent (Zipf, wordfreq) is generic: many things have it, and generic
# traits never add up to a character (calibrated with benchmarks/calibrate_traits.py; the bands are in the README)
GENERIC_ZIPF = 4.0
# two traits alone are evidence only with a word this rare among them (below wordfreq's small list: 'sharingan',
# 'hairpin'); 'red coat' + 'blond braid' or
# 'green dinosaur' + 'red saddle' describe many things
DISTINCTIVE_ZIPF = 3.0
# generic traits written out whole, word for word, this many of one character's: a description worth a review
GENERIC_WHOLE_TRAITS = 3
GENERIC_WHOLE_SCORE = 0.55
# three or more traits, uncommon words but none distinctive: the top of the review band
THREE_PLAIN_SCORE = 0.69
PHRASE_WORDS = 3
PHRASE_RARE = 2


def rare_stems(text: str, below: float = GENERIC_ZIPF) -> frozenset[str]:
    """Stems of the trait's words less frequent than `below` (Zipf): what makes the trait specific."""
    words = [
        w for w in (clean_letters(t.text) for t in tokenize(normalize(text))) if w and w not in _TRAIT_STOP
    ]
    return frozenset(stem(w) for w in words if vocab.zipf(w) < below)


def trait_tokens(text: str) -> list[str]:
    out = []
    for t in tokenize(normalize(text)):
        w = clean_letters(t.text)
        if w and w not in _TRAIT_STOP:
            out.append(stem(w))
    return out


@dataclass(frozen=True)
class Trait:
    character: str
    text: str
    tokens: tuple[str, ...]
    weights: tuple[float, ...]
    total: float
    distinct: float  # 0..1: how specific the trait is (its most specific token)
    # stems of its words below GENERIC_ZIPF (none for 'red shirt', 'long ears'), and below DISTINCTIVE_ZIPF
    rare: frozenset[str] = frozenset()
    distinctive: frozenset[str] = frozenset()
    # a phrase of PHRASE_WORDS or more words, PHRASE_RARE of them rare: written out whole, as specific as one
    # distinctive word ('omni-directional mobility gear': no word of it is rare enough alone)
    phrase: bool = False


@dataclass(frozen=True)
class TraitHit:
    trait: Trait
    fraction: float  # weighted share of the trait's tokens present
    matched: frozenset[str]
    # one everyday word of a longer trait ('waves' of 'sea waves', 'girl' of 'demon girl'): adds to other traits,
    # is never one of the two that make a description
    weak: bool = False


class TraitIndex:
    def __init__(self, registry: Registry) -> None:
        raw: list[tuple[str, str, list[str]]] = []
        for c in registry.characters:
            for t in c.traits:
                toks = list(dict.fromkeys(trait_tokens(t)))
                if toks:
                    raw.append((c.id, t, toks))
        df: dict[str, int] = defaultdict(int)
        for _, _, toks in raw:
            for w in toks:
                df[w] += 1
        n = max(len(raw), 1)
        norm = math.log(n + 2)
        self.traits: list[Trait] = []
        self.postings: dict[str, list[int]] = defaultdict(list)
        self.by_char: dict[str, list[int]] = defaultdict(list)
        none: frozenset[str] = frozenset()
        lex = Lexicon(
            vocab.common_en() if raw else none, none, none, none
        )  # frequent words (light inflections)
        for cid, text, toks in raw:
            ws = []
            for w in toks:
                wt = max(0.05, math.log((n + 2) / (df[w] + 0.5)) / norm)
                if lex.is_common_en(w) or w.isdigit() or len(w) <= 2:
                    wt *= 0.5
                ws.append(wt)
            tr = Trait(
                cid,
                text,
                tuple(toks),
                tuple(ws),
                sum(ws),
                max(ws),
                rare_stems(text, GENERIC_ZIPF),
                rare_stems(text, DISTINCTIVE_ZIPF),
                len(toks) >= PHRASE_WORDS and len(rare_stems(text, GENERIC_ZIPF)) >= PHRASE_RARE,
            )
            i = len(self.traits)
            self.traits.append(tr)
            self.by_char[cid].append(i)
            for w in toks:
                self.postings[w].append(i)
        self.postings = dict(self.postings)
        self.rare_limit = max(200, n // 50)
        # per rare token: its characters (first-occurrence order); per trait: token -> weight
        self.rare_chars: dict[str, tuple[str, ...]] = {
            w: tuple(dict.fromkeys(self.traits[i].character for i in p))
            for w, p in self.postings.items()
            if len(p) <= self.rare_limit
        }
        # two neighbouring words of a trait written as one ('twintails' of 'twin tails'): the joined word's stem ->
        # the two stems, read as both (TextMatcher); a rare token itself, so a prompt with it is looked at
        self.joined: dict[str, tuple[str, str]] = {}
        for cid, text, _ in raw:
            words = [clean_letters(t.text) for t in tokenize(normalize(text))]
            words = [w for w in words if w and w not in _TRAIT_STOP]
            for a, b in zip(words, words[1:], strict=False):
                if len(a) >= 3 and len(b) >= 3 and a.isalpha() and b.isalpha():
                    j = stem(a + b)
                    if j not in self.postings:
                        self.joined[j] = (stem(a), stem(b))
                        chars = self.rare_chars.get(j, ())
                        if cid not in chars:
                            self.rare_chars[j] = (*chars, cid)
        self.weight_of: list[dict[str, float]] = [
            dict(zip(t.tokens, t.weights, strict=True)) for t in self.traits
        ]

    def hits(self, stems: set[str]) -> dict[str, list[TraitHit]]:
        """Per character: the traits present (fraction >= 0.5), best first."""
        cand: set[str] = set()
        rare = self.rare_chars
        for w in stems:
            cs = rare.get(w)
            if cs is not None:
                cand.update(cs)
        out: dict[str, list[TraitHit]] = {}
        traits = self.traits
        weight_of = self.weight_of
        for cid in cand:
            hs = []
            for i in self.by_char[cid]:
                tr = traits[i]
                matched = [w for w in tr.tokens if w in stems]
                if not matched:
                    continue
                wd = weight_of[i]
                got = 0.0
                for w in matched:
                    got += wd[w]
                frac = got / tr.total
                if frac >= 0.5:
                    # part of a trait on one everyday word of it: weak ('girl' alone is not 'demon girl')
                    weak = len(matched) == 1 < len(tr.tokens) and tr.rare.isdisjoint(matched)
                    hs.append(TraitHit(tr, frac, frozenset(matched), weak))
            if hs:
                hs.sort(key=lambda h: -h.fraction * h.trait.total)
                out[cid] = hs
        return out


def distinct_hits(hs: list[TraitHit]) -> list[TraitHit]:
    """Greedy: a trait counts only if it brings a token no counted trait already used."""
    used: set[str] = set()
    out = []
    for h in hs:
        if h.matched - used:
            out.append(h)
            used |= h.matched
    return out


def descriptive_score(hs: list[TraitHit], title: bool) -> float:
    """2 distinctive traits ~0.55-0.7, 3+ traits or traits + title >= 0.75; 0 below the evidence bar."""
    eff = sum(min(1.0, h.fraction) * (0.6 + 0.4 * h.trait.distinct) for h in hs)
    n = len(hs)
    strong = [h for h in hs if not h.weak]
    if title and strong:
        return min(0.92, 0.75 + 0.05 * (n - 1) + 0.03 * max(0.0, eff - n * 0.8))
    if len(strong) < 2:
        return 0.0
    if not any(h.matched & h.trait.rare for h in hs):
        # generic traits never add up to a character, except several multi-word ones written out whole ('a blue
        # robot cat with no ears and a red nose'): a description for review, not a decision
        whole = [h for h in strong if len(h.matched) == len(h.trait.tokens) >= 2]
        return GENERIC_WHOLE_SCORE if len(whole) >= GENERIC_WHOLE_TRAITS else 0.0
    if n == 2:
        if not any(
            h.matched & h.trait.distinctive or h.trait.phrase and len(h.matched) == len(h.trait.tokens)
            for h in hs
        ):
            return 0.0
        return max(0.0, min(0.69, 0.45 + 0.15 * eff))
    score = min(0.92, 0.72 + 0.04 * eff)
    if not any(h.matched & h.trait.distinctive for h in hs):
        # three or more traits with no distinctive word among them ('a buddhist monk in a purple robe holding
        # prayer beads'): a kind of person or thing, many of them; a description for review, as two traits are
        return min(score, THREE_PLAIN_SCORE)
    return score
