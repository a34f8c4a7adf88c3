"""The ordinary-English judge behind 'needs context' and 'odd word' decisions."""

from __future__ import annotations

import pytest

from mamori.screening.text.lexicon import is_common_en


@pytest.mark.parametrize("word", ["running", "stopped", "sitting", "planned", "walking", "smiles"])
def test_light_inflections_of_frequent_words_are_ordinary(word: str) -> None:
    assert is_common_en(word)


@pytest.mark.parametrize("word", ["potter", "hopper", "vegeta", "zelda", "tanner"])
def test_names_and_surnames_are_not_made_ordinary(word: str) -> None:
    assert not is_common_en(word)
