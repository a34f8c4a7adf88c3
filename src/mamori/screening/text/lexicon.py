"""The everyday-language questions the matcher asks, answered from data (no hand-written vocabulary).

`Lexicon` holds what the gate needs while it screens, drawn once from vocab.py when an index is built and kept in
the index (so the persisted index carries it and a cached start loads no word list):

- `common`: ordinary English words (wordfreq, Zipf >= vocab.COMMON_EN_ZIPF): a name equal to one needs context;
- `given`: frequent given names (US census lists, vocab.GIVEN_MIN_PERCENT): a part of a multi-part name equal to one
  is not distinctive, and a spelling variant that is one is a different person;
- `common_ja`: everyday Japanese words, katakana-folded (vocab.common_ja: wordfreq's frequent words that unidic
  does not read as proper nouns, and the readings of frequent kanji words): a kana name or title equal to one needs
  context;
- `openers`: the registered words that open an ordinary English phrase ('black cat', 'the count'): adjectives
  (lemminflect) and the closed class of data/phrase_openers.txt.

The closed grammatical classes (function words, honorifics, Japanese particles) are short data files in `data/`,
read here once at import.
"""

from __future__ import annotations

from mamori.screening.text import vocab

STOPWORDS: frozenset[str] = frozenset(vocab.word_list("function_words.txt"))
_HON = vocab.word_list("honorifics.txt")
HONORIFICS: frozenset[str] = frozenset(h for h in _HON if h.isascii())
JA_HONORIFICS: tuple[str, ...] = tuple(h for h in _HON if not h.isascii())
# honorifics that mark a real person of a given name ('トムさん'), katakana-folded
JA_PERSON_HONORIFICS: tuple[str, ...] = vocab.word_list("person_honorifics.txt")
# what may follow a name written in kana (katakana-folded): particles, the copula, honorifics
_JA_PARTICLES_ONLY = vocab.word_list("ja_particles.txt")
JA_PARTICLES: tuple[str, ...] = _JA_PARTICLES_ONLY + JA_HONORIFICS
# Korean postpositions, longest first: what ends a Hangul word after a name ('토토로가')
KO_PARTICLES: tuple[str, ...] = tuple(sorted(vocab.word_list("ko_particles.txt"), key=len, reverse=True))

# light inflections stripped to find a frequent stem ('cats', 'frozen' is itself frequent, 'jumped', 'running')
_SUFFIXES = (
    ("s", ""),
    ("es", ""),
    ("ed", ""),
    ("ed", "e"),
    ("ing", ""),
    ("ing", "e"),
    ("er", ""),
    ("ly", ""),
)


class Lexicon:
    """Ordinary-language judgments over sets drawn from data (see the module docstring). Picklable."""

    def __init__(
        self,
        common: frozenset[str],
        given: frozenset[str],
        common_ja: frozenset[str],
        openers: frozenset[str],
    ) -> None:
        self.common = common
        self.given = given
        self.common_ja = common_ja
        self.openers = openers
        self._cache: dict[str, bool] = {}
        self._ja_cache: dict[str, bool] = {}

    @classmethod
    def from_data(cls, registered_words: set[str] | frozenset[str] = frozenset()) -> Lexicon:
        """Draw the sets from vocab's data; `openers` for the given (registered) words only."""
        ws = frozenset(registered_words)
        closed = frozenset(vocab.word_list("phrase_openers.txt"))
        return cls(
            vocab.common_en(),
            vocab.frequent_given_names(),
            vocab.common_ja(),
            (ws & closed) | vocab.adjectives(ws - closed),
        )

    def __reduce__(self) -> tuple[type[Lexicon], tuple[frozenset[str], ...]]:
        """Pickled as its sets (the answer caches start empty); also in the compiled build, whose classes have no
        instance dict."""
        return Lexicon, (self.common, self.given, self.common_ja, self.openers)

    def is_common_en(self, word: str) -> bool:
        """A lower-case Latin word (or a light plural/verb form of one) is a frequent English word."""
        got = self._cache.get(word)
        if got is None:
            got = self._common(word)
            if len(self._cache) > 200_000:
                self._cache.clear()
            self._cache[word] = got
        return got

    def _common(self, word: str) -> bool:
        common = self.common
        if word in common:
            return True
        n = len(word)
        for suf, rep in _SUFFIXES:
            if word.endswith(suf) and n - len(suf) >= 3 and word[: -len(suf)] + rep in common:
                return True
        # a doubled final consonant before a verb ending: 'running' (run), 'stopped' (stop); not -er/-est, which
        # make surnames ('Potter', 'Hopper')
        for suf in ("ing", "ed"):
            stem = n - len(suf)
            if (
                word.endswith(suf)
                and stem >= 4
                and word[stem - 1] == word[stem - 2]
                and word[stem - 1] not in "aeiouywlsz"
                and word[: stem - 1] in common
            ):
                return True
        return False

    def ordinary_word(self, word: str) -> bool:
        """A word of a multi-word name that makes it read as ordinary English: a frequent English word, or a light
        inflection of one that is not a frequent given name ('parker', 'walker' yes; 'peter' is not 'pet' + 'er')."""
        if word in self.common or word in STOPWORDS:
            return True
        return word not in self.given and self.is_common_en(word)

    def plain_or_given(self, word: str) -> bool:
        """An ordinary English word or a frequent given name."""
        return word in self.given or self.is_common_en(word)

    def everyday_ja(self, key: str) -> bool:
        """A katakana-folded kana form that is an everyday Japanese word, or one followed by a particle ('ウチハ':
        うち + は, 'we are ...')."""
        got = self._ja_cache.get(key)
        if got is None:
            got = key in self.common_ja or any(
                key.endswith(p) and len(key) - len(p) >= 2 and key[: -len(p)] in self.common_ja
                for p in _JA_PARTICLES_ONLY
            )
            if len(self._ja_cache) > 100_000:
                self._ja_cache.clear()
            self._ja_cache[key] = got
        return got

    def frequent_phrase(self, words: tuple[str, ...]) -> bool:
        """A lower-case run of ordinary words that reads as an English phrase rather than a name: two or more
        ordinary words opened by an adjective or determiner ('black cat', 'the count'), or three or more."""
        if not words or not all(self.ordinary_word(w) for w in words):
            return False
        return words[0] in self.openers or len(words) >= 3 or any(w in STOPWORDS for w in words)
