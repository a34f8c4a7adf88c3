"""Japanese morphological analysis (fugashi: MeCab with the unidic-lite dictionary, both inside their wheels).

Used only where a script boundary cannot tell where a kana name starts or ends: a name in kana right after or before
other kana or kanji ('きのううさぎちゃんが…', 'ゾロ目'). The analyser splits unspaced text into morphemes; a name is
read on morpheme boundaries, never inside a dictionary word ('れいぞうこ' is one word, not 'れい' + 'ぞうこ').

fugashi was chosen over SudachiPy: MeCab is a C library with a thin Cython binding (~20 us for a sentence here),
unidic-lite's dictionary ships in its wheel, and unidic's parts of speech mark suffixes (honorifics) and particles.
When fugashi or its dictionary is missing the gate says so once and keeps the script-boundary rules.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

log = logging.getLogger(__name__)

MAX_CHARS = 4_000  # a window around a hit is analysed, never a whole (possibly huge) prompt
_tagger: Any = None
_missing = False


def _get_tagger() -> Any:
    global _tagger, _missing
    if _tagger is None and not _missing:
        try:
            import fugashi

            _tagger = fugashi.Tagger()
        except Exception as exc:  # the analyser is optional: never let it stop screening
            _missing = True
            log.warning("Japanese morphological analysis unavailable (%s); script boundaries only", exc)
    return _tagger


def available() -> bool:
    return _get_tagger() is not None


# parts of speech (unidic pos1) of function words: MeCab's split of an unknown kana name often glues one of these
# to the name's edge ('ませ', 'んと'), which says nothing about where a word is
_FUNCTION_POS = frozenset({"助詞", "助動詞", "接尾辞", "接頭辞", "記号", "補助記号", "感動詞"})


@lru_cache(maxsize=20_000)
def morphemes(text: str) -> tuple[tuple[int, int, bool], ...]:
    """(start, end, a known content word) of each morpheme of a short Japanese text; () when unavailable."""
    tagger = _get_tagger()
    if tagger is None or not text:
        return ()
    out = []
    pos = 0
    try:
        for w in tagger(text):
            s = text.find(w.surface, pos)
            if s < 0:
                return ()
            content = not w.is_unk and w.feature.pos1 not in _FUNCTION_POS and len(w.surface) >= 2
            out.append((s, s + len(w.surface), content))
            pos = s + len(w.surface)
    except Exception:  # a malformed input must not crash the run: fall back to script boundaries
        log.debug("morphological analysis failed", exc_info=True)
        return ()
    return tuple(out)


def crosses_word(text: str, a: int, b: int) -> tuple[bool, bool] | None:
    """Whether a dictionary content word runs across the start / the end of the span [a, b) of text ('れいぞうこ' across the
    end of 'れい', 'ゾロ目' across the end of 'ゾロ'), analysed on a window around the span cut where a boundary is
    sure (spaces, punctuation, Latin); None when the analyser is unavailable."""
    lo = max(0, a - 40)
    hi = min(len(text), b + 40)
    for i in range(a - 1, lo - 1, -1):
        if not _jp(text[i]):
            lo = i + 1
            break
    for i in range(b, hi):
        if not _jp(text[i]):
            hi = i
            break
    window = text[lo:hi]
    if len(window) > MAX_CHARS:
        return None
    ms = morphemes(window)
    if not ms:
        return None
    a -= lo
    b -= lo
    return (
        any(content and s < a < e for s, e, content in ms),
        any(content and s < b < e for s, e, content in ms),
    )


def _jp(c: str) -> bool:
    o = ord(c)
    return 0x3040 <= o <= 0x30FF or 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or o in (0x3005, 0xFF70)
