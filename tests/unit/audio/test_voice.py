"""Voices: Resemblyzer's encoder read without PyTorch, calibrated on espeak-ng voices (skipped when the weights or
espeak-ng are absent, since formant speech has no speaker to tell apart)."""

from __future__ import annotations

import numpy as np
import pytest

from mamori.screening.audio import synth
from mamori.screening.audio.decode import decode_audio
from mamori.screening.audio.examples import voice_corpus
from mamori.screening.audio.speaker import ModelError, find_weights, load_legacy_state, mel_filters
from mamori.screening.audio.voice import REVIEW_SCORE, VoiceDetector

needs_model = pytest.mark.skipif(
    find_weights() is None or not synth.espeak_available(),
    reason="resemblyzer weights or espeak-ng not installed",
)


def test_mel_filters_are_slaney_triangles() -> None:
    f = mel_filters()
    assert f.shape == (40, 201) and (f >= 0).all()
    peaks = f.argmax(axis=1)
    assert (np.diff(peaks) >= 0).all()  # ascending centres
    assert (f.sum(axis=1) > 0).all()


def test_a_file_that_is_not_weights_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "pretrained.pt"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(ModelError):
        load_legacy_state(bad)
    det = VoiceDetector.build(voice_corpus(settings=type("S", (), {"voice_model_path": str(bad)})()))
    assert not det.enabled and "cannot read" in det.reason


@needs_model
def test_weights_load_without_torch() -> None:
    state = load_legacy_state(find_weights())  # type: ignore[arg-type]
    assert state["lstm.weight_ih_l0"].shape == (1024, 40) and state["linear.weight"].shape == (256, 256)
    import sys

    assert "torch" not in sys.modules


@needs_model
def test_a_registered_voice_saying_other_words_is_review_evidence() -> None:
    det = VoiceDetector.build(voice_corpus())
    clip = np.concatenate([synth.melody(3, 4.0) * 0.0, synth.speech(9, 10.0, voice="en+f3")])
    (m,) = det.detect(decode_audio(synth.encode(clip))[0])
    assert m.character == "koe" and m.score <= REVIEW_SCORE
    assert m.segments[0].start >= 2.0  # the first 4 s are silence


@needs_model
@pytest.mark.parametrize(
    "voice", ["en+m3", "en-us+m7", "en+f1"]
)  # en+m3 is the closest to the registered en+m1
def test_other_voices_do_not_match(voice: str) -> None:
    det = VoiceDetector.build(voice_corpus())
    assert det.detect(decode_audio(synth.encode(synth.speech(9, 10.0, voice=voice)))[0]) == []


@needs_model
def test_voice_signals_are_cached() -> None:
    from tests.unit.audio.test_music import MemoryCache

    cache = MemoryCache()
    corpus = voice_corpus()
    corpus.cache = cache
    VoiceDetector.build(corpus)
    puts = cache.puts
    again = VoiceDetector.build(corpus)
    assert cache.puts == puts and again.embeddings.shape == (2, 256)
