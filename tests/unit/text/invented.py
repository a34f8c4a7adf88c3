"""Helpers of the held-out tests: a registry of invented characters of one work, and the characters a prompt finds."""

from __future__ import annotations

from mamori.registry.model import Character, Registry, Rightsholder, Work
from mamori.screening.text import TextMatcher


def one_work(title: str | tuple[str, ...], *characters: Character) -> Registry:
    """A registry of one rightsholder and one work ('w', with `title`, or several titles), the characters given
    (their work 'w')."""
    return Registry(
        rightsholders=(Rightsholder("rh", "Invented Studio"),),
        works=(Work("w", "rh", (title,) if isinstance(title, str) else title),),
        characters=characters,
    )


def chars(m: TextMatcher, text: str) -> list[str]:
    """The characters (or, for a work named alone, the work) the prompt finds, sorted."""
    return sorted({x.character or x.work for x in m.detect(text)})
