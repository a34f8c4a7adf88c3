"""A tiny synthetic registry with synthesised theme songs, for audio detector `examples()` and tests."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from functools import cache
from typing import Any

from mamori.registry.model import Character, Registry, Rightsholder, Work
from mamori.screening.audio import synth
from mamori.screening.audio.decode import decode_audio
from mamori.screening.audio.references import ReferenceAudio
from mamori.screening.base import Corpus

WORK = "synth-sound-work"
SONGS = (("utau", 101), ("fue", 202))  # (character id, melody seed)
SONG_SECONDS = 40.0


def example_registry() -> Registry:
    return Registry(
        rightsholders=(Rightsholder("synth-rh", "Synthetic Rights"),),
        works=(Work(WORK, "synth-rh", ("Synthetic Sound Work",)),),
        characters=tuple(Character(cid, WORK, (cid.title(),)) for cid, _ in SONGS),
    )


@cache
def song_bytes(seed: int, fmt: str = "wav") -> bytes:
    return synth.encode(synth.melody(seed, SONG_SECONDS), fmt=fmt)


def reference_audio(
    ref_id: str, character: str, work: str, data: bytes, voice: bool = False
) -> ReferenceAudio:
    return ReferenceAudio(ref_id, character, work, hashlib.sha256(data).hexdigest(), data, ref_id, voice)


def example_corpus(settings: Any = None) -> Corpus:
    refs = [reference_audio(f"{cid}/theme.wav", cid, WORK, song_bytes(seed)) for cid, seed in SONGS]
    return Corpus(registry=example_registry(), settings=settings, audio_references=refs)


def excerpt_bytes(
    seed: int, start: float, seconds: float, fmt: str = "wav", noise_db: float | None = None
) -> bytes:
    x = synth.melody(seed, SONG_SECONDS)[int(start * synth.RATE) : int((start + seconds) * synth.RATE)]
    if noise_db is not None:
        x = synth.mix_snr(x, synth.noise(seed + 1, seconds), noise_db)
    return synth.encode(x, fmt=fmt)


def example_cases() -> Iterator[tuple[Corpus, Any, set[str]]]:
    """(corpus, an AudioTrack, expected characters)."""
    corpus = example_corpus()
    (a, sa), (b, sb) = SONGS
    yield corpus, decode_audio(excerpt_bytes(sa, 11.3, 12.0))[0], {a}
    yield corpus, decode_audio(excerpt_bytes(sb, 20.0, 10.0, fmt="mp3", noise_db=10.0))[0], {b}
    yield corpus, decode_audio(synth.encode(synth.melody(999, 12.0)))[0], set()


VOICES = (("koe", "en+f3"), ("nodo", "en+m1"))  # (character id, espeak-ng voice)


def voice_corpus(settings: Any = None) -> Corpus:
    refs = [
        reference_audio(
            f"{cid}/voice.wav", cid, WORK, synth.encode(synth.speech(1, 10.0, voice=v)), voice=True
        )
        for cid, v in VOICES
    ]
    reg = Registry(
        example_registry().rightsholders,
        example_registry().works,
        tuple(Character(c, WORK, (c,)) for c, _ in VOICES),
    )
    return Corpus(registry=reg, settings=settings, audio_references=refs)


def voice_cases() -> Iterator[tuple[Corpus, Any, set[str]]]:
    """(corpus, an AudioTrack, expected characters): other words in a registered voice, and a melody."""
    corpus = voice_corpus()
    (a, va), _ = VOICES
    yield corpus, decode_audio(synth.encode(synth.speech(7, 8.0, voice=va)))[0], {a}
    yield corpus, decode_audio(synth.encode(synth.melody(5, 8.0)))[0], set()
