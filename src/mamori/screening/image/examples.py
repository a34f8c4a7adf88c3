"""A tiny synthetic registry with drawn reference characters, for detector `examples()` and tests."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import numpy as np

from mamori.registry.model import Character, Registry, Rightsholder, Work
from mamori.screening.base import Corpus, ReferenceImage, SignalCache
from mamori.screening.image import synth

CHARACTERS = (("hoshi", 11), ("kumo", 23))  # (character id, drawing seed)
WORK = "synth-work"


def reference_image(ref_id: str, character: str, work: str, pixels: np.ndarray) -> ReferenceImage:
    pixels = np.ascontiguousarray(pixels)
    return ReferenceImage(ref_id, character, work, hashlib.sha256(pixels.tobytes()).hexdigest(), pixels)


@lru_cache(maxsize=8)
def _sprite(seed: int) -> np.ndarray:
    return synth.draw_character(seed)


def example_registry() -> Registry:
    return Registry(
        rightsholders=(Rightsholder("synth-rh", "Synthetic Rights"),),
        works=(Work(WORK, "synth-rh", ("Synthetic Work",)),),
        characters=tuple(Character(cid, WORK, (cid.title(),)) for cid, _ in CHARACTERS),
    )


def example_corpus(cache: SignalCache | None = None, settings: Any = None) -> Corpus:
    refs = [
        reference_image(f"{cid}/front.png", cid, WORK, synth.flatten(_sprite(seed)))
        for cid, seed in CHARACTERS
    ]
    corpus = Corpus(registry=example_registry(), references=refs, settings=settings)
    if cache is not None:
        corpus.cache = cache
    return corpus


def example_cases(edited: bool = True, settings: Any = None) -> Iterator[tuple[Corpus, Any, set[str]]]:
    """(corpus, RGB pixels, expected characters). Copies for every detector; edited copies when `edited`."""
    corpus = example_corpus(settings=settings)
    (a, sa), (b, sb) = CHARACTERS
    yield corpus, synth.flatten(_sprite(sa)), {a}
    shifted = np.clip(synth.flatten(_sprite(sb)).astype(np.int16) + (12, -8, 5), 0, 255).astype(np.uint8)
    yield corpus, shifted, {b}  # colour-shifted copy
    if edited:
        yield corpus, synth.paste(synth.draw_scene(1), _sprite(sa), 0.5, 0.3), {a}
        yield corpus, synth.flatten(_sprite(sb))[:, ::-1].copy(), {b}  # mirrored
    yield corpus, synth.draw_scene(2), set()
