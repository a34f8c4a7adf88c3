"""Text screening: the multilingual prompt matcher and theme detection."""

from mamori.screening.text.matcher import TextMatcher
from mamori.screening.text.themes import detect_themes

__all__ = ["TextMatcher", "detect_themes"]
