"""Text screening: the multilingual prompt matcher and theme detection."""

from mamori.screening.text import native as _native

_native.activate(__path__)  # the compiled build of the hot modules, only when it matches the sources

from mamori.screening.text.matcher import TextMatcher  # noqa: E402
from mamori.screening.text.themes import detect_themes  # noqa: E402

__all__ = ["TextMatcher", "detect_themes"]
