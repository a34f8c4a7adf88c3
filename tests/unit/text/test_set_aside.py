"""A registered name read in another sense (an everyday word, a place, an owner) is allowed, and the decision's
reasons say why (issue 13: evidence shows why a prompt was allowed when a name matched in another sense)."""

from __future__ import annotations

from pathlib import Path

from mamori.registry.model import Character, Registry, Rightsholder, Work
from mamori.screening.base import Corpus
from mamori.screening.text import TextMatcher


def _matcher() -> TextMatcher:
    reg = Registry(
        rightsholders=(Rightsholder("rh", "Invented"),),
        works=(Work("w", "rh", ("Zephyr Quest",)),),
        characters=(
            Character("link", "w", ("Link",), ("green pointed cap", "zephyr blade")),
            Character("lyon", "w", ("Lyon",), ("violet cape",)),
        ),
    )
    return TextMatcher.build(Corpus(registry=reg))


def test_an_everyday_word_is_set_aside_with_its_sense() -> None:
    m = _matcher()
    matches, aside = m.screen("a link in a rusty chain")
    assert matches == []
    assert len(aside) == 1 and aside[0].text == "link"
    assert "another sense" in aside[0].detail and "everyday word" in aside[0].detail
    assert aside[0].extra["character"] == "link"


def test_a_place_is_set_aside_as_a_place() -> None:
    matches, aside = _matcher().screen("a rainy street in lyon at dusk")
    assert matches == [] and len(aside) == 1 and "a place" in aside[0].detail


def test_a_brand_from_packaged_data_is_another_sense() -> None:
    # 'Sony' is a listed company (pytickersymbols' index data): a brand sense by default, shown in the evidence
    reg = Registry(
        rightsholders=(Rightsholder("rh", "Invented"),),
        works=(Work("w", "rh", ("Zephyr Quest",)),),
        characters=(Character("sony", "w", ("Sony",), ("violet cape",)),),
    )
    m = TextMatcher.build(Corpus(registry=reg))
    assert any(e.label == "Sony" and "brand" in m.index.senses.get(e.eid, ()) for e in m.index.entries)
    matches, aside = m.screen("a sony camera on a wooden desk")
    assert matches == [] and len(aside) == 1 and "a brand" in aside[0].detail


def test_nothing_is_set_aside_when_the_character_is_matched() -> None:
    matches, aside = _matcher().screen("Link from Zephyr Quest with his zephyr blade")
    assert [x.character for x in matches] == ["link"] and aside == []
    assert _matcher().screen("a cat on a sofa") == ([], [])


def test_the_decision_says_why_the_prompt_was_allowed(sqlite_url: str, tmp_path: Path) -> None:
    from mamori.service import Mamori

    data = tmp_path / "registry.yaml"
    data.write_text(
        "format: mamori-registry/1\n"
        "rightsholders:\n  - {id: rh, name: Invented}\n"
        "works:\n  - {id: w, rightsholder: rh, titles: [Zephyr Quest]}\n"
        "characters:\n  - id: link\n    work: w\n    names: [Link]\n    traits: [green pointed cap]\n"
        "    policy: {generation: block}\n",
        encoding="utf-8",
    )
    svc = Mamori.open(sqlite_url, index_cache="off")
    try:
        svc.import_registry(data)
        ctx = svc.context("acme-video", "JP")
        allowed = svc.decide_prompt("a link in a rusty chain", ctx)
        assert allowed.verdict.value == "allow" and allowed.matches == ()
        assert any("set aside" in r and "everyday word" in r for r in allowed.reasons)
        blocked = svc.decide_prompt("Link from Zephyr Quest", ctx)
        assert blocked.verdict.value == "block" and not any("set aside" in r for r in blocked.reasons)
    finally:
        svc.close()
