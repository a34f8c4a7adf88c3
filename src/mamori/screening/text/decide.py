"""From scored hits and trait hits to one Match per character (or per work for a bare title)."""

from __future__ import annotations

from collections import defaultdict

from mamori.screening.text import morph, vocab
from mamori.screening.text.evidence import evidence_of as _evidence
from mamori.screening.text.evidence import set_aside as _set_aside
from mamori.screening.text.judge import MIN_SCORE, Hit, Scored, classify
from mamori.screening.text.lexicon import JA_HONORIFICS, JA_PERSON_HONORIFICS
from mamori.screening.text.names import PART, ROMAJI, NameIndex
from mamori.screening.text.normalize import Normalized, Token, is_hiragana, is_katakana, to_katakana
from mamori.screening.text.traits import TraitHit, descriptive_score, distinct_hits
from mamori.types import Evidence, Match, Rule, Span

_R_NAME, _R_TITLE = str(Rule.NAME), str(Rule.TITLE)  # plain strings: cheaper to compare than enum members
FULL, ONE_TRAIT = 2, 1  # what context a hit that needs it has (decide.context)
ONE_TRAIT_SCORE = 0.65  # an everyday-word name part with one trait: as two traits (traits.descriptive_score)


def _by_score(x: tuple[Scored, float]) -> float:
    return -x[1]


def _match_order(mt: Match) -> tuple[float, str, str]:
    return -mt.score, mt.character or "", mt.work


def _longest_first(s: Scored) -> tuple[int, float]:
    return -(s.hit.n1 - s.hit.n0), -s.score


class _Context:
    """Whether the rest of the prompt supports reading a hit that needs it (one per decide() call; a class, not
    closures: compiled closures make a reference cycle that keeps each prompt's objects until the collector)."""

    def __init__(
        self,
        index: NameIndex,
        work_chars: dict[str, set[str]],
        norm: Normalized,
        toks: list[Token],
        trait_hits: dict[str, list[TraitHit]],
        stems: dict[str, int],
        kept: list[Scored],
    ) -> None:
        self.index = index
        self.work_chars = work_chars
        self.norm = norm
        self.toks = toks
        self.trait_hits = trait_hits
        self.stems = stems
        self.kept = kept
        self.cleans: set[str] | None = None  # the prompt's words, when first needed
        self.kata: str | None = None  # the prompt folded to katakana, when first needed
        self.cue: bool | None = None  # a depiction cue in the prompt, when first needed

    def trait_support(self, cid: str, s: Scored, specific: bool = False) -> int:
        """How many traits of the character are present in words other than the hit itself (`specific`: only
        those matched on a distinctive word, as traits.descriptive_score asks of two traits)."""
        stems = self.stems
        n = 0
        for h in self.trait_hits.get(cid, ()):
            if h.weak or specific and not h.matched & h.trait.distinctive:
                continue
            if any(not (s.hit.t0 <= stems[w] <= s.hit.t1) for w in h.matched if w in stems):
                n += 1
        return n

    def context(self, s: Scored) -> int:
        """FULL: the prompt supports the reading; ONE_TRAIT: a single distinctive trait supports a name part that
        is an everyday word, or a name read in another sense (like two traits: not decisive); 0: none. An
        everyday-word part is itself no more than a generic trait: 'a snowman with a carrot nose' is any snowman,
        as two traits without a distinctive word are nobody (traits.descriptive_score), so its one trait must have
        a distinctive word."""
        e = s.entry
        traits = 0
        # a word the prompt reads in another sense (given to another, a word of its own) is held to the same bar
        strict = s.other or _ordinary_part(self.index, s) or _lower_word(self.index, self.toks, s)
        if self.trait_hits:
            if e.character is not None:
                traits = self.trait_support(e.character, s)
                if strict and traits == 1 and not self.trait_support(e.character, s, True):
                    traits = 0
            else:
                for c in self.work_chars[e.work]:
                    traits = max(traits, self.trait_support(c, s))
        if traits >= (2 if strict else 1):
            return FULL
        for k in self.kept:
            if k is s or k.entry.work != e.work or k.other and k.status == "needs":
                continue  # a form read in another sense ('友達のナナちゃん', '大崎駅') supports nothing
            # another form of the work elsewhere; a name and a title of the work that each need context (both
            # in ordinary words: 'rem from re zero') support each other, and so do two characters of the work each
            # named by a word that needs context ('ソラとリク', 'Sakura and Hinata')
            if k.status not in ("strong", "weak") and not (
                k.status == "needs"
                and (
                    k.entry.is_title != e.is_title
                    and len((k if k.entry.is_title else s).entry.raw) >= 4
                    or k.entry.character != e.character
                    and self.written_as_name(s)
                    and self.written_as_name(k)
                )
            ):
                continue
            if (k.hit.n1 <= s.hit.n0 or s.hit.n1 <= k.hit.n0) and k.entry.raw != e.raw:
                return FULL
        if self.title_word_near(s):
            return FULL
        # a cue says the prompt depicts a character, not which: a kanji read as romaji ('風' as 'kaze' in 'アニメ風')
        # is a word, and stays one
        if (
            not s.other
            and not (s.hit.via == "romaji" and not all(is_kana(c) for c in s.hit.lit))
            and (self.honorific_after(s) or self.depiction_cue())
        ):
            return FULL
        return ONE_TRAIT if traits else 0

    def written_as_name(self, s: Scored) -> bool:
        """A character's name, whole, written as a name: not read in another sense, not an everyday-word part of a
        longer name; in Latin letters not a lower-case English word ('knuckles', 'tails'), in Japanese written in
        katakana, as names are ('ソラ'), not as words are ('そら', '珊瑚'), nor as loanwords always are ('シルバー',
        'クリーム': katakana marks no name there)."""
        h = s.hit
        return (
            s.entry.character is not None
            and s.entry.kind != PART
            and not s.other
            and (
                not _lower_word(self.index, self.toks, s)
                if h.t0 >= 0
                else all(is_katakana(c) or c in "ー・･" for c in h.lit) and morph.loanword(h.lit) is not True
            )
        )

    def honorific_after(self, s: Scored) -> bool:
        """A kana name followed by an honorific ('うさぎちゃん', 'えどわーどくん'): said of a person or character."""
        h = s.hit
        if h.t0 >= 0 or s.entry.eid in self.index.person_parts:  # '星野さん': any Hoshino
            return False
        if self.index.frequent_name(
            to_katakana(h.lit)
        ):  # 'ユキさん', 'ナナちゃん', however it was read: anyone
            return False
        tail = to_katakana(self.norm.text[h.n1 : h.n1 + 5])
        if to_katakana(h.lit) in self.index.given_kana and any(map(tail.startswith, JA_PERSON_HONORIFICS)):
            return False  # 'ルーシーさん': anyone named Lucy ('ルーシーちゃん' is said of the character)
        return any(tail.startswith(x) for x in JA_HONORIFICS)

    def depiction_cue(self) -> bool:
        """A depiction cue in the prompt (anime, manga, fan art, cosplay, アニメ...: data/depiction_cues.txt)."""
        got = self.cue
        if got is None:
            latin, ja = vocab.depiction_cues()
            text = self.norm.text
            got = bool(latin.search(text))
            if not got and not text.isascii():
                if self.kata is None:
                    self.kata = to_katakana(text)
                got = _ja_cue_in(text, self.kata, ja)
            self.cue = got
        return got

    def title_word_near(self, s: Scored) -> bool:
        """A distinctive word of one of the work's titles elsewhere in the prompt ('Zelda' of 'The Legend of
        Zelda', 'ゼルダ' of 'ゼルダの伝説'), even where the whole title is not written."""
        work = s.entry.work
        index = self.index
        words = index.title_words.get(work)
        toks = self.toks
        if words and toks:
            cleans = self.cleans
            if cleans is None:
                cleans = self.cleans = {t.clean for t in toks}
            if not words.isdisjoint(cleans):  # else none of the work's title words is in the prompt
                h = s.hit
                for k, t in enumerate(toks):
                    if t.clean in words and not (h.t0 <= k <= h.t1) and not (h.n0 <= t.start < h.n1):
                        return True
        frags = index.title_ja.get(work)
        text = self.norm.text
        if frags and not text.isascii():
            kata = self.kata
            if kata is None:
                kata = self.kata = to_katakana(text)
            for f in frags:
                at = kata.find(f)
                while at >= 0:
                    # outside the hit, and not a piece of a longer word ('ファイ' of 'ファイナル' in 'ファイル')
                    if (at + len(f) <= s.hit.n0 or s.hit.n1 <= at) and morph.crosses_word(
                        text, at, at + len(f)
                    ) in (None, (False, False)):
                        return True
                    at = kata.find(f, at + 1)
        return False


def decide(
    index: NameIndex,
    work_chars: dict[str, set[str]],
    norm: Normalized,
    toks: list[Token],
    hits: list[Hit],
    trait_hits: dict[str, list[TraitHit]],
    stems: dict[str, int],
    aside: list[Evidence] | None = None,
) -> list[Match]:
    """`aside`, when given, receives the evidence of names set aside because they read in another sense."""
    scored = []
    for h in hits:
        s = classify(index, norm, toks, h)
        if s is not None and s.status != "drop":
            scored.append(s)
    if len(scored) > 1:
        scored = _one_reading(scored)
    # longest span wins over a different work's hit strictly inside it
    if len(scored) > 1:
        scored.sort(key=_longest_first)
    kept: list[Scored] = []
    for s in scored:
        h = s.hit
        n0, n1, work = h.n0, h.n1, s.entry.work
        for k in kept:
            kh = k.hit
            if (
                kh.n0 <= n0
                and n1 <= kh.n1
                and kh.n1 - kh.n0 > n1 - n0
                and (
                    k.entry.work != work
                    and k.status == "strong"
                    # the whole name read in another sense ('…・ヘッジホッグ型のお弁当'): so are its parts
                    or k.other
                    and k.entry.character == s.entry.character
                )
            ):
                break
            if (
                (kh.n0, kh.n1) == (n0, n1)
                and k.other
                and s.entry.kind == PART
                and k.entry.kind != PART
                and k.entry.character == s.entry.character
            ):
                break  # the part at the place of the whole one-word name read in another sense ('the Miku twins')
        else:
            kept.append(s)
    ctx_of = _Context(index, work_chars, norm, toks, trait_hits, stems, kept)
    _people_side_by_side(index, norm, toks, kept, ctx_of)
    final: list[tuple[Scored, float]] = []
    for s in kept:
        if s.status == "strong":
            final.append((s, s.score))
        elif s.status == "weak" and _ordinary_part(index, s):
            # capitalised at the start of a sentence or in a headline, an everyday word is still that word
            ctx = ctx_of.context(s)
            if ctx:
                final.append((s, min(s.score, 0.85 if ctx == FULL else ONE_TRAIT_SCORE)))
            elif aside is not None:
                aside.append(_set_aside(index, norm, s))
        elif s.status == "weak":
            ctx = ctx_of.context(s)
            if ctx == FULL:
                final.append((s, min(s.score, 0.9)))
            elif not ctx and _modifier(index, toks, s):
                # capitalised only by its place in the sentence and modifying the noun after it ('Edogawa river in
                # Tokyo', 'Asuka museum at dawn'), a name with other senses or a part of one reads as a place or a
                # word: it needs context ('Link walking a dog' stays in the review band)
                if aside is not None:
                    aside.append(_set_aside(index, norm, s))
            else:
                low = 0.55 if s.entry.kind == PART else 0.5
                final.append((s, max(low, min(s.score, ONE_TRAIT_SCORE)) if ctx == ONE_TRAIT else low))
        elif s.status == "needs":
            ctx = ctx_of.context(s)
            if ctx:
                final.append((s, min(s.score, 0.85 if ctx == FULL else ONE_TRAIT_SCORE)))
            elif aside is not None:
                aside.append(_set_aside(index, norm, s))
    by_char: dict[str, list[tuple[Scored, float]]] = defaultdict(list)
    by_work: dict[str, list[tuple[Scored, float]]] = defaultdict(list)
    for s, sc in final:
        if sc < MIN_SCORE:
            continue
        if s.entry.character is None:
            by_work[s.entry.work].append((s, sc))
        else:
            by_char[s.entry.character].append((s, sc))
    evidence: dict[str, list[Evidence]] = defaultdict(list)
    for cid, items in by_char.items():
        # several parts: at several places of the prompt, not one word read as two spellings of a part ('Hogan' as
        # 'hogan' and as the romaji of 'ホーガン')
        boost = (
            len(items) >= 2
            and len({s.entry.raw for s, _ in items if s.entry.kind == PART and s.hit.t0 >= 0}) >= 2
            and len({(s.hit.t0, s.hit.t1) for s, _ in items if s.entry.kind == PART and s.hit.t0 >= 0}) >= 2
        )
        seen: dict[tuple[int, int], float] = {}
        for s, sc in sorted(items, key=_by_score) if len(items) > 1 else items:
            if boost and s.entry.kind == PART:
                sc = max(sc, 0.95)
                s.how = s.how + "; several parts of the name together"
            key = (s.hit.n0, s.hit.n1)
            if key in seen:
                continue
            seen[key] = sc
            evidence[cid].append(_evidence(norm, s, sc))
    if trait_hits and not _original_character(norm.text):
        _add_traits(index, norm, toks, trait_hits, stems, final, by_work, evidence)
    matches: list[Match] = []
    matched_works: set[str] = set()
    char_work = index.char_work
    for cid, evs in evidence.items():
        if not evs:
            continue
        work = char_work.get(cid, "")
        matched_works.add(work)
        if by_work:
            for s, sc in by_work.get(work, ()):
                evs.append(_evidence(norm, s, sc))
        score = max(e.score for e in evs) if len(evs) > 1 else evs[0].score
        matches.append(Match(work=work, score=round(min(1.0, score), 4), character=cid, evidence=tuple(evs)))
    for work, items in by_work.items():
        if work in matched_works or not items:
            continue
        evs = [
            _evidence(norm, s, sc) for s, sc in (sorted(items, key=_by_score) if len(items) > 1 else items)
        ]
        matches.append(
            Match(work=work, score=round(max(e.score for e in evs), 4), character=None, evidence=tuple(evs))
        )
    if len(matches) > 1:
        matches.sort(key=_match_order)
    return matches


def _one_reading(scored: list[Scored]) -> list[Scored]:
    """A word the prompt writes exactly as a registered Latin form, read there in another sense ('a parrot named
    Doraemon', 'Anya's Pizzeria'), is read so for its character whatever else it also spells: its other readings
    (the romaji of the Japanese name, a romanised part) go with it."""
    sided = None
    plain = set()
    for s in scored:
        if s.hit.lit == s.entry.raw and not s.entry.ja and s.entry.kind != ROMAJI or s.entry.ja and s.other:
            # (a Japanese name read in another sense takes the parts inside it: 'ロロノア・ゾロ型のケーキ')
            if not s.other:
                plain.add((s.hit.n0, s.hit.n1, s.entry.character))
            elif sided is None:
                sided = {(s.hit.n0, s.hit.n1, s.entry.character)}
            else:
                sided.add((s.hit.n0, s.hit.n1, s.entry.character))
    if sided is None:
        return scored
    sided -= plain  # read exactly as the name too ('Goku' registered alone and as part of 'Son Goku')
    # and a reading inside a longer one read in another sense goes with it ('Gojo' of 'a dog called Satoru Gojo')
    return [
        s
        for s in scored
        if s.other
        or (s.hit.n0, s.hit.n1, s.entry.character) not in sided
        and not any(c == s.entry.character and a <= s.hit.n0 and s.hit.n1 <= b for a, b, c in sided)
    ]


def _add_traits(
    index: NameIndex,
    norm: Normalized,
    toks: list[Token],
    trait_hits: dict[str, list[TraitHit]],
    stems: dict[str, int],
    final: list[tuple[Scored, float]],
    by_work: dict[str, list[tuple[Scored, float]]],
    evidence: dict[str, list[Evidence]],
) -> None:
    """Descriptive traits (words already read as a name or title do not count again as traits)."""
    titled = {w for w, items in by_work.items() if items}
    covered = {t for s, _ in final for t in range(s.hit.t0, s.hit.t1 + 1) if s.hit.t0 >= 0}
    for cid, hs in trait_hits.items():
        if covered:
            hs = [h for h in hs if any(stems[w] not in covered for w in h.matched if w in stems)]
        dh = distinct_hits(hs)
        work = index.work_of(cid)
        ds = descriptive_score(dh, work in titled)
        if ds < MIN_SCORE:
            continue
        for h in dh:
            positions = sorted(stems[w] for w in h.matched if w in stems)
            if not positions:
                continue
            t0, t1 = toks[positions[0]], toks[positions[-1]]
            o0, o1 = norm.span(t0.start, t1.end)
            text = norm.original[o0:o1]
            evidence[cid].append(
                Evidence(
                    str(Rule.TRAIT),
                    round(ds, 4),
                    f"'{text}' matches the registered trait '{h.trait.text}' ({len(dh)} traits together"
                    + (", with a title of the work)" if work in titled else ")"),
                    Span(o0, o1),
                    text,
                    {"trait": h.trait.text},
                )
            )


_AND = frozenset({"and", "&", "und", "et", "y", "e"})


def _people_side_by_side(
    index: NameIndex, norm: Normalized, toks: list[Token], kept: list[Scored], ctx_of: _Context
) -> None:
    """Two one-word names that are also given names or surnames, of characters of different works, joined by 'and'
    with nothing else in the prompt for either ('Vincent and Violet, twins, on their first day of school'): two
    people of those names, each read so. Characters of one work side by side support each other (_Context.context);
    a crossover of names that are no one else's ('Mario and Sonic') is not affected."""
    at: dict[int, list[Scored]] = defaultdict(list)  # one-token Latin hits by token (a name and its romaji…)
    for s in kept:
        if s.hit.t0 >= 0 and s.hit.t0 == s.hit.t1:
            at[s.hit.t0].append(s)
    for t, left in at.items():
        right = at.get(t + 2, [])
        if not right or t + 1 >= len(toks) or toks[t + 1].text not in _AND:
            continue
        if {s.entry.work for s in left} & {s.entry.work for s in right}:
            continue
        pair = (*left, *right)
        if not all(_person_named(index, x) for x in pair) or any(ctx_of.context(x) for x in pair):
            continue
        said = norm.text[toks[t].start : toks[t + 2].end]
        for x in pair:
            x.status, x.other = "needs", True
            x.how = f"{x.how}; two people's names side by side ('{said}')"


def _person_named(index: NameIndex, s: Scored) -> bool:
    """A character's one-word Latin name (or name part) that is also a given name or surname."""
    senses = index.senses.get(s.hit.eid, ())
    return s.entry.character is not None and not vocab.PERSON_SENSES.isdisjoint(senses)


def _modifier(index: NameIndex, toks: list[Token], s: Scored) -> bool:
    """A Latin name part, or a name with other senses, right before a lower-case noun (vocab.nouns_only)."""
    h = s.hit
    if h.t0 < 0 or h.t1 + 1 >= len(toks) or not (s.entry.kind == PART or h.eid in index.senses):
        return False
    nxt = toks[h.t1 + 1]
    return not nxt.upper and not nxt.sep_before.strip() and nxt.text in index.nouns


def _ordinary_part(index: NameIndex, s: Scored) -> bool:
    """A part of a longer registered name that is an everyday English word ('snowman' of 'Olaf the snowman')."""
    e = s.entry
    return e.kind == PART and (e.raw in index.everyday or index.lex.is_common_en(e.raw))


def _lower_word(index: NameIndex, toks: list[Token], s: Scored) -> bool:
    """A one-word name written in lower case that is an English word ('a robin with a cowboy hat'): that word, no
    more than a generic trait itself."""
    h = s.hit
    if h.t0 < 0 or h.t0 != h.t1 or toks[h.t0].upper:
        return False
    w = toks[h.t0].text
    return w in index.dictionary or index.lex.is_common_en(w)


def is_kana(c: str) -> bool:
    return is_hiragana(c) or is_katakana(c)


def _original_character(text: str) -> bool:
    """The prompt says its subject is an original character (data/original_cues.txt)."""
    latin, ja = vocab.original_cues()
    if latin.search(text):
        return True
    if text.isascii():
        return False
    return _ja_cue_in(text, to_katakana(text), ja)


def _ja_cue_in(text: str, kata: str, cues: tuple[str, ...]) -> bool:
    """One of the Japanese cues (katakana-folded) is in the text as a word of its own: 'アニメ' in 'アニメ風', not in
    'アニメーション' (animation, a word that depicts rabbits and cities as well)."""
    for c in cues:
        at = kata.find(c)
        while at >= 0:
            if morph.whole_words(text, at, at + len(c)):
                return True
            at = kata.find(c, at + 1)
    return False


def apply_allowlist(
    allow: list[tuple[str | None, str]], norm: Normalized, matches: list[Match]
) -> list[Match]:
    """Reviewer-released phrases: evidence inside an occurrence (for that character, or any) is dropped."""
    occ: list[tuple[str | None, int, int]] = []
    text = norm.text
    for cid, phrase in allow:
        start = text.find(phrase)
        while start >= 0:
            o0, o1 = norm.span(start, start + len(phrase))
            occ.append((cid, o0, o1))
            start = text.find(phrase, start + 1)
    if not occ:
        return matches
    out = []
    for mt in matches:
        evs = tuple(
            e
            for e in mt.evidence
            if not (
                e.span is not None
                and any(
                    (cid is None or cid == mt.character) and o0 <= e.span.start and e.span.end <= o1
                    for cid, o0, o1 in occ
                )
            )
        )
        if not evs:
            continue
        if len(evs) != len(mt.evidence):
            mt = Match(work=mt.work, score=max(e.score for e in evs), character=mt.character, evidence=evs)
        out.append(mt)
    return out
