"""Text made safe to store and hash, once, where it enters (CLI batch and single prompt, HTTP, SDK).

Python strings can hold what UTF-8 cannot encode (a lone surrogate: a JSON escape like `\\ud800`, or argv bytes
decoded with surrogateescape) and what a PostgreSQL text column refuses (NUL). Such a prompt is not rejected:
each of those characters is replaced with U+FFFD, the prompt is screened and recorded as replaced, and the decision
says so in its reasons. The prompt normaliser drops U+FFFD like any invisible character, so a name split by one
is still found. Every other field of a request (ids, names, reasons) is refused instead, with `problem()`'s text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

REPLACEMENT = "\ufffd"
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


@dataclass(frozen=True)
class SafeText:
    text: str
    replaced: int = 0

    @property
    def note(self) -> str | None:
        """The reason a decision carries when characters were replaced."""
        if not self.replaced:
            return None
        return (
            f"the prompt held {self.replaced} character(s) that are not storable text (lone surrogates or NUL); "
            "each was replaced with U+FFFD before it was screened and recorded"
        )


def _storable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def safe_text(raw: str) -> SafeText:
    """`raw` with every lone surrogate and NUL replaced by U+FFFD, and how many were replaced."""
    if _storable(raw):
        return SafeText(raw)
    clean, n = UNSTORABLE.subn(REPLACEMENT, raw)
    return SafeText(clean, n)


def describe(ch: str) -> str:
    """'U+200B ZERO WIDTH SPACE' for a message (never the character itself, which may not be printable)."""
    name = unicodedata.name(ch, "") if not 0xD800 <= ord(ch) <= 0xDFFF else "lone surrogate"
    return f"U+{ord(ch):04X}" + (f" {name}" if name else "")


def problem(text: str) -> str | None:
    """Why a non-prompt field cannot be stored as given (None when it can)."""
    m = UNSTORABLE.search(text)
    if m is None:
        return None
    return f"contains {describe(m.group())} at position {m.start()}, which is not storable text"


_BYTES_LITERAL = re.compile(r"""b'(?:[^'\\]|\\.)*'|b"(?:[^"\\]|\\.)*\"""")


def without_bytes(message: str) -> str:
    """A decoder's message with any quoted bytes (`header b'root:x:0'`) cut out: an error about a file that is
    not media must say what it is not, never echo what it holds."""
    return _BYTES_LITERAL.sub("<bytes>", message)[:300]


# One search each, in C (four Python passes over the prompt were a visible share of a screening's cost).
_SCRIPTS = (
    ("ja", re.compile("[\u3040-\u30ff]")),  # kana
    ("ko", re.compile("[\uac00-\ud7af]")),  # hangul
    ("zh", re.compile("[\u4e00-\u9fff]")),  # han, without kana
    ("en", re.compile("[A-Za-z]")),  # ASCII letters
)


def prompt_language(text: str) -> str:
    """A coarse script-based language tag for audit summaries: ja, zh, ko, en/latin, other."""
    for tag, script in _SCRIPTS:
        if script.search(text):
            return tag
    return "other"
