"""Turning raw automaton hits into scored evidence: boundaries, ambiguity (common words need context),
different-person and shadow-word rules, misspellings, descriptive traits, titles, allowlist."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz.distance import OSA, Levenshtein

from mamori.screening.text import morph, vocab
from mamori.screening.text.lexicon import (
    HONORIFICS,
    JA_HONORIFICS,
    JA_PARTICLES,
    JA_PERSON_HONORIFICS,
    STOPWORDS,
)
from mamori.screening.text.names import (
    FUZZY_MASK,
    HASH_B,
    HASH_P,
    NAME,
    PART,
    READING,
    ROMAJI,
    Entry,
    NameIndex,
    adjective_phrase,
    romaji_key,
    sounds_like,
)
from mamori.screening.text.normalize import (
    F_CONFUSABLE,
    F_INVISIBLE,
    F_WIDTH,
    LazyTokens,
    Normalized,
    Token,
    is_cjk,
    is_hiragana,
    is_kana,
    is_kanji,
    is_katakana,
    is_title_case_prompt,
    to_katakana,
)
from mamori.screening.text.variants import phonetic_key
from mamori.types import Rule

MIN_SCORE = 0.4
# a word transliterated from Cyrillic, Greek or Hangul this frequent in its language (Zipf) is that word
TRANSLIT_WORD_ZIPF = 4.5
_R_NAME, _R_TITLE, _R_VARIANT, _R_OBF = (
    str(Rule.NAME),
    str(Rule.TITLE),
    str(Rule.VARIANT),
    str(Rule.OBFUSCATION),
)


# per distinct prompt word (TextMatcher._word): phonetic key, trait stem, odd, may be a misspelt one-word name,
# NameIndex.pair_side, stem is a rare trait token
WordInfo = tuple[str, str, bool, bool, int, bool]


@dataclass(
    slots=True, init=False
)  # explicit __init__: compiled too in the native build (normalize.Normalized)
class Hit:
    eid: int
    n0: int  # normalised span
    n1: int
    t0: int  # token range (Latin), -1 for Japanese
    t1: int
    via: str  # plain | leet | ja | romaji | fuzzy
    lit: str  # what the prompt had (compact)
    words: tuple[str, ...]
    sim: float

    def __init__(
        self,
        eid: int,
        n0: int,
        n1: int,
        t0: int,
        t1: int,
        via: str,
        lit: str,
        words: tuple[str, ...],
        sim: float = 1.0,
    ) -> None:
        self.eid = eid
        self.n0 = n0
        self.n1 = n1
        self.t0 = t0
        self.t1 = t1
        self.via = via
        self.lit = lit
        self.words = words
        self.sim = sim


def split_ok(e: Entry, words: tuple[str, ...], toks: list[Token], i: int, j: int) -> bool:
    """A name spread over several prompt tokens: its own word split, split letters, a multi-word name,
    hyphen/apostrophe compounds ('Pac-man'), or a one-word name of 6+ letters written as two to four words of 2+
    letters ('Pika chu', 'Pi ka chu', 'Dora emon'; ordinary words, 'bat man', then need context like any ordinary
    reading)."""
    if words == e.words or len(e.words) >= 2:
        return True
    if any(toks[k].merged for k in range(i, j + 1)):
        return True
    if (
        j == i + len(words) - 1
        and e.kind != ROMAJI  # a kana name's romanisation: its Latin spellings are read as words already
        and 2 <= len(words) <= 4
        and len(e.raw) >= 6
        and min(map(len, words)) >= 2
    ):
        return True  # or in syllables ('Pi ka chu')
    return all(toks[k].sep_before in ("-", "'", "’", ".", "_") for k in range(i + 1, j + 1))


_DOTS = "・･"  # the middle dots (full- and half-width)


def ja_boundary_ok(text: str, na: int, nb: int, particles: tuple[str, ...] = JA_PARTICLES) -> bool:
    """A kana/kanji name span stands on word boundaries: a script change, a particle or honorific after it, and,
    where it touches other kana or kanji, morpheme boundaries of the morphological analysis (morph.py): never
    inside a dictionary word ('れいぞうこ', 'ゾロ目') nor a reduplicated word ('ぽにょぽにょ')."""
    first, last = text[na], text[nb - 1]
    left = text[na - 1] if na > 0 else ""
    right = text[nb] if nb < len(text) else ""
    # a middle dot is where Japanese writing itself marks a word boundary ('ハリー・ポッター'): a span beside one
    # stands on a boundary there, as beside a space, and needs no analysis on that side
    if left and left in _DOTS:
        left = ""
    if right and right in _DOTS:
        right = ""
    left_same = bool(left) and (
        (is_katakana(first) and is_katakana(left)) or (is_hiragana(first) and is_hiragana(left))
    )
    right_kata = bool(right) and is_katakana(last) and is_katakana(right)
    if right_kata:
        tail = to_katakana(text[nb : nb + 5])
        right_kata = not any(tail.startswith(h) for h in JA_HONORIFICS)
    if right and is_hiragana(last) and is_hiragana(right):
        tail = to_katakana(text[nb : nb + 5])
        if not any(tail.startswith(p) for p in particles):
            return False
    # two katakana glued inside a longer katakana word are a piece of it ('モン' in 'オーモンド')
    if nb - na <= 2 and is_katakana(first) and (left_same or left == "ー" or right_kata):
        return False
    if not (left and is_cjk(left) or right and is_cjk(right)):
        return True
    got = morph.crosses_word(text, na, nb)
    if got is None:  # no analyser: the script rules alone
        return not left_same and not right_kata
    if got[0] and left_same and is_katakana(first):
        return False  # a dictionary katakana word that runs across the name's start ('ヘクトパスカル', 'ゾロアスター')
    if got[0] and not got[1] and morph.tail_of_word(text, na, nb):
        return (
            False  # the tail of one dictionary word ('あられ' of 'ひなあられ'): that word, whatever follows
        )
    if got[0] or got[1]:
        # MeCab reads an unknown kana name by gluing its kana to the words around it ('ことし|もべ', 'たくん'): a
        # word across an edge is overruled only by a particle or honorific right after a name of 3+ kana, or by an
        # honorific after a two-kana one; a particle is written in hiragana ('マリオネット' is not 'マリオ' + 'ね')
        tail = to_katakana(text[nb : nb + 5])
        honorific = any(tail.startswith(x) for x in JA_HONORIFICS)
        if (
            # a two-kana name only before an honorific, with no word across its start ('あした|でく|ちゃん', which
            # MeCab reads 'あした|で|くちゃ|ん')
            nb - na < 3
            and not (honorific and not got[0] and got[1])
            or not any(tail.startswith(p) for p in particles)
            or is_katakana(text[nb])
            and not honorific
        ):
            return False
    n = nb - na
    seg = text[na:nb]
    return text[nb : nb + n] != seg and (na < n or text[na - n : na] != seg)


_NO_KEYS: dict[str, list[int]] = {}


def _candidates(index: NameIndex, q: str, single: bool) -> list[int]:
    """Entries (one-word forms when `single`, else multi-word) whose key or a one-character deletion of it is q, a
    one-character deletion of q or, for keys of 9+ letters, a two-character deletion of q.

    Each deletion probe's hash (names.fuzzy_hash) is computed from the prefix hashes of q without making the
    probe; only a probe whose bit is set in NameIndex.fuzzy_filter (one memory access) is made and looked up in the
    table of its length (a few cache misses in a table of 100,000+ strings): most probes are in no table."""
    key = (q, single)
    cache = index.cand_cache
    got = cache.get(key)
    if got is not None:
        return got
    fz = index.fuzzy
    n = len(q)
    bits = index.fuzzy_bits
    if not bits:
        bits = index.fuzzy_filter()
    found = [(d, fz[(single, n)]) for d in fz.get((single, n), _NO_KEYS).keys() & (q,)]
    t1 = fz.get((single, n - 1))
    t2 = fz.get((single, n - 2)) if n >= 9 else None
    if t1 or t2:
        # pre[k]: hash of q[:k]; pw[k]: B**k; suf[k]: hash of q[k:] (all mod P)
        pre = [0] * (n + 1)
        pw = [1] * (n + 1)
        for k in range(n):
            pre[k + 1] = (pre[k] * HASH_B + ord(q[k])) % HASH_P
            pw[k + 1] = pw[k] * HASH_B % HASH_P
        suf = [(pre[n] - pre[k] * pw[n - k]) % HASH_P for k in range(n + 1)]
        if t1:
            for i in range(n):  # q without q[i]
                h = (pre[i] * pw[n - 1 - i] + suf[i + 1]) % HASH_P & FUZZY_MASK
                if bits[h >> 3] >> (h & 7) & 1:
                    d = q[:i] + q[i + 1 :]
                    if d in t1:
                        found.append((d, t1))
        if t2:
            for i in range(n - 1):  # q without q[i] and q[j]
                left = pre[i] * pw[n - 2 - i]
                for j in range(i + 1, n):
                    mid = (pre[j] - pre[i + 1] * pw[j - i - 1]) % HASH_P
                    h = (left + mid * pw[n - 1 - j] + suf[j + 1]) % HASH_P & FUZZY_MASK
                    if bits[h >> 3] >> (h & 7) & 1:
                        d = q[:i] + q[i + 1 : j] + q[j + 1 :]
                        if d in t2:
                            found.append((d, t2))
    if not found:
        res: list[int] = []
    else:
        out: set[int] = set()
        for d, t in found:
            out.update(t[d])
        res = sorted(out)
    if len(cache) > 200_000:
        cache.clear()
    cache[key] = res
    return res


def fuzzy(
    index: NameIndex,
    tokens: LazyTokens,
    hits: list[Hit],
    raws: list[str],
    infos: list[WordInfo],
) -> None:
    """Misspellings: deletion-index candidates per token (and token pair), verified with Levenshtein.
    `tokens`: the prompt's tokens (built when a hit needs their offsets); `raws`: their letters/digits; `infos`: per token (key, stem, odd, may be a one-word misspelling, how it
    may open/close a misspelt multi-word name: NameIndex.pair_side), see TextMatcher._word; 'odd' words (not
    ordinary words) might be (part of) a misspelt name.

    Not probed: a token covered by a name/title hit; a token pair with both tokens covered, or with a token inside
    a multi-word name/title hit (a full form, not a part, not ordinary words); a pair whose first token is not
    (within one edit of) the leading words of a multi-word form and whose second is not (within one edit of) the
    trailing words of one, unless one of them is exactly such words and the other within two edits of the rest of
    such a form (two edits leave one side exact and the other within two, or both within one edit)."""
    if not index.fuzzy:
        return
    covered: set[int] = set()
    full: set[int] = set()
    if hits:
        entries = index.entries
        for h in hits:
            if h.t0 >= 0:
                r = range(h.t0, h.t1 + 1)
                covered.update(r)
                e = entries[h.eid]
                if len(e.words) >= 2 and e.kind != PART and not e.common:
                    full.update(r)
    cache = index.try_cache
    n = len(raws)
    nxt = infos[0]
    for i in range(n):
        info = nxt
        odd = info[2]
        if info[3] and i not in covered:
            found = cache.get((raws[i], True))
            if found is None:
                _try(index, cache, raws[i], i, i, tokens, hits, True)
            elif found:
                lit = raws[i]
                t = tokens.get()[i]
                for eid, sim in found:
                    hits.append(Hit(eid, t.start, t.end, i, i, "fuzzy", lit, (lit,), sim))
        if i + 1 < n:
            nxt = infos[i + 1]
            if not (odd or nxt[2]):
                # two everyday words: probed only where one is exactly the leading/trailing words of a multi-word
                # form and the other is not an ordinary word nor a frequent given name (lexicon.Lexicon) ('Sailor
                # Moan': 'moan' is everyday vocabulary, and one edit from 'moon')
                ex = info[4] & 2 | nxt[4] & 8
                lex = index.lex
                if not (
                    ex & 2
                    and not lex.plain_or_given(raws[i + 1])
                    or ex & 8
                    and not lex.plain_or_given(raws[i])
                ):
                    continue
            side = info[4] & 3 | nxt[4] & 12  # head of the form: 2 exact, 1 near; tail: 8 exact, 4 near
            # a function word, English or of another language of prompts ('de', 'von'), is the sentence's, not a
            # misspelt name word ('Lupin in' of 'Lupin III', 'de Ayanami' of 'Rei Ayanami'), unless the other token
            # may be a whole multi-word form run together and misspelt (long, near a leading and a trailing run,
            # exactly neither: the function word is extra)
            # and an honorific after a word is said of that name, not a misspelt word of a longer one ('Hoshino-san'
            # is not a misspelt 'Hoshino Ai'), unless a form ends with it
            if (
                raws[i + 1] in HONORIFICS
                and not side & 8
                or (raws[i] in STOPWORDS or raws[i] in index.function_words)
                and not side & 2
                and not (nxt[4] & 5 == 5 and not nxt[4] & 10 and len(raws[i + 1]) >= 8)
                or (raws[i + 1] in STOPWORDS or raws[i + 1] in index.function_words)
                and not side & 8
                and not (info[4] & 5 == 5 and not info[4] & 10 and len(raws[i]) >= 8)
            ):
                continue
            if (
                (side & 5 == 5 or side & 10 and index.pair_rest_near(info[0], nxt[0], side))
                and i not in full
                and i + 1 not in full
                and not (i in covered and i + 1 in covered)
            ):
                lit = raws[i] + raws[i + 1]
                if (
                    len(lit) >= 7 and lit.isalpha() and cache.get((lit, False)) != []
                ):  # [] known: nothing found
                    _try(index, cache, lit, i, i + 1, tokens, hits, False)


def _try(
    index: NameIndex,
    cache: dict[tuple[str, bool], list[tuple[int, float]]],
    lit: str,
    i: int,
    j: int,
    tokens: LazyTokens,
    hits: list[Hit],
    single: bool,
) -> None:
    key = (lit, single)
    found = cache.get(key)
    if found is None:
        found = _verify(index, lit, single)
        if len(cache) > 200_000:
            cache.clear()
        cache[key] = found
    if found:
        toks = tokens.get()
        for eid, sim in found:
            hits.append(Hit(eid, toks[i].start, toks[j].end, i, j, "fuzzy", lit, (lit,), sim))


def _verify(index: NameIndex, lit: str, single: bool) -> list[tuple[int, float]]:
    out: list[tuple[int, float]] = []
    q = phonetic_key(lit)
    maxd = 1 if len(lit) <= 8 else 2
    for eid in _candidates(index, q, single):
        e = index.entries[eid]
        if single != (len(e.words) <= 1) and not (single and e.kind == ROMAJI):  # see NameIndex.fuzzy
            continue
        k = index.fuzzy_key[eid]
        # optimal string alignment: an edit is an insertion, deletion, substitution or a swap of two neighbouring
        # letters, the commonest typo ('Nezkuo' for 'Nezuko')
        d = OSA.distance(q, k, score_cutoff=maxd)
        if d > maxd or d == 0:
            continue
        if q[0] != k[0] and min(len(q), len(k)) <= 4 and q[0] not in "aeiou" and k[0] not in "aeiou":
            # a short name with another first consonant is another word ('Yuuka' is no 'sukaa', スカー); a first
            # vowel varies with the romanisation ('Eievui', 'iibui')
            continue
        if lit.startswith(e.raw):  # 'vegetables' is not a misspelt 'Vegeta'
            continue
        if e.kind != ROMAJI and OSA.distance(lit, e.raw) > maxd + 1:
            continue
        out.append((eid, 1.0 - d / max(len(q), len(k))))
    return out


# ---------------------------------------------------------------- judging


@dataclass(slots=True, init=False)
class Scored:
    hit: Hit
    entry: Entry
    score: float
    rule: str
    how: str
    status: str  # strong | weak | needs (needs context) | drop
    other: bool  # read in another sense (named, another person, an owner): cues alone do not bring it back

    def __init__(
        self, hit: Hit, entry: Entry, score: float, rule: str, how: str, status: str, other: bool = False
    ) -> None:
        self.hit = hit
        self.entry = entry
        self.score = score
        self.rule = rule
        self.how = how
        self.status = status
        self.other = other


def classify(index: NameIndex, norm: Normalized, toks: list[Token], h: Hit) -> Scored | None:
    e = index.entries[h.eid]
    title = e.is_title
    flags = 0 if norm.flags is None else norm.flags_in(h.n0, h.n1)  # None: nothing folded (identity map)
    if h.via == "ja":
        seg = norm.text[h.n0 : h.n1].replace("・", "").replace("･", "").replace(" ", "")  # without separators
        label = _LABELS.get(e.label)
        if label is None:
            label = "".join(c for c in normalize_label(e.label) if c not in "・･ ")
            if len(_LABELS) > 50_000:
                _LABELS.clear()
            _LABELS[e.label] = label
        if flags & (F_INVISIBLE | F_CONFUSABLE):
            how, rule, score = "invisible characters", _R_OBF, 0.95
        elif len(seg) < h.n1 - h.n0 and "・" in h.lit and "・" not in e.label:
            how, rule, score = "kana split by dots", _R_OBF, 0.95
        elif e.transcribed:
            how, rule, score = "katakana reading of the Latin name", _R_VARIANT, 0.9
        elif seg in index.hanzi:
            how, rule, score = "written in Chinese characters", _R_VARIANT, 0.95
        elif seg == label or label.endswith(seg) and e.kind == PART:
            how, rule, score = "exact", _R_TITLE if title else _R_NAME, 1.0
        elif e.kind == READING:
            how, rule, score = "kana reading of the kanji", _R_VARIANT, 0.93
        else:
            how, rule, score = "hiragana/katakana", _R_VARIANT, 0.95
        if e.kind == PART:
            how, rule, score = f"part of the name ({how})", _R_VARIANT, min(score, 0.85)
        everyday = index.lex.everyday_ja(to_katakana(seg))
        amb = e.common or len(e.raw) <= 1 or everyday
        # the name as the prompt writes it is a place the analyser knows, and as often written as an everyday word
        # ('大阪', 'さいたま', '長門'): that place, as 'Osaka' in Latin letters, unless the prompt says more
        place = not amb and not title and _frequent_place(index, norm.text, h.n0, h.n1, seg)
        # a katakana name written in hiragana, where hiragana spells a dictionary word ('かかし', 案山子), whatever the
        # analyser makes of the sentence around it
        word = (
            not amb and to_katakana(seg) in index.hira_words and all(is_hiragana(c) or c == "ー" for c in seg)
        )
        if place:
            amb, how = True, f"{how}; a place name"
        elif word:
            amb, how = True, f"{how}; a dictionary word in hiragana"
        swapped = _kana_swapped(norm.text, h.n0, h.n1, e)
        if (
            amb
            and not place
            and not word
            and len(seg) >= 3
            and swapped is True
            and e.eid not in index.person_parts
        ):
            # a name registered in katakana written in hiragana, where the analyser finds no word ('えどわーど',
            # 'ばにー'): a loanword's ordinary sense is written in katakana, so this spelling is the name's; not a
            # frequent Japanese name ('たけし', 'さとし'), which people write in hiragana as often
            amb, how = False, f"{how}; the katakana name written in hiragana"
        elif not amb and swapped is False:
            # the same in hiragana where the analyser reads one dictionary word ('きき' of 'ききかんり', 危機): that
            # word, unless the prompt says otherwise (an honorific, a trait, a cue)
            amb, how = True, f"{how}; a dictionary word in hiragana"
        status = "needs" if amb else "strong"
        # a whole katakana name that is also a word, doing something in its sentence ('リンクが自転車に乗っている',
        # 'ラーメンを食べるソニック'): as a capitalised sentence subject in English, the review band
        if (
            amb
            and e.kind == NAME
            and all(is_katakana(c) or c == "ー" for c in seg)
            and morph.acts(norm.text, h.n0, h.n1)
        ):
            status, how = "weak", f"{how}; the subject of its sentence"
        elif amb and not everyday and _homophone_alone(index, norm.text, h, e):
            # a kana name set apart in a Latin sentence ('きき the delivery witch'), where it is no everyday kana
            # word: as a capitalised word, the review band
            status = "weak"
        elif (
            not amb
            and (e.kind == NAME or e.kind == PART)
            and h.n1 < len(norm.text)
            and is_katakana(norm.text[h.n1])  # most names are followed by a particle: no analysis
            and all(is_katakana(c) or c == "ー" for c in seg)
            and morph.before_loanword(norm.text, h.n0, h.n1)
        ):
            # a common noun before a katakana noun: a word compound ('チョッパーバイク'), as 'Edogawa river'
            status, how = "needs", f"{how}; a word compound with the word after it"
        compound = status == "needs" and not amb  # read as a word compound: the reason to show when set aside
        named = _ja_named(norm.text, h.n1)
        # a likeness of something else ('パックマン型'), or the writer's own ('うちの猫のトトロ')
        elsewise = _ja_elsewise(index, norm.text, h, e)
        if named:
            status, how = "needs", f"{how}; given to another ('{named}')"
        elif elsewise:
            status, how, named = "needs", f"{how}; {elsewise}", elsewise
        elif _gloss(norm.text, h):
            status, how = "needs", f"{how}; the reading of the word before it"
            named = "gloss"
        elif office := _office_after(norm.text, h.n1):
            # 'ガーフィールド大統領': the office-holder of that name (data/office_titles.txt)
            status, how, named = "needs", f"{how}; a person ('{office}' after it)", office
        elif seg in index.given_kana and _person_with_honorific(norm.text, h):
            # as a frequent Japanese name: the honorific is no context, a cue or the work's title is
            status, how = "needs", f"{how}; a person of that name ('{norm.text[h.n0 : h.n1 + 2]}')"
        elif e.kind == PART or e.kind == NAME or title:
            other = kana_other_person(index, norm.text, h, e)
            if other:
                status, how = "needs", f"{how}; another person's name beside '{other}'"
                named = other
        return Scored(h, e, score, rule, how, status, bool(named) or compound)
    if h.via == "translit":
        # the name as registered in that alphabet ('도라에몽', 'Чебурашка'): the rightsholder's own spelling
        native = not e.ja and "".join(h.lit.split()).lower() == "".join(e.label.split()).lower()
        # a name written in another alphabet: as a romanised kana name, an everyday word or a part needs context
        amb = e.common or e.kind == PART or not native and e.kind != ROMAJI and index.lex.is_common_en(e.raw)
        how = f"'{h.lit}' written in another alphabet" if not native else "exact"
        native_z = 0.0 if amb else index.script_words.get(h.lit.lower(), 0.0)
        if native_z >= TRANSLIT_WORD_ZIPF:  # a frequent word of that language ('нами', 'by us'): that word
            amb, how = True, f"{how}; an everyday word of its language"
        # a name with other senses, or a word of that language as well (a given name: 'Марио', 'Аня'), is as a
        # capitalised name at a sentence start: review; not the registered spelling itself, which is as frequent
        # as the character is famous ('도라에몽')
        weak = h.eid in index.senses or not native and native_z >= vocab.JA_EVERYDAY_ZIPF
        status = "needs" if amb else "weak" if weak else "strong"
        if native:
            return Scored(h, e, 1.0, _R_TITLE if e.is_title else _R_NAME, how, status)
        return Scored(h, e, 0.85 if e.kind == PART else 0.9, _R_VARIANT, how, status)
    if h.via == "romaji":
        kata = to_katakana(h.lit)
        amb = (
            e.common
            or index.lex.everyday_ja(kata)
            or kata in index.kanji_readings  # 'ほたる' is also 蛍
            or index.frequent_name(kata)  # 'シノブ', 'ナナ': many people's name
            or e.kind == PART  # a part of the name alone, as in Latin letters: 'さとる' is any Satoru
            or _kanji_words(norm.text, h)
            or _kanji_place(norm.text, h)
            or _frequent_place(index, norm.text, h.n0, h.n1, h.lit)
            # kana the analyser reads as one dictionary word ('らんまん', 爛漫): that word, not a name's sound
            or all(is_kana(c) or c == "ー" for c in h.lit)
            and morph.one_word(norm.text, h.n0, h.n1) is True
            # the katakana loanword of an English word the name is ('ピッコロ' of 'Piccolo')
            or is_katakana(h.lit[0])
            and (e.raw in index.dictionary or index.lex.is_common_en(e.raw))
            and morph.common_noun(kata) is True
        )
        score = 0.85 if e.kind == PART else 0.92
        how = "romaji reading of the kana"
        status = "needs" if amb else "strong"
        if kata in index.given_kana and _person_with_honorific(norm.text, h):
            status, how = "needs", f"{how}; a person of that name ('{norm.text[h.n0 : h.n1 + 2]}')"
        if amb and not index.lex.everyday_ja(kata) and _homophone_alone(index, norm.text, h, e):
            # a part typed in kana as a word of a Latin sentence ('ちひろ riding a bicycle'): set apart as a
            # capitalised word is, the review band
            status = "weak"
        named = _ja_named(norm.text, h.n1)
        # a likeness of something else ('パックマン型'), or the writer's own ('うちの猫のトトロ')
        elsewise = _ja_elsewise(index, norm.text, h, e)
        if named:
            status, how = "needs", f"{how}; given to another ('{named}')"
        elif elsewise:
            status, how, named = "needs", f"{how}; {elsewise}", elsewise
        elif _gloss(norm.text, h):
            status, how, named = "needs", f"{how}; the reading of the word before it", "gloss"
        return Scored(h, e, score, _R_VARIANT, how, status, bool(named))
    # Latin
    ts = toks[h.t0 : h.t1 + 1]
    if len(ts) == 1:
        merged = ts[0].merged
    else:
        merged = False
        for t in ts:
            if t.merged:
                merged = True
                break
    lit = h.lit
    if h.via == "fuzzy":
        if len(ts) > 1 and "'" not in e.label and "’" not in e.label and _possessive_inside(norm, ts):
            return None  # 'Edward's Deli' is Edward's shop, not a misspelt 'Edward Elric'
        how, rule = "misspelling", _R_VARIANT
        score = 0.75 + 0.15 * max(0.0, min(1.0, (h.sim - 0.7) / 0.3))
    elif lit == e.raw:
        if h.via == "leet":
            how, rule, score = "leetspeak", _R_OBF, 0.93
        elif merged:
            how, rule, score = "split letters", _R_OBF, 0.95
        elif flags & F_CONFUSABLE:
            how, rule, score = "look-alike characters", _R_OBF, 0.95
        elif flags & F_INVISIBLE:
            how, rule, score = "invisible characters", _R_OBF, 0.95
        elif e.kind == ROMAJI:
            how, rule, score = "romanisation of the Japanese name", _R_VARIANT, 0.95
        elif h.words == e.words or e.kind == PART:
            how, rule, score = "exact", _R_TITLE if title else _R_NAME, 1.0
            if flags & F_WIDTH:
                how = "full-width/compatibility characters"
        else:
            how, rule, score = "spacing/punctuation", _R_VARIANT, 0.95
    else:
        if len(lit) < 4 or all(index.lex.plain_or_given(w) for w in h.words):
            return None
        if e.kind == ROMAJI:
            how, rule, score = "romanisation of the kana name", _R_VARIANT, 0.92
        else:
            how, rule, score = "romanisation/spelling variant", _R_VARIANT, 0.9
        if h.via == "leet" or merged or flags & (F_CONFUSABLE | F_INVISIBLE):
            how, rule, score = how + " + obfuscation", _R_OBF, 0.9
    if e.kind == PART:
        score = min(score, 0.85)
        how = f"part of the name ({how})"
        if rule == _R_NAME:
            rule = _R_VARIANT
    obfuscated = rule == _R_OBF
    same_words = h.words == e.words
    ja_word = False
    if len(e.words) >= 2 and e.kind != PART:
        # a multi-word form: commonness is judged on what the prompt wrote. Its registered words are ordinary
        # English only when written as those words; joined ('Skyrider', 'skyrider') or misspelt it is not a word.
        surface_common = e.common if same_words else all(index.lex.ordinary_word(w) for w in h.words)
        amb = (surface_common and not obfuscated) or len(e.raw) <= 3
    else:
        if obfuscated:
            amb = len(e.raw) <= 3
        elif e.common or e.kind == PART or len(e.raw) <= 3:
            amb = True
        elif "word:ja" in index.senses.get(h.eid, ()) and lit == e.raw and not any(t.upper for t in ts):
            # the romaji of an everyday Japanese word in lower case ('a bowl of gohan'): that word, as a lower-case
            # dictionary word is, unless it does something ('mochi bouncing in a meadow')
            amb = True
            ja_word = True
        else:  # all the prompt's words ordinary English: frequent, or dictionary words ('toad', 'chopper')
            amb = True
            is_common_en = index.lex.is_common_en
            dictionary = index.dictionary
            # a one-word name split into syllables ('Ve ge ta') is judged as the word it spells; split into words
            # ('a moon blade' of 'Moonblade'), as those words
            syllables = len(h.words) > len(e.words) and min(map(len, h.words)) <= 2
            for w in (lit,) if syllables else h.words:
                if not is_common_en(w) and w not in dictionary:
                    amb = False
                    break
    status = "strong"
    if title and single_word_title(e) and _honorific_next(toks, h):
        # 'Nana-san': a one-word title with a Japanese honorific after it is someone of that name
        return Scored(h, e, score, rule, f"{how}; a person ('{toks[h.t1 + 1].text}' after it)", "needs", True)
    if amb:
        status = _capitalisation(ts, toks, h, index, title)
        if status == "needs" and len(e.words) >= 2 and _as_registered_caps(norm, h, e):
            status = "strong"  # 'SPY×FAMILY': the rightsholder's own capitals, not short acronyms
        if (
            ja_word
            and status == "needs"
            and h.t1 + 1 < len(toks)
            and not toks[h.t1 + 1].sep_before.strip()
            and vocab.present_participle(toks[h.t1 + 1].text)
        ):
            status = "weak"
        if status == "needs" and same_words and len(e.words) >= 2 and e.kind != PART and not obfuscated:
            if e.coined and all(toks[k].sep_before in ("-", "‐", "‑") for k in range(h.t0 + 1, h.t1 + 1)):
                status = "strong"  # 'sky-rider': the registered compound itself, whatever the case
            elif (
                not title
                and not index.lex.frequent_phrase(e.words)
                and not adjective_phrase(index.lex, index.dictionary, e.words)
                and not any(t.merged for t in ts)
                # written as the name: words apart by spaces, or joined by a mark ('sailor.moon', 'SAILOR_MOON'),
                # not set apart by a sentence's punctuation ('Hello, kitty!')
                and all(_joined_or_spaced(t.sep_before) for t in ts[1:])
            ):
                # 'sky rider', 'tom walker': the whole registered name in lower case, not an English phrase
                status, score, how = "strong", min(score, 0.9), how + ", lower case"
    elif (
        title
        and not obfuscated
        and not any(t.upper for t in ts)
        and any(index.lex.is_common_en(w) for w in h.words)
    ):
        status = "needs"  # 'an iron tide of water': a lower-case title made of ordinary words
    # one word in the prompt for a one-word form, a part, or the romaji of a Japanese name ('Doraemon' of 'ドラえもん',
    # romanised 'dora emon')
    single = h.t0 == h.t1 and (len(e.words) <= 1 or e.kind == ROMAJI) or e.kind == PART
    other = ""
    if lit != e.raw and not obfuscated and not merged and index.homographs:
        # 'Zorro' is not a misspelt 'Zoro': a spelling more frequent than the registered one is a word of its own
        # (the noisy-channel prior of a spelling corrector): it names the character only with context
        z = index.homographs.get(lit)
        if z is not None and z >= index.spelling_zipf.get(h.eid, 0.0) + vocab.HOMOGRAPH_MARGIN:
            status = "needs"
            other = f"'{lit}' is a word or name of its own, more frequent than '{e.raw}'"
            return Scored(h, e, score, rule, f"{how}; {other}", status, True)
    if status != "drop" and h.t1 + 1 < len(toks):
        nxt = toks[h.t1 + 1]
        if nxt.sep_before == "-" and nxt.text in vocab.likeness_cues()[0]:
            # 'a godzilla-sized burger': a measure or shape of something else (data/likeness_cues.txt)
            other = f"a likeness of something else ('-{nxt.text}')"
            return Scored(h, e, score, rule, f"{how}; {other}", "needs", True)
    if status not in ("drop", "needs") and not single:
        # a name of several words given to another ('a cat named Mega Man') or of the writer's own ('my uncle
        # Megaman'), as a one-word name is (other_sense)
        if h.t0 > 0 and toks[h.t0 - 1].text in vocab.naming_cues()[0]:
            other = "given to another ('" + toks[h.t0 - 1].text + "')"
        else:
            own = _own(toks, h)
            other = f"the writer's own ('{own}')" if own else ""
        if other:
            return Scored(h, e, score, rule, f"{how}; {other}", "needs", True)
    if status != "drop" and status != "needs" and single and not obfuscated:
        # 'Kiki's Bakery': a possessive, the capitalised word after it is what is owned (other_sense), no surname
        possessive = norm.text[h.n1 : h.n1 + 2] in ("'s", "’s")
        many = index.person_parts.get(h.eid) or (
            index.hon_person.get(h.eid, "") if _honorific_next(toks, h) else ""
        )
        if lit in index.doubled and _doubled(toks, h):
            # 'a kira kira sticker': the Japanese word the name makes written twice (キラキラ), not the name
            status, how = "needs", f"{how}; written twice, the Japanese word '{lit}{lit}'"
        elif many:
            # the romaji of a frequent Japanese surname or given name of the character ('Hoshino' of 'Ai Hoshino',
            # '星野アイ'): many people's name, honorific or not ('Hoshino-san'); the character's only with context
            status, how = "needs", f"{how}; a frequent Japanese {many.replace('-', ' ')}"
        elif not possessive and _different_person(index, toks, h) or _shadowed(toks, h):
            status = "needs"
        else:
            other = (
                other_sense(index, norm, toks, h)
                or _lower_modifier(index, toks, h)
                or _pet_named(index, toks, h, e)
            )
            if other:
                status, how = "needs", f"{how}; {other}"
            elif status == "weak" and _epithet_after(toks, h):
                # 'Scar the lion', 'Dory the fish': a capitalised word with an epithet after it is a name, as
                # 'Kiki the witch' is; an everyday word takes none
                status, how = "strong", f"{how}; an epithet after it"
    return Scored(h, e, score, rule, how, status, bool(other))


def _possessive_inside(norm: Normalized, ts: list[Token]) -> bool:
    """A possessive 's after one of the tokens but the last: the words after it are what is owned."""
    return any(norm.text[t.end : t.end + 2] in ("'s", "’s") for t in ts[:-1])


def _own(toks: list[Token], h: Hit) -> str:
    """A first-person possessive that makes the one-word name someone or something of the writer's own
    (data/own_cues.txt): before it, with one to three lower-case words between ('my grandmother Elsa', 'our old dog
    Goofy'; not 'my Elsa doll'), or after a comma right after it ('Elsa, my grandmother'). The phrase, or ''."""
    cues = vocab.own_cues()
    for k in range(2, 5):
        i = h.t0 - k
        if i < 0:
            break
        between = toks[i + 1 : h.t0 + 1]
        if between[-1].sep_before != " " or any(
            t.sep_before not in (" ", "-") or t.upper or not t.text.isalpha() for t in between[:-1]
        ):
            break
        if toks[i].text in cues:
            return " ".join(t.text for t in toks[i : h.t0])
    k = h.t1 + 1
    if k + 1 < len(toks) and toks[k].sep_before.strip() == "," and toks[k].text in cues:
        return ", " + " ".join(t.text for t in toks[k : k + 2])
    return ""


def _doubled(toks: list[Token], h: Hit) -> bool:
    """The one-token hit is written twice in a row, apart by a space or a hyphen ('kira kira', 'Kira-kira')."""
    t = toks[h.t0]
    after = toks[h.t1 + 1] if h.t1 + 1 < len(toks) else None
    if after is not None and after.text == t.text and after.sep_before in (" ", "-"):
        return True
    before = toks[h.t0 - 1] if h.t0 > 0 else None
    return before is not None and before.text == t.text and t.sep_before in (" ", "-")


APPOSITION_WORDS = 6  # words of an apposition read after a name ('Joy, a retired teacher from Ohio')


def _described_otherwise(index: NameIndex, toks: list[Token], h: Hit, person: bool) -> str:
    """A name that is also a given name or surname, described after a comma as someone the character is not: an
    apposition in one of the prompts' languages ('Jasmine, a software engineer', 'Mario, un pizzaiolo napoletano',
    'Max, el perro de la familia'; data/articles.txt) whose words are none of the character's trait, name or title
    words (NameIndex.trait_words, registered_words) and none of a picture's or a fiction's (data/fiction_words.txt:
    'Elsa, a watercolor painting', 'Mario, the famous video game hero'), or an age ('Emilia, age 7'): someone of that
    name. An apposition naming an animal (data/pet_nouns.txt: 'Haru, a shiba inu') makes any name an animal's, unless
    the character is that animal. '' when not. An epithet without a comma is left to the other rules ('Thorn the
    lion' may be the work's)."""
    k = h.t1 + 1
    if k + 1 >= len(toks) or toks[k].sep_before.strip() != "," or toks[k].upper:
        return ""
    first = toks[k]
    if person and first.text == "age" and toks[k + 1].text.isdigit():
        return f"a person of that name (', age {toks[k + 1].text}')"
    if first.text not in vocab.articles():
        return ""
    words: list[str] = []
    for t in toks[k + 1 : k + 1 + APPOSITION_WORDS]:
        if t.sep_before.strip() and t.sep_before.strip() not in ("-", "'", "’"):
            break
        words.append(t.text.lower())
    if not any(w.isalpha() and len(w) >= 3 for w in words):
        return ""
    e = index.entries[h.eid]
    own = index.trait_words.get(e.character or "", frozenset())
    fiction = vocab.fiction_words()
    for w in words:
        if w in STOPWORDS or w in index.function_words:
            continue  # 'from' of a trait 'courier from the satellite' says nothing
        if (
            w in own
            or w in fiction
            or w in index.registered_words
            or w.capitalize() in index.registered_words
        ):
            return ""
    said = f"', {first.text} {' '.join(words)}'"
    pets = vocab.pet_nouns()
    animal = next((pets[w] for w in words if w in pets), None)
    if animal is not None:
        return "" if _its_animal(index, e, animal) else f"an animal of that name ({said})"
    return f"someone of that name ({said})" if person else ""


def _epithet_after(toks: list[Token], h: Hit) -> bool:
    """The capitalised one-word hit is followed by 'the' and a lower-case word, spaces between ('Scar the lion')."""
    k = h.t1 + 1
    if k + 1 >= len(toks) or not toks[h.t0].upper or toks[h.t0].allcaps:
        return False
    the, noun = toks[k], toks[k + 1]
    return (
        the.text == "the"
        and not the.upper
        and not the.sep_before.strip()
        and not noun.upper
        and not noun.sep_before.strip()
        and noun.text.isalpha()
    )


def _first_word(index: NameIndex, e: Entry) -> bool:
    """A part that is the first word of its registered name of several words."""
    parent = index.entries[e.parent] if e.parent >= 0 else None
    return parent is not None and len(parent.words) >= 2 and parent.words[0] == e.raw


def _place_noun(word: str) -> bool:
    """A noun of a place's parts or features (data/place_heads.txt, data/feature_heads.txt), singular or plural."""
    heads = vocab.place_nouns()
    return word in heads or word.endswith("s") and word[:-1] in heads


def _region_after(index: NameIndex, toks: list[Token], h: Hit) -> str:
    """A country, US state or continent after a comma right after the name ('Homer, Alaska', 'Lucca, Italy at
    sunset'), not a possessive: the name is a place there. The region as written, or ''."""
    k = h.t1 + 1
    if k >= len(toks) or toks[k].sep_before.strip() != "," or not toks[k].upper:
        return ""
    for n in (5, 4, 3, 2, 1):
        end = k + n
        if end > len(toks) or any(toks[j].sep_before != " " for j in range(k + 1, end)):
            continue
        if " ".join(t.text for t in toks[k:end]) not in index.regions:
            continue
        # not a possessive: 'Mario, Italy's favourite plumber'
        if end == len(toks) or toks[end].sep_before.strip() not in ("'", "’"):
            return " ".join(t.text for t in toks[k:end])
    return ""


def other_sense(index: NameIndex, norm: Normalized, toks: list[Token], h: Hit) -> str:
    """Why a one-word name reads here as something else than the character ('' when it does not): given to
    another ('a dog named X'), a person's name beside another capitalised name ('King Olaf', 'Sarutobi Sasuke')
    when the name is a given name or surname, an owner ('X's bakery') when the name has any other sense."""
    latin_cues, _ = vocab.naming_cues()
    if h.t0 > 0 and toks[h.t0 - 1].text in latin_cues:
        return "given to another ('" + toks[h.t0 - 1].text + "')"
    own = _own(toks, h)
    if own:
        return f"the writer's own ('{own}')"
    region = _region_after(index, toks, h)
    if region:
        return f"a place (', {region}' after it)"
    # German capitalises every noun: after a German determiner, a German word is that noun ('das Atom')
    if (
        h.t0 > 0
        and (de := toks[h.t0 - 1]).text in vocab.german_determiners()
        and not de.sep_before.strip()
        and index.entries[h.eid].raw in index.german_nouns
    ):
        return f"a German noun ('{norm.text[de.start : toks[h.t0].end]}')"
    # 'the island of Nami', 'la isla de Nami', 'Lake Kira': the name of a place (data/place_before.txt)
    for n in (2, 1):
        if h.t0 >= n and all(not toks[k].sep_before.strip() for k in range(h.t0 - n + 1, h.t0 + 1)):
            words = tuple(t.text for t in toks[h.t0 - n : h.t0])
            if words in vocab.place_before():
                return f"a place ('{norm.text[toks[h.t0 - n].start : toks[h.t0 - 1].end]}' before it)"
    senses = index.senses.get(h.eid, ()) or index.raw_senses.get(h.lit, ())
    person = bool(senses) and not vocab.PERSON_SENSES.isdisjoint(senses)
    if senses and h.t1 + 1 < len(toks):
        # 'the Po river', 'the Po valley': a name with other senses before the noun of a natural feature
        nxt = toks[h.t1 + 1]
        if not nxt.upper and not nxt.sep_before.strip() and nxt.text in vocab.feature_heads():
            return f"a place ('{nxt.text}' after it)"
    described = _described_otherwise(index, toks, h, person or index.entries[h.eid].kind == PART)
    if described:
        return described
    if h.t0 > 0 and (person or index.entries[h.eid].kind == PART):
        # a given name or surname after another capitalised word: a person's full name. For a part of a registered
        # full name ('Sasuke' of 'Sasuke Uchiha'), a name word that is not the registered one's ('Sarutobi
        # Sasuke') names someone else; an everyday word there ('Angry Sasuke', 'Lord Vader') names nobody, except
        # before a known given name or surname ('King Olaf')
        prev = toks[h.t0 - 1]
        if (
            prev.upper
            and not prev.allcaps
            and not prev.sep_before.strip()
            and prev.text.isalpha()
            and len(prev.text) >= 2
            and not _headline(index, toks)
            # not the other registered name words, nor a short form of one ('Ed Elric')
            and not index.starts_a_registered_word(prev.text)
            and (person or not index.lex.is_common_en(prev.text))
            and not sibling_word(index, h, prev.text)
        ):
            also = f" (also {', '.join(senses)})" if person else " (a part of the registered name)"
            return f"another person's name beside '{prev.text}'{also}"
    if not senses:
        return ""
    if h.t0 > 0 and "place" in senses and toks[h.t0 - 1].text in vocab.locative_cues():
        return f"a place ('{toks[h.t0 - 1].text}' before it)"
    if "place" in senses and h.t0 > 1 and toks[h.t0 - 1].text == "of" and _place_noun(toks[h.t0 - 2].text):
        # 'the walls of Lucca', 'the harbour of Maui': a place's part or feature, then 'of'
        return f"a place ('{toks[h.t0 - 2].text} of' before it)"
    if (
        "place" in senses
        and h.t1 + 1 < len(toks)
        and toks[h.t1 + 1].text.lower() in vocab.place_heads()
        and not toks[h.t1 + 1].sep_before.strip()
    ):
        return f"a place ('{toks[h.t1 + 1].text}' after it)"
    if (
        person  # a surname, or a given name used as one ('the Jonas brothers')
        # 'the Simpson family' of 'Homer Simpson' is his family; a first name is not ('Blaze' of 'Blaze the Cat')
        and (index.entries[h.eid].kind != PART or _first_word(index, index.entries[h.eid]))
        and h.t1 + 1 < len(toks)
        and toks[h.t1 + 1].text.lower() in vocab.family_cues()
        and not toks[h.t1 + 1].sep_before.strip()
    ):
        return f"a family's name ('{toks[h.t1 + 1].text}' after it)"
    after = norm.text[h.n1 : h.n1 + 2]
    if after in ("'s", "’s") and not (h.t1 + 1 < len(toks) and toks[h.t1 + 1].start == h.n1 + 1):
        return f"an owner's name (also {', '.join(senses)})"
    return ""


_LABELS: dict[str, str] = {}  # label -> its normalised form without ・/space separators (bounded)


def normalize_label(label: str) -> str:
    from mamori.screening.text.normalize import normalize

    return normalize(label).text


def _kanji_words(text: str, h: Hit) -> bool:
    """A romaji hit on kanji made of ordinary Japanese words ('機器' read 'kiki', '付きの' read 'tsukino'): those
    words, not a name written in kanji ('月野うさぎ': '月野' is a surname)."""
    if not any(is_kanji(c) for c in h.lit):
        return False
    return morph.ordinary_words(text, h.n0, h.n1) is True


def _as_registered_caps(norm: Normalized, h: Hit, e: Entry) -> bool:
    """The prompt writes a multi-word form registered in capitals exactly as registered ('SPY×FAMILY')."""
    label = e.label
    if not label.isupper():
        return False
    a, b = norm.span(h.n0, h.n1)
    return norm.original[a:b] == label


def _joined_or_spaced(sep: str) -> bool:
    """A separator between two words of a name as written: spaces only, or marks without a space and none of a
    sentence's ('-', '_', '.'; not ', ', '! ')."""
    mark = sep.strip()
    if not mark:
        return True
    return mark == sep and not any(c in ",;:!?" for c in mark)


def _kanji_place(text: str, h: Hit) -> bool:
    """A romaji hit on kanji the analyser reads as a place name ('鳴門' read 'naruto' in '鳴門海峡'): the place."""
    if not any(is_kanji(c) for c in h.lit):
        return False
    return morph.place_name(text, h.n0, h.n1) is True


def _gloss(text: str, h: Hit) -> bool:
    """A kana word in brackets right after a Japanese word ('冥王星(プルート)', '傷跡（スカー）'): the reading or
    gloss of that word."""
    n0, n1 = h.n0, h.n1
    return (
        n0 >= 2
        and n1 < len(text)
        and text[n0 - 1] in "(（"
        and text[n1] in ")）"
        and is_cjk(text[n0 - 2])
        and all(is_kana(c) or c == "ー" for c in text[n0:n1])
    )


def _office_after(text: str, n1: int) -> str:
    """The office of a real person written right after a Japanese name ('大統領', '首相'; data/office_titles.txt), or
    ''."""
    tail = to_katakana(text[n1 : n1 + 4])
    return next((o for o in vocab.office_titles()[1] if tail.startswith(o)), "")


def _ja_elsewise(index: NameIndex, text: str, h: Hit, e: Entry) -> str:
    """Why a name in Japanese writing reads as something else (a likeness, the writer's own, an animal of that
    name, an adjective), or ''."""
    return (
        _ja_likeness(text, h.n1)
        or _ja_own(text, h.n0)
        or _ja_pet(index, text, h.n0, h.n1, e)
        or _ja_adjective(text, h)
        or _ja_place(text, h)
        or _ja_adverb(text, h)
    )


_JA_REGION_ENDS = "県府都道市郡町村区"  # the last kanji of a prefecture's or a city's name ('滋賀県')


def _ja_adverb(text: str, h: Hit) -> str:
    """A katakana name the analyser reads as an adverb, with the verb 'する' after it ('胃がムカムカする', 'ワクワクして'):
    the adverb, or ''."""
    if text[h.n1 : h.n1 + 1] != "し" and text[h.n1 : h.n1 + 2] != "する":
        return ""
    if not all(is_katakana(c) or c == "ー" for c in h.lit) or morph.adverb(text, h.n0, h.n1) is not True:
        return ""
    return f"an adverb ('{text[h.n0 : h.n1 + 2]}')"


def _ja_place(text: str, h: Hit) -> str:
    """A katakana or kanji name (or part) the analyser reads as a place name in its sentence, with a place suffix
    right after it ('マウイ島', 'ポー川', '大崎駅'; data/ja_place_suffixes.txt), the locative 'で' after a katakana one
    ('マウイでサーフィン'), or the prefecture or city it lies in right before a kanji one ('滋賀県木之本'): that place,
    or ''."""
    katakana = all(is_katakana(c) or c == "ー" for c in h.lit)
    if not katakana and not all(is_kanji(c) for c in h.lit):
        return ""
    tail = text[h.n1 : h.n1 + 4]
    suffix = next((x for x in vocab.ja_place_suffixes() if tail.startswith(x)), "")
    within = not katakana and h.n0 >= 2 and text[h.n0 - 1] in _JA_REGION_ENDS and is_kanji(text[h.n0 - 2])
    if not suffix and not (katakana and tail.startswith("で")) and not within:
        return ""
    if morph.place_name(text, h.n0, h.n1) is not True:
        return ""
    return f"a place ('{text[h.n0 : h.n1 + max(1, len(suffix))]}')"


def _its_animal(index: NameIndex, e: Entry, animal: frozenset[str]) -> bool:
    """The character is that animal: a trait word of its is one of the animal's words ('grey cat', 'white beagle')."""
    return e.character is not None and not animal.isdisjoint(index.trait_words.get(e.character, frozenset()))


def _person_with_honorific(text: str, h: Hit) -> bool:
    """An honorific said of real people right after the hit (data/person_honorifics.txt: 'トムさんが会議で発表する')."""
    tail = to_katakana(text[h.n1 : h.n1 + 2])
    return any(tail.startswith(x) for x in JA_PERSON_HONORIFICS)


def _frequent_place(index: NameIndex, text: str, n0: int, n1: int, seg: str) -> bool:
    """The span is one place name of the analyser's dictionary in its sentence (unidic 固有名詞 地名), and a
    registered form written as often as an everyday word (NameIndex.frequent_ja)."""
    if seg not in index.frequent_ja and to_katakana(seg) not in index.frequent_ja:
        return False
    return morph.place_name(text, n0, n1) is True


def _kana_swapped(text: str, n0: int, n1: int, e: Entry) -> bool | None:
    """For a span in hiragana (with long-vowel marks) where the registered name has the same kana in katakana:
    True when it is not one dictionary word in its sentence (morph.one_word), False when it is one. None for any
    other span, or without the analyser."""
    seg = text[n0:n1]
    if not all(is_hiragana(c) or c == "ー" for c in seg) or e.raw not in e.label:
        return None
    word = morph.one_word(text, n0, n1)
    return None if word is None else not word


def _homophone_alone(index: NameIndex, text: str, h: Hit, e: Entry) -> bool:
    """A part of a name, or a whole name that is the reading of a word written in kanji ('きき', 危機), typed in kana
    and set apart in a Latin sentence ('ちひろ riding a bicycle')."""
    ok = not e.common if e.kind == PART else to_katakana(h.lit) in index.kanji_readings
    return ok and _kana_word_alone(text, h)


def _kana_word_alone(text: str, h: Hit) -> bool:
    """The hit is a whole run of kana set apart by spaces or Latin text, not inside Japanese writing."""
    if not all(is_kana(c) for c in h.lit):
        return False
    before = text[h.n0 - 1] if h.n0 > 0 else " "
    after = text[h.n1] if h.n1 < len(text) else " "
    return not is_cjk(before) and not is_cjk(after)


def kana_other_person(index: NameIndex, text: str, h: Hit, e: Entry) -> str:
    """The katakana word joined by ・ to a katakana name that makes it another person's full name ('ショルツ' of
    'オラフ・ショルツ', 'ドイル' of 'コナン・ドイル'), as a capitalised word beside a given name does in Latin letters;
    '' when there is none. Not another person: a name word of the same character (written in kana, or reading as
    one of its Latin words: 'ミカサ・アッカーマン' of 'Mikasa Ackerman'), any registered name (a list of characters:
    'ゾロ・サンジ'), an everyday word that the analyser does not read as a person's name ('スター'), an honorific. Only for a name or part written in katakana alone and not
    itself a dotted full name."""
    if not is_katakana(text[h.n0]) or e.kind != PART and ("・" in e.label or "･" in e.label):
        return ""
    n = len(text)
    words = []
    if h.n1 + 2 < n and text[h.n1] in "・･":
        k = h.n1 + 1
        while k < n and (is_katakana(text[k]) or text[k] == "ー"):
            k += 1
        words.append(text[h.n1 + 1 : k])
    if h.n0 >= 3 and text[h.n0 - 1] in "・･":
        k = h.n0 - 1
        while k > 0 and (is_katakana(text[k - 1]) or text[k - 1] == "ー"):
            k -= 1
        words.append(text[k : h.n0 - 1])
    own = index.char_kana.get(e.character or "", frozenset())
    for w in words:
        if (
            len(w) < 2
            or w in own
            or w in JA_HONORIFICS
            or index.ja.exists(w)
            # a loanword, not a frequent surname; the word itself, not one read with a particle after it ('シミ'
            # + 'ノ'): a particle is written in hiragana
            or w in index.lex.common_ja
            and not morph.person_name(w)
            or _reads_as_own_word(index, e, w)
        ):
            continue
        return w
    return ""


def _reads_as_own_word(index: NameIndex, e: Entry, kana: str) -> bool:
    """A katakana word read in romaji is one of the character's Latin name words, give or take a third of its
    sounds ('アッカーマン', 'akkaaman', of 'Ackerman')."""
    key = romaji_key(kana)
    return bool(key) and any(sounds_like(key, w) for w in index.char_words.get(e.character or "", ()))


def _ja_likeness(text: str, n1: int) -> str:
    """A Japanese likeness cue right after a name ('型' in 'パックマン型の弁当', data/likeness_cues.txt): why the name is
    something else, or ''."""
    if n1 >= len(text) or is_hiragana(text[n1]):  # most names: a particle after them
        return ""
    tail = to_katakana(text[n1 : n1 + 4])
    cue = next((c for c in vocab.likeness_cues()[1] if tail.startswith(c)), "")
    return f"a likeness of something else ('{cue}')" if cue else ""


_JA_OWNED = re.compile("ノ([^ノガハヲニデト、。・\\s]{1,6})ノ$")


def _ja_own(text: str, n0: int) -> str:
    """A Japanese first-person word, 'の', a noun and 'の' right before a name ('うちの猫のトトロ', '私の祖母のエルサ'; data/
    own_cues.txt), or a relation noun and 'の' ('娘のクロエちゃん', '同僚の透さん'; data/relation_nouns_ja.txt): the
    writer's own, or someone in the writer's life, or ''."""
    if n0 < 2 or text[n0 - 1] not in "のノ":  # most names: no analysis
        return ""
    near = to_katakana(text[max(0, n0 - 6) : n0 - 1])
    rel = next((r for r in vocab.relation_nouns_ja() if near.endswith(r)), "")
    # the relation noun a word of its own: not the end of a longer word ('姉' of '大姉', which the analyser joins)
    if rel and morph.crosses_word(text, n0 - 1 - len(rel), n0 - 1) in (None, (False, False)):
        return f"someone in the writer's life ('{text[n0 - 1 - len(rel) : n0]}')"
    if n0 < 4:
        return ""
    head = to_katakana(text[max(0, n0 - 14) : n0])
    m = _JA_OWNED.search(head)
    if m is None:
        return ""
    before = head[: m.start()]
    cue = next((c for c in vocab.own_cues_ja() if before.endswith(c)), "")
    return f"the writer's own ('{text[n0 - len(head) + m.start() - len(cue) : n0]}')" if cue else ""


def _ja_pet(index: NameIndex, text: str, n0: int, n1: int, e: Entry) -> str:
    """An animal noun and 'の' right before a name ('犬のレックス', 'ネコのタマ'; data/pet_nouns.txt), the noun a word
    of its own (not the end of '犬夜叉'), or 'という' and one after it ('ハルちゃんという柴犬'): an animal of that name,
    unless the character is that animal (a trait word of the same animal: 'ネズミのジェリー' of a 'brown mouse'), or
    ''."""
    pets = vocab.pet_nouns()
    called = _called_animal(text, n1)
    if called and not _its_animal(index, e, pets[called]):
        return f"an animal of that name ('という{called}')"
    if n0 < 2 or text[n0 - 1] not in "のノ":  # most names: no lookup
        return ""
    for k in range(max(0, n0 - 6), n0 - 1):
        word = text[k : n0 - 1]
        animal = pets.get(to_katakana(word))
        if animal is None:
            continue
        if morph.crosses_word(text, k, n0 - 1) not in (None, (False, False)):
            return ""
        if _its_animal(index, e, animal):
            return ""
        return f"an animal of that name ('{text[k:n0]}' before it)"
    return ""


def _called_animal(text: str, n1: int) -> str:
    """The animal noun (katakana-folded) after 'という' right after a name, an honorific between allowed
    ('ハルちゃんという柴犬'), or ''."""
    tail = to_katakana(text[n1 : n1 + 16])
    for hon in ("", *JA_HONORIFICS):
        if tail.startswith(hon) and tail[len(hon) :].startswith("トイウ"):
            rest = tail[len(hon) + 3 :]
            return next((p for p in vocab.pet_nouns_ja() if rest.startswith(p)), "")
    return ""


def _ja_adjective(text: str, h: Hit) -> str:
    """A katakana name the analyser reads as an adjectival noun, with 'な' after it ('ハッピーな一日', 'ウッディな香り'):
    the adjective, or ''."""
    if text[h.n1 : h.n1 + 1] != "な" or not all(is_katakana(c) or c == "ー" for c in h.lit):
        return ""
    return f"an adjective ('{text[h.n0 : h.n1 + 1]}')" if morph.adjectival(h.lit) is True else ""


def _ja_named(text: str, n1: int) -> str:
    """A Japanese naming cue right after a name (an honorific between allowed): 'ぷーさんという名前の'."""
    if "名" not in text[n1 : n1 + 12]:  # every Japanese naming cue has it: most prompts stop here
        return ""
    _, ja_cues = vocab.naming_cues()
    tail = to_katakana(text[n1 : n1 + 12])
    for hon in ("", *JA_HONORIFICS):
        if tail.startswith(hon):
            rest = tail[len(hon) :]
            for c in ja_cues:
                if rest.startswith(c):
                    return text[n1 : n1 + len(hon) + len(c)]
    return ""


def _pet_named(index: NameIndex, toks: list[Token], h: Hit, e: Entry) -> str:
    """An animal noun right before a one-word name, at the start or after a function word or a possessive ('the dog
    Rex', 'el perro Rex', 'mon chat Félix'; data/pet_nouns.txt), or in an epithet after it ('Tails the family dog'):
    an animal of that name, unless the character is that animal (a trait of its has a word of the same animal: 'the
    cat Tom' of a 'grey cat', 'Scar the lion'). '' when not."""
    pets = vocab.pet_nouns()
    i = h.t0 - 1
    animal, where = None, ""
    if i >= 0 and not toks[i].upper and (i == 0 or toks[i].sep_before in (" ", "")):
        animal = pets.get(toks[i].text)
        if animal is not None and i > 0:
            before = toks[i - 1].text
            if not (before in STOPWORDS or before in index.function_words or before in vocab.own_cues()):
                animal = None
        where = "before"
    k = h.t1 + 1
    if animal is None and k < len(toks) and toks[k].text == "the" and not toks[k].sep_before.strip():
        # an epithet that says which animal ('Rex the dog', 'Tails the family dog'): up to three lower-case words
        for j in range(k + 1, min(k + 4, len(toks))):
            t = toks[j]
            if t.upper or t.sep_before.strip() or not t.text.isalpha():
                break
            animal = pets.get(t.text)
            if animal is not None:
                i, where = j, "after"
                break
    if animal is None or _its_animal(index, e, animal):
        return ""
    return f"an animal of that name ('{toks[i].text}' {where} it)"


def _honorific_next(toks: list[Token], h: Hit) -> bool:
    """A Japanese honorific right after the Latin hit ('Ryu-san', 'Ryu san')."""
    k = h.t1 + 1
    return k < len(toks) and toks[k].text in HONORIFICS and toks[k].sep_before in ("-", " ", "")


def single_word_title(e: Entry) -> bool:
    """A registered title of one Latin word ('NANA')."""
    return e.is_title and len(e.words) == 1


def _capitalisation(ts: list[Token], toks: list[Token], h: Hit, index: NameIndex, title: bool = False) -> str:
    if not title and _honorific_next(toks, h):  # 'Nana-san' is someone, not the title 'NANA'
        return "strong"
    last = len(ts) - 1
    for i, t in enumerate(ts):  # a lower-case token, or a short all-caps one (a single capital letter too)
        if 0 < i < last and not t.upper and (len(t.text) == 1 or t.text in STOPWORDS):
            continue  # a connector inside a capitalised name ('Spy x Family', 'Winnie the Pooh')
        if not t.upper or t.allcaps and len(t.text) <= 4 or len(t.text) == 1:
            return "needs"
    if _headline(index, toks):
        return "weak"
    if len(ts) >= 2 or not ts[0].sent_start:
        return "strong"
    return "weak"


def _headline(index: NameIndex, toks: list[Token]) -> bool:
    """A headline-style prompt, told by its dictionary words (NameIndex.dictionary): capitals say nothing there."""
    return is_title_case_prompt(toks, index.dictionary.__contains__)


def _lower_modifier(index: NameIndex, toks: list[Token], h: Hit) -> str:
    """A lower-case name that is also a place or a word, modifying the noun after it ('mochi rice cakes', 'the
    tama river'): that place or word ('' when it is not). Capitalised, it stays the name ('Mochi plush toy')."""
    senses = index.senses.get(h.eid, ())
    if not senses or h.t1 + 1 >= len(toks) or any(toks[k].upper for k in range(h.t0, h.t1 + 1)):
        return ""
    nxt = toks[h.t1 + 1]
    if nxt.upper or nxt.sep_before.strip() or nxt.text not in index.nouns:
        return ""
    kinds = [x for x in senses if x == "place" or x.startswith("word")]
    return f"a {' or '.join(kinds)} before '{nxt.text}'" if kinds else ""


def _different_person(index: NameIndex, toks: list[Token], h: Hit) -> bool:
    """'Mario Draghi': a one-word name followed by another capitalised, unregistered word; 'Conan O'Brien' (a
    surname with an apostrophe); 'Conan the Barbarian' (an epithet the registry does not have)."""
    if _named_before(index, toks, h):
        return True
    if h.t1 + 1 >= len(toks):
        return False
    nxt = toks[h.t1 + 1]
    if (
        nxt.text in vocab.name_particles()
        and not nxt.upper
        and not nxt.sep_before.strip()
        and h.t1 + 2 < len(toks)
    ):
        # 'Vincent van Gogh', 'Otto von Bismarck': a particle and a surname after it
        after = toks[h.t1 + 2]
        return (
            after.upper
            and not after.sep_before.strip()
            and after.text.isalpha()
            and len(after.text) >= 2
            and after.text not in index.registered_words
        )
    if nxt.text == "the" and not nxt.upper and not nxt.sep_before.strip():
        pass  # an epithet may follow (below)
    elif nxt.upper and nxt.sep_before == "-" and nxt.text not in HONORIFICS:
        pass  # a hyphenated proper name ('Emilia-Romagna', 'Jean-Luc'): below, as one written apart
    elif not nxt.upper or nxt.sep_before.strip() or nxt.text in HONORIFICS:
        return False
    if len(nxt.text) == 1 and h.t1 + 2 < len(toks):
        after = toks[h.t1 + 2]  # "O'Brien", "D'Angelo": a surname written with an apostrophe
        if after.upper and after.sep_before in ("'", "’") and after.text.isalpha() and len(after.text) >= 2:
            return after.text not in index.registered_words and not _headline(index, toks)
    if nxt.allcaps:
        return False
    if nxt.text == "the" and h.t1 + 2 < len(toks):
        # 'Conan the Barbarian', 'Alexander the Great': a name and an epithet the registry does not have (a
        # registered 'Marco the Phoenix' is matched whole, and wins over its part)
        after = toks[h.t1 + 2]
        return (
            after.upper
            and not after.allcaps
            and after.text.isalpha()
            and len(after.text) >= 3
            and after.text not in index.registered_words
            and not _headline(index, toks)
        )
    if nxt.text in index.registered_words or _headline(index, toks) or sibling_word(index, h, nxt.text):
        return False
    return nxt.text.isalpha() and len(nxt.text) >= 2


def _named_before(index: NameIndex, toks: list[Token], h: Hit) -> bool:
    """What is written before a one-word name makes it a real person's surname: an office ('President Garfield',
    data/office_titles.txt), or a frequent given name the registry does not have (census, or Japanese in romaji),
    with an initial or a name particle or neither ('James Garfield', 'James A. Garfield', 'Hugo de Groot', 'Osamu
    Dazai')."""
    i = h.t0 - 1
    sep = toks[h.t0].sep_before
    if i < 0 or sep not in (" ", ". "):
        return False
    if sep == " " and toks[i].text in vocab.office_titles()[0]:
        return not _headline(index, toks)
    if toks[i].upper and len(toks[i].text) == 1 and i > 0 and toks[i].sep_before == " ":
        i -= 1  # a middle initial ('James A. Garfield'; the tokenizer keeps its dot in the separator)
    elif sep != " ":
        return False
    elif (
        toks[i].text in vocab.surname_particles()
        and not toks[i].upper
        and i > 0
        and toks[i].sep_before == " "
    ):
        i -= 1  # a name particle ('Hugo de Groot')
    t = toks[i]
    given = t.text in index.lex.given or t.text in index.ja_given
    if not (t.upper and not t.allcaps and given and t.text not in index.registered_words):
        return False
    # not the character's own given name, shortened or misspelt ('Ed Elric' of 'Edward Elric')
    own = index.char_words.get(index.entries[h.eid].character or "", ())
    if any(w.startswith(t.text) for w in own) or sibling_word(index, h, t.text):
        return False
    return not _headline(index, toks)


def sibling_word(index: NameIndex, h: Hit, word: str) -> bool:
    """`word` is a misspelling of another word of the same character's Latin names ('Chihro' beside 'Ogino' of
    'Chihiro Ogino'): one edit, two from eight letters on."""
    if len(word) < 4:
        return False
    e = index.entries[h.eid]
    own = e.words
    for w in index.char_words.get(e.character or "", ()):
        if w not in own and abs(len(w) - len(word)) <= 2:
            cut = 2 if min(len(w), len(word)) >= 8 else 1
            if Levenshtein.distance(word, w, score_cutoff=cut) <= cut:
                return True
    return False


def _shadowed(toks: list[Token], h: Hit) -> bool:
    """'Vegeta-style fried vegetables': the name is the stem of an ordinary word used in the same prompt."""
    lit = h.lit
    n = len(lit)
    if n < 4:
        return False
    for t in toks:  # noqa: SIM110 (a loop, no generator per hit)
        if len(t.text) > n and t.text.startswith(lit):
            return True
    return False
