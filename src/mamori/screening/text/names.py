"""Build-time index of every registered name and title: expanded into normalised keys loaded into
Aho-Corasick automata (Latin phonetic keys, katakana-folded Japanese keys) plus a deletion index for
misspellings. Nothing here looks at a prompt."""

from __future__ import annotations

import unicodedata
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

import ahocorasick
from rapidfuzz.distance import Levenshtein

from mamori.registry.model import Registry
from mamori.screening.text import morph, transcribe, vocab
from mamori.screening.text.lexicon import HONORIFICS, JA_HONORIFICS, STOPWORDS, Lexicon
from mamori.screening.text.normalize import (
    is_cjk,
    is_hiragana,
    is_kana,
    is_kanji,
    is_katakana,
    normalize,
    to_katakana,
    tokenize,
)
from mamori.screening.text.variants import (
    FOREIGN_WORD_RE,
    clean_letters,
    phonetic_key,
    romaji_segments,
    translit_key,
)

NAME, PART, TITLE, ROMAJI, READING, TRANSCRIBED = "name", "part", "title", "romaji", "reading", "transcribed"


@dataclass(frozen=True)
class Entry:
    eid: int
    character: str | None  # None for a work title
    work: str
    # NAME | PART | TITLE | ROMAJI (romaji of a kana/kanji name) | READING (kana of a kanji name) | TRANSCRIBED (the
    # katakana reading of a Latin name, transcribe.py; a part's reading is a PART with `transcribed` set)
    kind: str
    label: str  # as registered
    raw: str  # Latin: compact lower-case letters/digits; Japanese: katakana-folded key
    words: tuple[str, ...]  # Latin words (for a part: the part only)
    common: bool  # equal to ordinary words: needs supporting context
    parent: int  # for a part: the full name's entry id
    ja: bool  # Japanese-script key
    is_title: bool
    coined: bool = False  # a multi-word Latin form registered as one compound ('Sky-Rider'), not as a phrase
    transcribed: bool = False  # a Japanese key read from a Latin name (transcribe.reading), not registered


# the ヴ row and the row Japanese also writes for it ('リヴァイ' / 'リバイ'): two spellings of one sound
_VU = (("ヴァ", "バ"), ("ヴィ", "ビ"), ("ヴェ", "ベ"), ("ヴォ", "ボ"), ("ヴュ", "ビュ"), ("ヴ", "ブ"))


def _vu_spellings(key: str) -> tuple[str, ...]:
    """A katakana key and, when it has the ヴ row, its spelling with the バ row."""
    if "ヴ" not in key:
        return (key,)
    alt = key
    for a, b in _VU:
        alt = alt.replace(a, b)
    return (key, alt)


def latin_words(s: str) -> tuple[str, ...]:
    return tuple(clean_letters(t.text) for t in tokenize(normalize(s)) if clean_letters(t.text))


def ja_key(s: str) -> str:
    n = normalize(s).text
    return "".join(chr(ord(c) + 0x60) if is_hiragana(c) and ord(c) <= 0x3096 else c for c in n if is_cjk(c))


def _ja_parts(name: str) -> list[str]:
    """Parts of a Japanese name split at ・/spaces and script changes; only distinctive ones."""
    n = "".join(c if is_cjk(c) and c not in "・･" else " " for c in normalize(name).text)
    parts: list[str] = []
    for chunk in n.split():
        cur = ""
        for c in chunk:
            if cur and _script(c) != _script(cur[-1]) and c != "ー":
                parts.append(cur)
                cur = ""
            cur += c
        if cur:
            parts.append(cur)
    out = []
    for p in parts:
        if (
            all(is_kanji(c) for c in p)
            and len(p) >= 2
            or all(is_katakana(c) for c in p)
            and len(p) >= 2
            # a hiragana part only beside a kanji one ('うさぎ' of '月野うさぎ'); in an all-kana name ('くまのプーさん')
            # hiragana runs are particles and honorifics
            or all(is_hiragana(c) or c == "ー" for c in p)
            and len(p) >= 2
            and any(is_kanji(c) for c in name)
            and to_katakana(p) not in JA_HONORIFICS
        ):
            out.append(p)
    return out


def _ja_fragments(title: str, lex: Lexicon) -> list[str]:
    """Distinctive fragments of a Japanese title (katakana-folded): katakana runs of 3+ and kanji runs of 3+
    characters that are not frequent words ('ゼルダ' of 'ゼルダの伝説')."""
    out = []
    cur = ""
    for c in normalize(title).text.replace("・", " ").replace("･", " ") + " ":
        if cur and (_script(c) != _script(cur[-1]) and not (c == "ー" and _script(cur[-1]) == "k")):
            pk = ja_key(cur)
            if _script(cur[0]) in "kc" and len(pk) >= 3 and not lex.everyday_ja(pk):
                out.append(pk)
            cur = ""
        if _script(c) in "kc":
            cur += c
    return out


_SMALL_KANA = frozenset("ァィゥェォャュョヮヵヶ")


def _morae(kana: str) -> list[str]:
    """A katakana word's morae: each kana with the small kana after it ('エ', 'ヴァ', 'ン'…)."""
    out: list[str] = []
    for c in kana:
        if out and c in _SMALL_KANA:
            out[-1] += c
        else:
            out.append(c)
    return out


def _clips(fragment: str) -> list[str]:
    """How Japanese shortens a katakana title word: its first two morae when they make three kana or more ('エヴァ'
    of 'エヴァンゲリオン'), and the first two morae of each of its first two words ('ポケモン' of 'ポケットモンスター',
    'モンハン' of 'モンスターハンター'; the words as the analyser splits them), and the first two words of a title of
    three or more ('メタルギア' of 'メタルギアソリッド')."""
    if not all(is_katakana(c) for c in fragment):
        return []
    out = []
    head = _morae(fragment)
    if len(head) >= 4 and len(clip := "".join(head[:2])) >= 3:
        out.append(clip)
    ms = morph.morphemes(fragment)
    words = [fragment[a:b] for a, b, _, _ in ms]
    # words the analyser knows ('ポケット', 'モンスター'), not its guesses at an unknown word's pieces
    if len(words) >= 2 and all(
        known and len(_morae(w)) >= 2 for w, (_, _, known, _) in zip(words[:2], ms[:2], strict=True)
    ):
        out.append("".join(_morae(words[0])[:2]) + "".join(_morae(words[1])[:2]))
        if len(words) >= 3:  # its first two words ('メタルギア' of 'メタルギアソリッド')
            out.append(words[0] + words[1])
    return [c for c in out if c != fragment]


def _script(c: str) -> str:
    if is_hiragana(c):
        return "h"
    if is_katakana(c):
        return "k"
    if is_kanji(c):
        return "c"
    return "o"


def romaji_key(kana: str) -> str:
    """The phonetic key of a kana/kanji word read in romaji ('アッカーマン' -> the key of 'akkaaman')."""
    return phonetic_key("".join(sg[2] for sg in romaji_segments(kana)))


def sounds_like(key: str, word: str) -> bool:
    """A phonetic key within a third of its sounds of a Latin word's ('akkaaman' of 'Ackerman')."""
    wk = phonetic_key(word)
    return Levenshtein.distance(key, wk) <= max(1, min(len(key), len(wk)) // 3)


def _ja_part_common(pk: str, pos: int, n_parts: int, names: list[tuple[str, ...]], lex: Lexicon) -> bool:
    key = romaji_key(pk)
    if not key:
        return False
    for words in names:
        for k, w in enumerate(words):
            if not lex.plain_or_given(w):
                continue
            if len(words) == n_parts and k == pos:
                return True
            if sounds_like(key, w):
                return True
    return False


def frequent_person_name(part: str) -> str:
    """'surname' or 'given-name' for a kanji name part the analyser reads as one person's name that is frequent in
    Japanese text (wordfreq Zipf >= vocab.JA_EVERYDAY_ZIPF: '星野' 4.0, '山田' 4.6; not '月野' 3.0, '綾波'), or for a
    kana one that is the reading of frequent names (vocab.person_name_readings: 'タケシ', 'シンジ') or an everyday
    Japanese given name (vocab.japanese_given_names: 'ナナ', 'ヒカル'), else ''."""
    if part and all(is_kana(c) for c in part):
        reading = vocab.person_name_readings().get(to_katakana(part), "")
        return reading or ("given-name" if romaji_key(part) in _japanese_given_keys() else "")
    if not all(is_kanji(c) for c in part) or vocab.zipf(part, "ja") < vocab.JA_EVERYDAY_ZIPF:
        return ""
    kind = morph.person_name_kind(part)
    return {"surname": "surname", "given": "given-name"}.get(kind or "", "")


@lru_cache(maxsize=1)
def _japanese_given_keys() -> frozenset[str]:
    """The phonetic keys of everyday Japanese given names (vocab.japanese_given_names): 'トオル' reads as 'Tohru'."""
    return frozenset(phonetic_key(n) for n in vocab.japanese_given_names() if len(n) >= 3)


def _near_one(word: str, rests: tuple[str, ...]) -> bool:
    """The word is within two edits of one of the rests, or one edit of a rest of three letters or fewer."""
    return any(Levenshtein.distance(word, r, score_cutoff=2) <= (1 if len(r) <= 3 else 2) for r in rests)


def _doubled_word(word: str) -> bool:
    """The word written twice is Japanese romaji of a word written so often enough, in katakana or hiragana
    (wordfreq Zipf >= vocab.JA_DICTIONARY_ZIPF: 'kirakira' キラキラ 4.0, 'nikoniko' ニコニコ 4.4)."""
    kana = transcribe.romaji_reading(word + word)
    if not kana:
        return False
    import jaconv

    return max(vocab.zipf(kana, "ja"), vocab.zipf(jaconv.kata2hira(kana), "ja")) >= vocab.JA_DICTIONARY_ZIPF


def _dictionary_katakana(key: str, english_word: bool) -> bool:
    """A katakana name (or part) that the analyser reads as one common noun, and that is either the loanword of
    the English word the character's Latin name is ('ピッコロ' of 'Piccolo'), a loanword of the dictionary ('クラウド',
    'リンク': unidic 語種 外), or written so often enough as it is (vocab.JA_DICTIONARY_ZIPF: 'サザエ', 'ワカメ'): a
    dictionary word, that needs context to name anyone."""
    return (
        "・" not in key
        and all("\u30a1" <= ch <= "\u30fc" for ch in key)
        and (english_word or vocab.zipf(key, "ja") >= vocab.JA_DICTIONARY_ZIPF or morph.loanword(key) is True)
        and morph.common_noun(key) is True
    )


def adjective_phrase(lex: Lexicon, dictionary: frozenset[str], words: tuple[str, ...]) -> bool:
    """A name of dictionary words (vocab.dictionary_words) opened by an adjective, none a frequent given name
    ('Jolly Jumper': a cheerful sweater): ordinary English, though its words are rarer than Lexicon.ordinary_word
    asks; in lower case an English phrase (Lexicon.frequent_phrase)."""
    return (
        len(words) >= 2
        and words[0] in lex.openers
        and all((w in dictionary or lex.ordinary_word(w)) and w not in lex.given for w in words)
    )


def _hiragana_noun(key: str) -> bool:
    """The katakana key written in hiragana is one common noun of the analyser's dictionary ('かかし')."""
    import jaconv

    return morph.common_noun(jaconv.kata2hira(key)) is True


def _addressed(key: str) -> bool:
    """A kana name (katakana-folded) ending in an honorific after a stem of two kana or more ('サザエサン')."""
    return any(key.endswith(h) and len(key) - len(h) >= 2 for h in JA_HONORIFICS)


def hiragana_word(label: str, key: str) -> bool:
    """A name or part (katakana-folded key) that the rightsholder wrote in hiragana, and that the analyser reads as
    one common noun or adjectival noun ('なでしこ' 撫子, 'れんげ' 蓮華, 'しずか' 静か): Japanese writes names in kanji or
    katakana and words in hiragana, so written so it is that word, and needs context as a kanji word does
    (dictionary_kanji), however frequent."""
    import jaconv

    hira = jaconv.kata2hira(key)
    if len(hira) < 2 or not all(is_hiragana(c) or c == "ー" for c in hira) or hira not in label:
        return False
    return morph.common_noun(hira) is True or morph.adjectival(hira) is True


_ARTICLES = frozenset({"the", "a", "an"})
_ROMAN = {
    "ii": "2",
    "iii": "3",
    "iv": "4",
    "v": "5",
    "vi": "6",
    "vii": "7",
    "viii": "8",
    "ix": "9",
    "x": "10",
}


def title_acronyms(words: tuple[str, ...]) -> set[str]:
    """How fans abbreviate a title of two words or more: the initials of its words, with and without its function
    words, and a closing number kept whole, as written and in digits ('ff7' and 'ffvii' of 'Final Fantasy VII',
    'mgs' of 'Metal Gear Solid', 'tloz' and 'loz' of 'The Legend of Zelda', without a leading article too); only those
    of three characters or more.
    """
    if not words:
        return set()
    number = [words[-1]] if words[-1].isdigit() or words[-1] in _ROMAN else []
    body = words[: len(words) - len(number)]
    if len(body) < 2:
        return set()
    tails = {""}
    if number:
        tails = {number[0], _ROMAN.get(number[0], number[0])}
    heads = {
        "".join(w[0] for w in body),
        "".join(w[0] for w in body[1:] if body[0] in _ARTICLES),  # 'loz'
        "".join(w[0] for w in body if w not in STOPWORDS),
    }
    return {h + t for h in heads for t in tails if len(h) >= 2 and len(h + t) >= 3}


def dictionary_kanji(key: str) -> bool:
    """A name written in kanji that the analyser reads as one common noun of its dictionary ('珊瑚' coral, '桔梗'
    bellflower, '奈落' abyss, '楓' maple; not '悟空' or '鬼太郎', which it reads as a person's name, nor '犬夜叉', two
    words): a word of the language, in kanji and in its kana reading ('サンゴ'), that needs context to name anyone. No
    frequency bar, as katakana has (`_dictionary_katakana`): the dictionary's kanji common nouns are words, where its
    katakana ones include loanwords written mostly as names."""
    return bool(key) and all(is_kanji(c) for c in key) and morph.common_noun(key) is True


def deletes1(k: str) -> list[str]:
    return [k[:i] + k[i + 1 :] for i in range(len(k))]


FUZZY_SLOTS = 1 << 24  # NameIndex.fuzzy_filter: ~1,000,000 strings at 10,000 characters, ~6 % false positives
FUZZY_MASK = FUZZY_SLOTS - 1
# fuzzy_hash(s) = sum(ord(s[k]) * HASH_B ** (len(s) - 1 - k)) mod HASH_P: positional, so judge._candidates computes a
# deletion's hash from q's prefix hashes (HASH_P < 2**30: its products and their sums stay below 2**62, machine integers
# in the compiled build)
HASH_B = 131
HASH_P = 1_073_741_789  # the largest prime below 2**30


def fuzzy_hash(s: str) -> int:
    h = 0
    for ch in s:
        h = (h * HASH_B + ord(ch)) % HASH_P
    return h


class NameIndex:
    def __init__(self, registry: Registry) -> None:
        self.entries: list[Entry] = []
        self.char_work: dict[str, str] = {c.id: c.work for c in registry.characters}
        lat: dict[str, set[int]] = defaultdict(set)
        ja: dict[str, set[int]] = defaultdict(set)
        self.registered_words: set[str] = set()
        self.hanzi: dict[
            str, str
        ] = {}  # a kanji name in Chinese characters -> the name (katakana-folded key)
        part_owner: dict[str, set[str]] = defaultdict(set)
        pending_parts: list[tuple[str, str, str, int]] = []
        pending_hon: list[tuple[str, str, str, int]] = []
        pending_ja_parts: list[tuple[str | None, str, str, str, int, int, int]] = []
        char_words: dict[str, list[tuple[str, ...]]] = {}
        char_kana: dict[str, set[str]] = {}
        title_word_works: dict[str, set[str]] = defaultdict(set)
        self.title_ja: dict[str, set[str]] = {}
        # ordinary-language data (an empty registry, as persist makes before filling in a saved index: none loaded)
        if registry.characters or registry.works:
            words = {w for c in registry.characters for n in c.names for w in latin_words(n)}
            words.update(w for wk in registry.works for t in wk.titles for w in latin_words(t))
            lex = Lexicon.from_data(words)
        else:
            lex = Lexicon(frozenset(), frozenset(), frozenset(), frozenset())
        self.lex = lex
        kanji_readings = vocab.kanji_word_readings() if registry.characters else frozenset()
        self.kanji_readings: frozenset[str] = kanji_readings
        is_common_en, ordinary_word, given, common_ja = (
            lex.is_common_en,
            lex.ordinary_word,
            lex.given,
            lex.everyday_ja,
        )

        def add(
            character: str | None,
            work: str,
            kind: str,
            label: str,
            raw: str,
            words: tuple[str, ...],
            common: bool,
            parent: int,
            is_ja: bool,
            is_title: bool,
            transcribed: bool = False,
        ) -> int:
            e = Entry(
                len(self.entries),
                character,
                work,
                kind,
                label,
                raw,
                words,
                common,
                parent,
                is_ja,
                is_title,
                transcribed=transcribed,
            )
            self.entries.append(e)
            return e.eid

        # characters registered in Latin letters only: their names get katakana readings (transcribe.py); a name
        # registered in Japanese too is spelt by its rightsholder, and no guess is needed
        latin_only = {c.id for c in registry.characters if not any(is_cjk(ch) for n in c.names for ch in n)}
        # characters with a one-word Latin name that is an English dictionary word ('Daisy', 'Piccolo'): their
        # katakana name, where the analyser reads it as one common noun, is that loanword too ('デイジー', 'ピッコロ');
        # so is any katakana name the analyser reads so that is written so often enough ('サザエ', 'ワカメ')
        dictionary_words = vocab.dictionary_words() if registry.characters else frozenset()
        word_named = {
            c.id
            for c in registry.characters
            for n in c.names
            if len(ws := latin_words(n)) == 1 and (ws[0] in dictionary_words or is_common_en(ws[0]))
        }
        # works with a one-word Latin title that is a dictionary word ('Peanuts'): their katakana title, where the
        # analyser reads it as one common noun, is that loanword too ('ピーナッツを食べる')
        word_titled = {
            w.id
            for w in registry.works
            for t in w.titles
            if len(ws := latin_words(t)) == 1 and (ws[0] in dictionary_words or is_common_en(ws[0]))
        }

        # whole Japanese names (and their romaji) that are many people's name
        whole_person: dict[int, str] = {}

        def add_form(character: str | None, work: str, label: str, is_title: bool) -> None:
            toks = tokenize(normalize(label))
            words = tuple(w for w in (clean_letters(t.text) for t in toks) if w)
            if (
                words
                and (sum(map(len, words)) <= 2 or all(w in _ROMAN or w.isdigit() for w in words))
                and any(is_cjk(c) for c in label)
            ):
                # an initial inside a Japanese name ('D' of 'モンキー・D・ルフィ') names nobody alone, nor does the number
                # of a Japanese title ('VII' of 'ファイナルファンタジーVII')
                words = ()
            if words:
                raw = "".join(words)
                self.registered_words.update(words)
                if character is not None:
                    char_words.setdefault(character, []).append(words)
                if len(words) == 1:
                    common = is_common_en(raw) or raw in STOPWORDS or len(raw) <= 3
                else:  # 'Peter Parker' is not ordinary words ('peter' is a given name, not 'pet' + 'er')
                    common = (
                        all(ordinary_word(w) for w in words)
                        or adjective_phrase(lex, dictionary_words, words)
                        or len(raw) <= 3
                    )
                coined = len(words) >= 2 and all(t.sep_before in ("-", "‐", "‑") for t in toks[1:])
                e = Entry(
                    len(self.entries),
                    character,
                    work,
                    TITLE if is_title else NAME,
                    label,
                    raw,
                    words,
                    common,
                    -1,
                    False,
                    is_title,
                    coined,
                )
                self.entries.append(e)
                eid = e.eid
                if is_title:
                    for w in words:
                        if len(w) >= 4 and w.isalpha() and not ordinary_word(w) and w not in given:
                            title_word_works[w].add(work)
                    for a in title_acronyms(words):
                        if not ordinary_word(a) and vocab.zipf(a) < vocab.EVERYDAY_ZIPF["en"]:
                            title_word_works[a].add(work)
                elif character in latin_only and not any(w in STOPWORDS for w in words):
                    # the name as a Japanese writer spells it ('Olaf' -> オラフ, 'Bugs Bunny' -> バッグス・バニー):
                    # every word needs a reading; written with or without the middle dot
                    rs = [transcribe.reading(w) for w in words]
                    if all(rs):
                        keys = {ja_key("".join(rs)), ja_key("・".join(rs))}
                        first = ja_key("".join(rs))
                        if len(first) >= 3 and not ja.get(first):  # not where the name is registered so
                            teid = add(
                                character,
                                work,
                                TRANSCRIBED,
                                label,
                                first,
                                (),
                                common or common_ja(first),
                                eid,
                                True,
                                False,
                                transcribed=True,
                            )
                            for k in keys:
                                ja[k].add(teid)
                for k in {phonetic_key(raw), "".join(phonetic_key(w) for w in words)}:
                    lat[k].add(eid)
                if not is_title and not common and len(words) == 2 and min(map(len, words)) >= 3:
                    # a two-word name in the other order ('Gojo Satoru' of 'Satoru Gojo'): Japanese names are written
                    # surname first in Japanese and often given name first in Latin letters; typed in kana
                    # ('ごじょうさとる') it is read as romaji in the Japanese order
                    lat[phonetic_key(words[1] + words[0])].add(eid)
                    lat[phonetic_key(words[1]) + phonetic_key(words[0])].add(eid)
                if not is_title and len(words) >= 2:
                    for w in words:
                        if (
                            len(w) >= 3
                            and w not in STOPWORDS
                            and w not in HONORIFICS
                            and not w.isdigit()
                            and w.isalpha()
                        ):
                            part_owner[w].add(character or "")
                            if len(w) >= 4 and not is_common_en(w) and w not in given:
                                pending_parts.append((w, label, work, eid))
                            else:
                                pending_hon.append((w, label, work, eid))
            # a name or title written in Hangul, Cyrillic or Greek ('도라에몽', 'Чебурашка'): its transliteration's key,
            # as a prompt's words in those alphabets are read (matcher._transliterated; a Korean postposition too)
            foreign = FOREIGN_WORD_RE.findall(label)
            if foreign and not words:
                fkeys = tuple(translit_key(w) for w in foreign)
                fkey = "".join(fkeys)
                if len(fkey) >= 3:
                    feid = add(
                        character,
                        work,
                        TITLE if is_title else NAME,
                        label,
                        fkey,
                        fkeys,
                        False,
                        -1,
                        False,
                        is_title,
                    )
                    lat[fkey].add(feid)
            jk = ja_key(label)
            if character is not None and jk:
                kana = char_kana.setdefault(character, set())
                kana.update(ja_key(p) for p in _ja_parts(label))
                kana.update(k for k in jk.replace("･", "・").split("・") if len(k) >= 2)
            if len(jk) >= 2 or (jk and not words):
                # a character's name that is many people's name, in kana or kanji ('タケシ', 'サトシ', '千尋')
                person = frequent_person_name(jk) if character is not None and not is_title else ""
                # a name written in kanji that is a word of the dictionary ('珊瑚' coral, '桔梗' bellflower, '奈落')
                kanji_word = not is_title and dictionary_kanji(jk)
                # an everyday word, in kana or as the reading of one written in kanji ('ホタル', 蛍)
                common = (
                    # not a registered name with an honorific ('サザエさん'), someone addressed, however frequent
                    common_ja(jk)
                    and not _addressed(jk)
                    or len(jk) <= 1
                    or jk in kanji_readings
                    or _dictionary_katakana(
                        jk, (work in word_titled) if is_title else (character in word_named)
                    )
                    or kanji_word
                    or (not is_title and hiragana_word(label, jk))
                    or bool(person)
                )
                eid = add(
                    character, work, TITLE if is_title else NAME, label, jk, (), common, -1, True, is_title
                )
                if person:
                    whole_person[eid] = person
                for k in _vu_spellings(jk):
                    ja[k].add(eid)
                # the name as Chinese writing spells it, in traditional and simplified characters ('绿谷出久' of
                # '緑谷出久'): how a Chinese prompt writes a kanji name
                for form in transcribe.hanzi_forms(jk):
                    if len(form) >= 2 and not ja.get(form):
                        ja[form].add(eid)
                        self.hanzi[form] = jk
                # 'バッグスバニー': the dotted name written without its dots
                plain = jk.replace("・", "").replace("･", "")
                compound = False
                if plain != jk and len(plain) >= 3:
                    # ... unless its words run together are an everyday compound ('オリーブオイル' of 'オリーブ・オイル'):
                    # that compound, which needs context
                    pieces = [p for p in jk.replace("･", "・").split("・") if p]
                    peid = eid
                    compound = not common and (
                        common_ja(plain) or all(morph.common_noun(p) is True for p in pieces)
                    )
                    if compound:
                        peid = add(character, work, NAME, label, plain, (), True, -1, True, is_title)
                    for k in _vu_spellings(plain):
                        ja[k].add(peid)
                # romanised per word of the name ('ハリー・ポッター' -> 'harii pottaa'): the words as typed by sound
                chunks = "".join(
                    c if is_cjk(c) and c not in "・･" else " " for c in normalize(label).text
                ).split()
                rwords = tuple(sg[2] for ch in chunks for sg in romaji_segments(ch) if sg[2])
                segs = romaji_segments("".join(c for c in normalize(label).text if is_cjk(c)))
                rraw = "".join(rwords)
                reading = "".join(s[3] for s in segs)
                rk = ja_key(reading) if reading else ""
                if len(rraw) >= 3:
                    # the romaji of a kanji name that reads as an everyday word ('ichigo' of 一護, also 苺) is that
                    # word too, as the kana name itself would be
                    said = len(rk) >= 2 and (common_ja(rk) or rk in kanji_readings)
                    reid = add(
                        character,
                        work,
                        ROMAJI,
                        label,
                        rraw,
                        rwords,
                        common or said or compound or rraw in self.registered_words and is_common_en(rraw),
                        -1,
                        False,
                        is_title,
                    )
                    if person:
                        whole_person[reid] = person  # 'Takeshi-san' as 'タケシさん'
                    for k in {phonetic_key(rraw), "".join(phonetic_key(w) for w in rwords)}:
                        lat[k].add(reid)
                if rk and rk != jk and len(rk) >= 2:
                    # the kana reading of a kanji name is many people's name when it is the reading of frequent
                    # names ('ユキ' of '由希': 由紀, 有紀…), and a word when it reads a dictionary word ('ゆき', 雪)
                    person_r = frequent_person_name(rk) if character is not None and not is_title else ""
                    keid = add(
                        character,
                        work,
                        READING,
                        label,
                        rk,
                        (),
                        common_ja(rk) or kanji_word or rk in kanji_readings or bool(person_r),
                        -1,
                        True,
                        is_title,
                    )
                    if person_r:
                        whole_person[keid] = person_r
                    ja[rk].add(keid)
                if not is_title:
                    parts = _ja_parts(label)
                    for pos, p in enumerate(parts):
                        pk = ja_key(p)
                        if pk != jk:
                            pending_ja_parts.append((character, work, label, pk, eid, pos, len(parts)))
                else:
                    for f in _ja_fragments(label, lex):
                        frags = self.title_ja.setdefault(work, set())
                        if f != jk:
                            frags.add(f)
                        frags.update(c for c in _clips(f) if not common_ja(c) and c not in kanji_readings)

        for work_ in registry.works:
            for t in work_.titles:
                add_form(None, work_.id, t, True)
        for c in registry.characters:
            for nm in c.names:
                add_form(c.id, c.work, nm, False)
        # a part of a Japanese name that is a frequent surname or given name, in kanji or kana ('星野' of '星野アイ',
        # 'シンジ' of '碇シンジ'): many people's name, so it needs context, as does its romaji among the character's
        # Latin name parts ('Hoshino', 'Shinji')
        person_of = {
            pk: frequent_person_name(pk) for c, _, _, pk, _, _, _ in pending_ja_parts if c
        }  # once a part
        frequent_person: dict[str, dict[str, str]] = defaultdict(dict)
        for character, _, _, pk, _, _, _ in pending_ja_parts:
            kind = person_of.get(pk, "") if character else ""
            if kind:
                frequent_person[character or ""][romaji_key(pk)] = kind
        # a part that is an everyday word or a frequent given name ('Kitty' of 'Hello Kitty', 'Edward' of 'Edward
        # Elric') names nobody alone, but does, capitalised, with a Japanese honorific after it ('Kitty-chan',
        # 'Edward-kun'): those parts are looked up only there (TextMatcher._honorific_parts)
        hon: dict[str, list[int]] = defaultdict(list)
        for w, label, work, parent in pending_hon:
            owners = part_owner[w]
            if len(owners) == 1 and next(iter(owners)):
                if frequent_person.get(next(iter(owners)), {}).get(phonetic_key(w)):
                    continue  # 'Rei-chan': a frequent Japanese name ('レイ' of '綾波レイ'), anyone's with an honorific
                hon[w].append(add(next(iter(owners)), work, PART, label, w, (w,), True, parent, False, False))
        self.hon_parts: dict[str, tuple[int, ...]] = {k: tuple(v) for k, v in hon.items()}
        hon_eids = {eid for v in hon.values() for eid in v}  # no senses of their own: they are read only so
        # a one-word Latin name that is the romaji of such a whole name ('Ryu' beside 'リュウ'): the character's own
        # name as registered, but with an honorific after it anyone's ('Ryu-san', as 'リュウさん'; judge)
        romaji_person = {
            (self.entries[i].character, phonetic_key(self.entries[i].raw)): kind
            for i, kind in whole_person.items()
            if self.entries[i].kind == ROMAJI
        }
        self.hon_person: dict[int, str] = {}
        if romaji_person:
            for e in self.entries:
                if e.kind == NAME and not e.ja and len(e.words) == 1 and e.eid not in whole_person:
                    kind = romaji_person.get((e.character, phonetic_key(e.raw)), "")
                    if kind:
                        self.hon_person[e.eid] = kind
        person_part: dict[int, str] = dict(
            whole_person
        )  # such parts, kanji and romaji: 'surname' or 'given-name'
        # a part shared by several characters names none of them
        for w, label, work, parent in pending_parts:
            owners = part_owner[w]
            if len(owners) != 1:
                continue
            character = next(iter(owners)) or None
            kind = frequent_person.get(character or "", {}).get(phonetic_key(w), "")
            if not kind and character:
                # the romaji of a frequent Japanese name, whatever the kana name registered ('Yuki' of 'Yuki
                # Amagiri' beside '雨霧有希', read ユウキ): anyone's with an honorific ('ユキさん', 'Yuki-san')
                kind = frequent_person_name(transcribe.romaji_reading(w))
            eid = add(character, work, PART, label, w, (w,), bool(kind), parent, False, False)
            if kind:
                person_part[eid] = kind
            lat[phonetic_key(w)].add(eid)
            # its katakana reading, a part of the transcribed name ('スノーマン' is an everyday loanword: context)
            r = ja_key(transcribe.reading(w)) if character in latin_only else ""
            if len(r) >= 3 and not ja.get(r):
                common = common_ja(r) or w in vocab.frequent_en_words()
                ja[r].add(
                    add(character, work, PART, label, r, (), common, parent, True, False, transcribed=True)
                )
        # a kana part of a Japanese name ('ミーニャ' of 'ミーニャ・ホルスト') is a name part of its own unless it is the
        # loanword of an ordinary word or a frequent given name: the Latin word of the character's names in the same
        # position, or one that reads alike
        ja_owners: dict[str, set[str | None]] = defaultdict(set)
        for character, _, _, pk, _, _, _ in pending_ja_parts:
            ja_owners[pk].add(character)
        for character, work, label, pk, parent, pos, n_parts in pending_ja_parts:
            if len(pk) <= 2 and len(ja_owners[pk]) > 1:
                continue  # a two-kana part several characters share names none of them
            person = person_of.get(pk, "") if character else ""
            # an everyday word or a two-kana part ('ウサギ', 'レイ'): a part that needs context to name anyone
            common = (
                common_ja(pk)
                or pk in kanji_readings  # 'ミライ' of '星野ミライ' is also 未来
                or len(pk) <= 2
                or bool(vocab.other_senses_ja(pk))
                or _ja_part_common(pk, pos, n_parts, char_words.get(character or "", []), lex)
                or _dictionary_katakana(pk, character in word_named)
                or hiragana_word(label, pk)
                or bool(person)
            )
            eid = add(character, work, PART, label, pk, (), common, parent, True, False)
            if person:
                person_part[eid] = person
            for k in _vu_spellings(pk):
                ja[k].add(eid)
            if all(is_kanji(c) for c in pk):  # a kanji part in kana too ('つきの' of '月野'): as the part
                rk = ja_key("".join(sg[3] for sg in romaji_segments(pk)))
                if len(rk) >= 3 and rk != pk:
                    keid = add(character, work, PART, label, rk, (), True, parent, True, False)
                    ja[rk].add(keid)
                    if person:
                        person_part[keid] = person
            elif all(is_katakana(c) for c in pk):
                # a katakana part typed by its sound ('raito' of '夜神ライト', written 'Yagami Raito'): a Latin part
                # of the name too, and a registered word (beside it, 'Yagami' is no other person's surname)
                rr = "".join(sg[2] for sg in romaji_segments(pk))
                if len(rr) >= 4 and rr.isalpha() and rr not in self.registered_words:
                    reid = add(
                        character,
                        work,
                        PART,
                        label,
                        rr,
                        (rr,),
                        common or is_common_en(rr),
                        parent,
                        False,
                        False,
                    )
                    lat[phonetic_key(rr)].add(reid)
                    self.registered_words.add(rr)
        # distinctive words of a work's titles ('valdoria' of 'The Chronicles of Valdoria'): nearby, they are
        # context for that work's characters
        self.title_words: dict[str, frozenset[str]] = {}
        tw: dict[str, set[str]] = defaultdict(set)
        for w, works in title_word_works.items():
            if len(works) == 1:
                tw[next(iter(works))].add(w)
        self.title_words = {k: frozenset(v) for k, v in tw.items()}

        # what else each one-word Latin form is (registry `other_senses`, else from data; `ambiguous: false`: none)
        self.senses: dict[int, tuple[str, ...]] = {}
        chars = {c.id: c for c in registry.characters}
        ja_words = vocab.common_ja_romaji() if self.entries else frozenset()
        # the romaji of registered kana names that are everyday words ('naruto' of 'ナルト', also 鳴門, なると)
        common_romaji = {e.raw for e in self.entries if e.kind == ROMAJI and e.common}
        for e in self.entries:
            ch = chars.get(e.character or "")
            if e.is_title and e.character is None and not e.ja and len(e.words) == 1:
                # a one-word title ('Kirby'): what else its word is, as for a one-word name ('Kirby's garage')
                senses = vocab.other_senses(e.raw)
                if e.raw in ja_words or e.raw in common_romaji:
                    senses = (*senses, "word:ja")
                if senses:
                    self.senses[e.eid] = senses
                continue
            if ch is None or e.ja or len(e.words) != 1 or ch.ambiguous is False or e.eid in hon_eids:
                continue
            senses = ch.other_senses or vocab.other_senses(e.raw)
            if e.eid in person_part and person_part[e.eid] not in senses:
                senses = (*senses, person_part[e.eid])  # 'Hoshino' of 'Ai Hoshino' (星野アイ): a surname
            if not ch.other_senses and (e.raw in ja_words or e.raw in common_romaji):
                # the romaji of an everyday Japanese word ('mochi', 'sakura', 'hikari'), or of a registered kana name
                # that is one ('tonkatsu' of 'とんかつ'): a word in that sense too
                senses = (*senses, "word:ja")
            if ch.ambiguous and not senses:
                senses = ("declared",)
            if senses:
                self.senses[e.eid] = senses
        # the senses by registered spelling: a hit read as a variant of one spelling ('Mori' of 'Mouri') has those of
        # another registered spelling it equals ('Mori' of 'Ran Mori': a place; judge.other_sense)
        self.raw_senses: dict[str, tuple[str, ...]] = {}
        for eid, senses in self.senses.items():
            self.raw_senses.setdefault(self.entries[eid].raw, senses)
        # a one-word Latin name whose doubling is a Japanese word ('kira' of 'Kira': 'kira kira', キラキラ, sparkling):
        # written twice, that word (judge.doubled)
        # one-word names that are German words (wordfreq, vocab.DE_NOUN_ZIPF): after a German determiner, that noun
        # ('das Atom'; judge.other_sense), decided here so no word list is loaded while screening
        self.german_nouns: frozenset[str] = frozenset(
            e.raw
            for e in self.entries
            if not e.ja
            and len(e.words) == 1
            and e.raw.isalpha()
            and vocab.zipf(e.raw, "de") >= vocab.DE_NOUN_ZIPF
        )
        self.doubled: frozenset[str] = frozenset(
            e.raw
            for e in self.entries
            if not e.ja
            and len(e.words) == 1
            and 2 <= len(e.raw) <= 6
            and e.raw.isalpha()
            and _doubled_word(e.raw)
        )
        # a romanised kana name ('yosshii' of 'ヨッシー') shares the senses of the character's own one-word names
        by_char: dict[str, tuple[str, ...]] = {}
        for eid, senses in self.senses.items():
            cid = self.entries[eid].character or ""
            by_char[cid] = tuple(dict.fromkeys(by_char.get(cid, ()) + senses))
        for e in self.entries:
            if e.kind == ROMAJI and e.character in by_char and e.eid not in self.senses:
                self.senses[e.eid] = by_char[e.character]
        # each character's Latin name words: a capitalised word beside a name part that is a misspelling of another
        # of them is that name misspelt ('Chihro Ogino'), not another person's (judge.sibling_word)
        self.char_words: dict[str, frozenset[str]] = {
            k: frozenset(w for ws in v for w in ws if len(w) >= 4 and w.isalpha())
            for k, v in char_words.items()
        }
        # each character's kana name words (katakana-folded), and the characters one of whose one-word Latin names is
        # also a given name or surname: a katakana name of theirs joined by ・ to a katakana word that is no name
        # word of theirs ('オラフ・ショルツ', 'コナン・ドイル') is another person's full name (judge.kana_other_person)
        self.char_kana: dict[str, frozenset[str]] = {k: frozenset(v) for k, v in char_kana.items()}
        # a character's kana name or part that sounds like a given name in everyday use (vocab.established_given_names)
        # among its Latin names ('ルーシー' of
        # 'Lucy van Pelt', 'トム' of 'Tom Cat'): with an honorific said of real people after it ('ルーシーさん'),
        # someone of that name (judge)
        everyday_given = vocab.established_given_names() if char_kana else frozenset()
        # each character's trait words (lower case): an animal noun before its name that is one of them is the
        # character's kind ('the cat Tom' of a 'grey cat'), not another animal of that name (judge._pet_named)
        self.trait_words: dict[str, frozenset[str]] = {
            c.id: frozenset(w for t in c.traits for w in latin_words(t)) for c in registry.characters
        }
        self.given_kana: frozenset[str] = frozenset(
            k
            for c, ks in char_kana.items()
            for k in ks
            for ws in char_words.get(c, ())
            for w in ws
            if len(k) >= 2 and w in everyday_given and sounds_like(romaji_key(k), w)
        )
        # everyday Japanese given names in romaji (vocab.japanese_given_names): one before a one-word name makes it
        # a person's surname ('Osamu Dazai'), as a census given name does ('James Garfield'; judge._named_before)
        self.ja_given: frozenset[str] = vocab.japanese_given_names() if self.entries else frozenset()
        # the Japanese forms (as registered, katakana-folded, and in hiragana) written as often as an everyday word
        # (wordfreq, vocab.JA_EVERYDAY_ZIPF): read as a place in a prompt, that place ('大阪'; judge._frequent_place)
        import jaconv

        self.frequent_ja: frozenset[str] = frozenset(
            f
            for e in self.entries
            if e.ja
            for f in (e.raw, jaconv.kata2hira(e.raw))
            if vocab.zipf(f, "ja") >= vocab.JA_EVERYDAY_ZIPF
        )
        # countries, US states and continents: a name before a comma and one of them is a place there ('Homer,
        # Alaska'; judge.other_sense)
        self.regions: frozenset[str] = vocab.regions() if self.entries else frozenset()
        # kana names and parts (katakana-folded) whose hiragana spelling the analyser reads alone as one common noun
        # ('カカシ' of 'はたけカカシ': かかし, 案山子): written in hiragana, that word (judge), where the analyser, reading
        # the sentence, may split it ('立つか|かし')
        self.hira_words: frozenset[str] = frozenset(
            k
            for ks in char_kana.values()
            for k in ks
            if len(k) >= 2 and all(is_katakana(c) or c == "ー" for c in k) and _hiragana_noun(k)
        )
        # the parts that are a frequent Japanese surname or given name, in kanji or in romaji ('星野', 'Hoshino' of
        # '星野アイ'): many people's name; an honorific after one is said of any of them ('星野さん', 'Hoshino-san')
        self.person_parts: dict[int, str] = person_part
        # the readings of frequent Japanese names ('ユキ': 由紀, 有紀…; 'タケシ'), however the prompt's kana reached a
        # registered name (as kana, as the reading of a kanji name, as romaji, misspelt): anyone's with an honorific
        # ('ユキさん'; decide._Context.honorific_after)
        self.person_readings: frozenset[str] = (
            frozenset(vocab.person_name_readings()) if char_kana else frozenset()
        )
        self.person_keys: frozenset[str] = _japanese_given_keys() if char_kana else frozenset()
        self.person_chars: frozenset[str] = frozenset(
            k for k, v in by_char.items() if k and not vocab.PERSON_SENSES.isdisjoint(v)
        )
        self.lat = _automaton(lat)
        self.ja = _automaton(ja)
        self.lat_keys = set(lat)
        # frequent Cyrillic, Greek and Korean words whose transliteration reads as a registered Latin key, with their
        # frequency: a transliterated name that is one of them is also that word (judge.classify, 'translit')
        self.script_words: dict[str, float] = {}
        if self.entries:
            for w, z in vocab.script_words(vocab.JA_EVERYDAY_ZIPF).items():
                k = translit_key(w)
                if len(k) >= 3 and k in self.lat_keys:
                    self.script_words[w] = z
        # misspelling candidates: deletion index over phonetic keys of longer Latin forms, split by
        # (one-word form, key length) so a query probes only the small tables its probes can hit
        fuzzy: dict[tuple[bool, int], dict[str, list[int]]] = {}
        self.fuzzy_key: dict[int, str] = {}
        for e in self.entries:
            if e.ja or len(e.raw) < 5 or e.common and len(e.words) < 2:
                continue  # a multi-word form of ordinary words is kept: a misspelt token in it is not ordinary
            k = phonetic_key(e.raw)
            self.fuzzy_key[e.eid] = k
            # a romanised kana name is split into words only where the kana had '・': typed as one word as well
            for single in (True, False) if e.kind == ROMAJI and len(e.words) > 1 else (len(e.words) <= 1,):
                fuzzy.setdefault((single, len(k)), {}).setdefault(k, []).append(e.eid)
                if len(k) > 1:
                    table = fuzzy.setdefault((single, len(k) - 1), {})
                    for d in set(deletes1(k)):
                        table.setdefault(d, []).append(e.eid)
                else:
                    fuzzy.setdefault((single, 0), {}).setdefault("", []).append(e.eid)
        self.fuzzy = fuzzy
        self.fuzzy_bits = b""  # fuzzy_filter(), made below
        # established words of other spellings (vocab.established_words, and place names): a word that reads as a
        # registered Latin form under the spelling folds ('zorro': 'zoro') or one edit from one, with its
        # frequency, and each form's own frequency: a prompt that writes a word more frequent than the registered
        # spelling wrote that word, not a variant of the name (judge.classify). Only words that can meet a form
        # are kept.
        self.homographs: dict[str, float] = {}
        self.spelling_zipf: dict[int, float] = {}
        if self.entries:
            one_word = {k for k, ids in lat.items() if any(len(self.entries[i].words) <= 1 for i in ids)}
            for w, k, z in _established_keys():
                if w in self.registered_words or w in self.homographs:
                    continue
                near = fuzzy.get((True, len(k) - 1))
                # (names only: places, given names, surnames, brands; every long word would triple the build)
                near2 = fuzzy.get((True, len(k) - 2)) if len(k) >= 9 and z == PLACE_ZIPF else None
                if (
                    k in one_word
                    or k in fuzzy.get((True, len(k)), _EMPTY)
                    or near is not None
                    and any(d in near for d in deletes1(k))
                    # a long word two deletions from a form, as the candidates of 9+ letters are ('Ajinomoto')
                    or near2 is not None
                    and any(d2 in near2 for d in deletes1(k) for d2 in deletes1(d))
                ):
                    self.homographs[w] = z
            if self.homographs:
                for e in self.entries:
                    if not e.ja and len(e.words) <= 1:
                        self.spelling_zipf[e.eid] = vocab.spelling_zipf(e.raw)
        # pair prefilter. A token pair within two edits of a multi-word form (word boundaries kept) has one token
        # equal to its word(s) and the other within two edits of the rest, or both within one edit. Per side of
        # the pair: the phonetic keys of the leading runs of words of multi-word forms in the misspelling index
        # ('sailor', 'monkeyd' of 'Monkey D Luffy'), each with the rest of its forms ('moon', 'dluffy'), and the
        # same for trailing runs; `*_near`: the runs with their one-character deletions; the whole form counts as
        # both (the rest ''). See pair_side and pair_rest_near.
        heads: dict[str, set[str]] = defaultdict(set)
        tails: dict[str, set[str]] = defaultdict(set)
        for eid in self.fuzzy_key:
            ws = self.entries[eid].words
            if len(ws) < 2:
                continue
            wk = [phonetic_key(w) for w in ws]
            for b in range(1, len(wk) + 1):  # the whole form too: its other side an extra short token ('of')
                heads["".join(wk[:b])].add("".join(wk[b:]))
                tails["".join(wk[-b:])].add("".join(wk[:-b]))
        self.heads = {k: tuple(sorted(v)) for k, v in heads.items()}
        # the short function words of the languages prompts are written in ('de', 'la', 'von'; vocab), as prompts
        # are folded: never a misspelt word of a multi-word name ('village de Ayanami' is no 'Rei Ayanami'; judge)
        self.function_words: frozenset[str] = (
            frozenset(_unaccented(w) for w in vocab.short_function_words()) if self.entries else frozenset()
        )
        self.tails = {k: tuple(sorted(v)) for k, v in tails.items()}
        self.heads_near = set(heads) | {d for k in heads for d in deletes1(k)}
        self.tails_near = set(tails) | {d for k in tails for d in deletes1(k)}
        self.cand_cache: dict[
            tuple[str, bool], list[int]
        ] = {}  # per-index query caches (bounded by their users)
        self._plain: dict[str, bool] = {}
        # everyday words, except those of registered names and titles: 'pooh' stays a word a misspelling may
        # start from ('Pooh Bar' for 'Pooh Bear') when a registered name has it
        # (an empty index, as persist makes before filling in a saved one, needs neither: no word list loaded)
        everyday = vocab.frequent_en_words() if self.entries else frozenset()
        self.frequent = everyday - self.registered_words
        self.everyday = everyday  # with the registered words: is a name part an everyday word
        self.nouns = vocab.nouns_only() if self.entries else frozenset()  # decide: a name modifying a noun
        # everyday words that are dictionary words, not frequent names ('road', 'night'; not 'hong', 'kong'): what
        # a headline capitalises (normalize.is_title_case_prompt)
        self.dictionary = vocab.dictionary_words() if self.entries else frozenset()
        self.try_cache: dict[tuple[str, bool], list[tuple[int, float]]] = {}
        self.sorted_words: list[str] = sorted(self.registered_words)
        # the registered words by length: what a word with letters masked by '*' may be ('St*tch', TextMatcher)
        by_len: dict[int, list[str]] = defaultdict(list)
        for w in self.sorted_words:
            if len(w) >= 4 and w.isalpha():
                by_len[len(w)].append(w)
        self.words_by_len: dict[int, tuple[str, ...]] = {k: tuple(v) for k, v in by_len.items()}
        self._rest_near: dict[tuple[str, str, int], bool] = {}  # pair_rest_near answers (bounded)
        if fuzzy:
            self.fuzzy_filter()

    def fuzzy_filter(self) -> bytes:
        """One bit per slot (FUZZY_SLOTS bits, 2 MB), set at fuzzy_hash(s) & FUZZY_MASK for every string s of the
        misspelling tables.

        Most deletion probes of a misspelling query (judge._candidates: up to C(n, 2) of them) are in no table, and a
        lookup in tables of 100,000+ strings costs a few cache misses each (measured: ~0.3 us a probe, most of a cold
        query's time); a probe whose bit is clear is in no table, and is never even made. The hash is positional
        and unsalted, so the filter is saved with the index."""
        import numpy as np

        slots = np.zeros(FUZZY_SLOTS, dtype=np.bool_)
        for (_, length), table in self.fuzzy.items():
            if not table:
                continue
            if length == 0:
                slots[0] = True  # the hash of ''
                continue
            # every string of a table has its length: one row of code points each, hashed column by column
            rows = np.frombuffer(
                "".join(table).encode("utf-32-le", "surrogatepass"), dtype=np.uint32
            ).reshape(len(table), length)
            h = np.zeros(len(table), dtype=np.int64)
            for c in range(length):
                h = (h * HASH_B + rows[:, c]) % HASH_P
            slots[h & FUZZY_MASK] = True
        bits = np.packbits(slots, bitorder="little").tobytes()  # slot h: bit h & 7 of byte h >> 3
        self.fuzzy_bits = bits
        return bits

    def starts_a_registered_word(self, prefix: str) -> bool:
        """A registered name or title word begins with `prefix` (a binary search of the sorted words)."""
        words = self.sorted_words
        i = bisect_left(words, prefix)
        return i < len(words) and words[i].startswith(prefix)

    def plain_word(self, w: str) -> bool:
        """An ordinary English word, an everyday one (vocab.frequent_en_words) or a frequent given name
        (cached): not read as a misspelt name."""
        got = self._plain.get(w)
        if got is None:
            got = self.lex.plain_or_given(w) or w in self.frequent
            if len(self._plain) > 200_000:
                self._plain.clear()
            self._plain[w] = got
        return got

    def pair_side(self, key: str) -> int:
        """How a prompt token (phonetic key) may open / close a misspelt multi-word form: bit 2 / 8 equal to a
        leading / trailing run of its words, bit 1 / 4 within one edit of one. A token of one or two letters
        may be an extra token beside a whole form, so it is 'within one edit' of both sides."""
        got = 5 if len(key) <= 2 else 0
        if not key:
            return got
        dels = None
        if key in self.heads:
            got |= 3
        else:
            dels = set(map("".join, combinations(key, len(key) - 1)))
            if key in self.heads_near or not self.heads_near.isdisjoint(dels):
                got |= 1
        if key in self.tails:
            got |= 12
        else:
            if dels is None:
                dels = set(map("".join, combinations(key, len(key) - 1)))
            if key in self.tails_near or not self.tails_near.isdisjoint(dels):
                got |= 4
        return got

    def pair_rest_near(self, head: str, tail: str, side: int) -> bool:
        """For a pair whose first token is exactly a leading run (side bit 2) / whose second is exactly a trailing
        run (bit 8): the other token is within two edits of the rest of one of those forms, one for a rest of three
        letters or fewer ('cat Hoshino' is no misspelt 'Ai Hoshino'). Cached (bounded): the same pairs of ordinary
        words recur across prompts."""
        key = (head, tail, side & 10)
        got = self._rest_near.get(key)
        if got is None:
            got = bool(side & 2 and _near_one(tail, self.heads[head])) or bool(
                side & 8 and _near_one(head, self.tails[tail])
            )
            if len(self._rest_near) > 200_000:
                self._rest_near.clear()
            self._rest_near[key] = got
        return got

    def frequent_name(self, kana: str) -> bool:
        """Kana (katakana-folded) that read as a frequent Japanese name: the reading of frequent kanji names
        ('タケシ') or an everyday given name ('ナナ', 'ヒカル'; vocab.japanese_given_names)."""
        return kana in self.person_readings or (
            bool(self.person_keys) and len(kana) >= 2 and romaji_key(kana) in self.person_keys
        )

    def work_of(self, character: str) -> str:
        return self.char_work.get(character, "")


_EMPTY: dict[str, list[int]] = {}


def _unaccented(w: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", w) if not unicodedata.combining(c))


PLACE_ZIPF = (
    9.0  # a place's or given name counts as more frequent than any name spelling: a real one is meant
)


@lru_cache(maxsize=1)
def _established_keys() -> tuple[tuple[str, str, float], ...]:
    """(word, its phonetic key, its Zipf frequency) of each one-word place name, given name, surname and brand
    (vocab.places, vocab.established_given_names, vocab.surnames, vocab.brands, as PLACE_ZIPF: 'Uchiza' is a town in Peru, not a
    misspelt 'Uchiha'; 'Youssouf' is a given name, not a misspelt 'Yosshii'; 'Duffy' a surname, not a misspelt
    'Luffy') and of each of vocab.established_words(), keyed once a process."""
    places = {
        _unaccented(w) for w in vocab.places() if " " not in w
    }  # as prompts are folded: 'Baní' -> 'bani'
    # one-word brands too ('Ajinomoto' is a company, not a misspelt 'Kinomoto')
    brands = {_unaccented(b) for b in vocab.brands() if " " not in b}
    names = places | vocab.established_given_names() | vocab.surnames() | brands
    return tuple(
        (w, phonetic_key(w), PLACE_ZIPF) for w in sorted(names) if len(w) >= 4 and w.isalpha()
    ) + tuple((w, phonetic_key(w), z) for w, z in vocab.established_words().items())


def _automaton(keys: dict[str, set[int]]) -> ahocorasick.Automaton:
    a = ahocorasick.Automaton(ahocorasick.STORE_ANY)
    for k, ids in keys.items():
        if k:
            a.add_word(k, (len(k), tuple(sorted(ids))))
    if len(a):
        a.make_automaton()
    return a
