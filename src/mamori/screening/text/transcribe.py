"""Katakana readings of Latin names, made at build time only: how a Japanese writer spells a name registered in Latin
letters alone ('Olaf' -> オラフ, 'Rikuto' -> リクト), so the prompt gate finds it in a Japanese sentence in katakana or
hiragana.

- A word that is already Japanese romaji (its kana read back by pykakasi's Hepburn give the same letters:
  'rikuto', 'anakin') gets its kana directly (jaconv's romaji-to-kana table).
- Any other word ('olaf', 'edward') gets the reading of e2k's character-to-katakana model (an RNN trained on
  Wiktionary and JMdict, public domain; its weights ship inside the wheel and run with numpy alone).

Readings are guesses: a writer may spell the name another way (ベイダー / ベーダー), and the gate treats them as
variants, never as registered names. Without e2k the Western words get no reading; the gate says so once.
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache
from typing import Any

from mamori.screening.text.variants import romaji_segments

log = logging.getLogger(__name__)

MIN_LETTERS = 3  # shorter words have too many readings to mean one name
_FOREIGN_KANA = frozenset("ァィゥェォヴヵヶヮ")
_lock = threading.Lock()
_model: Any = None
_missing = False


def _c2k() -> Any:
    """e2k's character-to-katakana model, the 'turbo' variant (half the time of the default one; measured here:
    2.4 against 5.4 ms a word, same readings on names); None when e2k is not installed."""
    global _model, _missing
    with _lock:
        if _model is None and not _missing:
            try:
                from e2k import C2K

                _model = C2K(model="turbo")
            except Exception as exc:  # optional at run time: the gate works without these readings
                _missing = True
                log.warning("katakana readings of Latin names unavailable (e2k: %s)", exc)
        return _model


def romaji_reading(word: str) -> str:
    """The katakana of a lower-case word that is Japanese romaji, '' when it is not: jaconv's kana read back by
    pykakasi must give the word's own letters ('olaf' -> 'おらっ' -> 'ora' is not romaji)."""
    import jaconv

    kana = jaconv.hira2kata(jaconv.alphabet2kana(word))
    # Hepburn romaji of a Japanese name makes full-size kana only: a small vowel or ヴ ('eevee' -> エエヴェエ) says
    # the letters spell a foreign word
    if (
        not kana
        or not all("゠" < c <= "ヺ" or c == "ー" for c in kana)
        or any(c in _FOREIGN_KANA for c in kana)
    ):
        return ""
    back = "".join(sg[2] for sg in romaji_segments(kana))
    return kana if back == word else ""


@lru_cache(maxsize=200_000)
def reading(word: str) -> str:
    """The katakana reading of one lower-case Latin word ('' for a short or non-alphabetic word, or without e2k)."""
    if len(word) < MIN_LETTERS or not (word.isascii() and word.isalpha()):
        return ""
    got = romaji_reading(word)
    if got:
        return got
    model = _c2k()
    if model is None:
        return ""
    with _lock:  # one model, its buffers shared: one word at a time
        out = str(model(word))
    kata = "".join(c for c in out if "゠" < c <= "ヺ" or c == "ー")
    return kata if len(kata) >= 2 and kata == out else ""


_cc: Any = None
_cc_missing = False


def _converters() -> Any:
    """OpenCC's Japanese-to-traditional and traditional-to-simplified converters (their tables ship inside the
    wheel); None when opencc is not installed."""
    global _cc, _cc_missing
    with _lock:
        if _cc is None and not _cc_missing:
            try:
                import opencc

                _cc = (opencc.OpenCC("jp2t.json"), opencc.OpenCC("t2s.json"))
            except Exception as exc:  # optional: the gate works without the Chinese forms
                _cc_missing = True
                log.warning("Chinese forms of kanji names unavailable (opencc: %s)", exc)
        return _cc


@lru_cache(maxsize=50_000)
def hanzi_forms(name: str) -> tuple[str, ...]:
    """A name with kanji as Chinese writing spells it: in traditional and in simplified characters ('緑谷出久' ->
    '綠谷出久', '绿谷出久'; '竈門' -> '灶门'), each only where it differs from the name. Without opencc, none."""
    if not any("\u4e00" <= c <= "\u9fff" for c in name):
        return ()
    cc = _converters()
    if cc is None:
        return ()
    traditional = cc[0].convert(name)
    simplified = cc[1].convert(traditional)
    forms = [traditional, simplified]
    if "ノ" in name or "の" in name:
        # the particle の between kanji, as Chinese titles write it: 之, 的 or nothing ('钢之炼金术师', '进击的巨人')
        for f in (traditional, simplified):
            for p in ("之", "的", ""):
                forms.append(
                    "".join(p if c in "のノ" and _between_kanji(f, i) else c for i, c in enumerate(f))
                )
    return tuple(f for f in dict.fromkeys(forms) if f != name)


def _between_kanji(s: str, i: int) -> bool:
    return 0 < i < len(s) - 1 and "一" <= s[i - 1] <= "鿿" and "一" <= s[i + 1] <= "鿿"
