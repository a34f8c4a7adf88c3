from __future__ import annotations

import pytest

from mamori.registry.model import Character, Registry, Rightsholder, Work
from mamori.screening.base import Corpus
from mamori.screening.text import TextMatcher

# Invented characters only: the product is judged on characters the code has never seen.
REGISTRY = Registry(
    rightsholders=(Rightsholder("rh", "Invented Studio"),),
    works=(
        Work("starlight", "rh", ("Starlight Academy", "スターライト学園")),
        Work("iron-tide", "rh", ("Iron Tide", "アイアンタイド")),
        Work("hearth", "rh", ("Hearth Tales", "ハースの物語")),
        Work("kite", "rh", ("Kite Legends",)),
        Work("dress", "rh", ("Overcoat", "ワンピース")),
    ),
    characters=(
        Character(
            "mirai",
            "starlight",
            ("Mirai Hoshino", "星野みらい"),
            ("silver twin tails", "star-shaped hairpin", "violet school blazer", "comet wand"),
        ),
        Character(
            "brakken",
            "iron-tide",
            ("Brakken", "ブラッケン"),
            ("iron anchor", "red beard", "barnacle armor", "one-eyed captain"),
        ),
        Character(
            "dorumi",
            "iron-tide",
            ("Dorumi Kazenaga", "風長ドルミ"),
            ("blue-haired navigator", "compass necklace", "paper map"),
        ),
        Character("tilo", "hearth", ("Tilo",), ("tiny mushroom hat", "acorn backpack", "lantern")),
        Character("link", "kite", ("Link",), ("green tunic", "pointed hat", "kite shield")),
        Character("mario", "kite", ("Mario",), ("plumber cap", "thick moustache")),
        Character("wren", "dress", ("Wren Ashdown",), ("patched overcoat", "crow feather", "pocket watch")),
        Character("spider", "hearth", ("Web-Walker",), ("eight-legged suit",)),
    ),
)


@pytest.fixture(scope="session")
def registry() -> Registry:
    return REGISTRY


@pytest.fixture(scope="session")
def matcher() -> TextMatcher:
    return TextMatcher.build(Corpus(registry=REGISTRY))
