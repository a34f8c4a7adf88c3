"""Evidence text for scored hits: a match's evidence, and that of a name set aside in another sense."""

from __future__ import annotations

from mamori.screening.text.judge import Scored
from mamori.screening.text.names import NameIndex
from mamori.screening.text.normalize import Normalized
from mamori.types import Evidence, Rule, Span

_R_NAME, _R_TITLE = str(Rule.NAME), str(Rule.TITLE)  # plain strings: cheaper to compare than enum members


def evidence_of(norm: Normalized, s: Scored, score: float) -> Evidence:
    h = s.hit
    if norm.starts is None:  # identity offset map
        o0, o1 = h.n0, h.n1
    else:
        o0, o1 = norm.span(h.n0, h.n1)
    text = norm.original[o0:o1]
    e = s.entry
    rule = s.rule
    if rule == _R_NAME:
        detail = f"'{text}' is the registered name '{e.label}'"
    elif rule == _R_TITLE:
        detail = f"'{text}' is the registered title '{e.label}' of work '{e.work}'"
    else:
        what = "title" if e.is_title else "name"
        detail = f"'{text}' reads as the registered {what} '{e.label}' ({s.how})"
    return Evidence(s.rule, round(score, 4), detail, Span(o0, o1), text, {"matched": e.label})


def set_aside(index: NameIndex, norm: Normalized, s: Scored) -> Evidence:
    """The evidence of a name read in another sense, with that sense: given to another, another person, an owner
    (s.other: in s.how), else what else the word is (registry `other_senses` or data: a place, an everyday word,
    a person's name, a brand), else an ordinary-word or lower-case reading."""
    ev = evidence_of(norm, s, 0.0)
    e = s.entry
    if s.other:
        why = s.how
    else:
        senses = index.senses.get(e.eid)
        if senses:
            why = "also " + ", ".join(_SENSE_WORDS.get(x.split(":")[0], x) + _lang(x) for x in senses)
        elif e.common:
            why = "also ordinary words" if len(e.words) >= 2 or e.ja else "also an everyday word"
        else:
            why = "read as ordinary text (lower case or no name-like spelling)"
    return Evidence(
        ev.rule,
        0.0,
        f"set aside: {ev.detail}, read in another sense ({why}); no character evidence in the prompt",
        ev.span,
        ev.text,
        {**ev.extra, "set_aside": why, "character": e.character or "", "work": e.work},
    )


_SENSE_WORDS = {
    "word": "an everyday word",
    "place": "a place",
    "given-name": "a given name",
    "surname": "a surname",
    "person": "a person",
    "brand": "a brand",
    "product": "a product",
    "band": "a band",
    "title": "another title",
    "declared": "declared ambiguous by the rightsholder",
}


def _lang(sense: str) -> str:
    return f" ({sense.split(':', 1)[1]})" if sense.startswith("word:") else ""
