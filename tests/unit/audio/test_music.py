"""The Chromaprint signal end to end on sound this code synthesises: excerpts anywhere, re-encoded, at another
volume, under speech or noise must match; unrelated music, speech and noise must not."""

from __future__ import annotations

import numpy as np
import pytest

from mamori.screening.audio import synth
from mamori.screening.audio.decode import decode_audio
from mamori.screening.audio.examples import WORK, example_registry, reference_audio
from mamori.screening.audio.screen import AudioGate
from mamori.screening.base import Corpus

SONG_SECONDS = 60.0
SEEDS = {"utau": 11, "fue": 12, "taiko": 13, "koto": 14}
R = synth.RATE


class MemoryCache:
    def __init__(self) -> None:
        self.data: dict[tuple[str, str, str], bytes] = {}
        self.puts = 0

    def get_signal(self, sha256: str, detector: str, version: str) -> bytes | None:
        return self.data.get((sha256, detector, version))

    def put_signal(self, sha256: str, detector: str, version: str, payload: bytes) -> None:
        self.puts += 1
        self.data[(sha256, detector, version)] = payload


def song(cid: str) -> np.ndarray:
    return synth.melody(SEEDS[cid], SONG_SECONDS)


@pytest.fixture(scope="module")
def cache() -> MemoryCache:
    return MemoryCache()


@pytest.fixture(scope="module")
def gate(cache: MemoryCache) -> AudioGate:
    from mamori.registry.model import Character, Registry

    reg = example_registry()
    reg = Registry(reg.rightsholders, reg.works, tuple(Character(c, WORK, (c,)) for c in SEEDS))
    refs = [reference_audio(f"{c}.flac", c, WORK, synth.encode(song(c), fmt="flac")) for c in SEEDS]
    return AudioGate(Corpus(registry=reg, cache=cache, audio_references=refs))


def heard(gate: AudioGate, x: np.ndarray, fmt: str = "wav") -> dict[str, object]:
    res = gate.screen(synth.encode(x, fmt=fmt))
    assert res.error is None
    return {m.character: m for m in res.matches}


@pytest.mark.parametrize(
    ("cid", "start", "fmt", "mix"),
    [
        ("utau", 0.0, "wav", None),
        ("fue", 23.37, "m4a", None),  # AAC 64 kb/s, an offset that is no multiple of anything
        ("taiko", 51.9, "mp3", "volume"),  # the song's last 8 s, MP3 64 kb/s, at 10 % volume
        ("koto", 7.01, "ogg", "noise"),  # Opus 64 kb/s under white noise at 10 dB SNR
        ("utau", 33.3, "m4a", "speech"),  # AAC under speech at 10 dB SNR
    ],
)
def test_an_8_second_excerpt_matches(
    gate: AudioGate, cid: str, start: float, fmt: str, mix: str | None
) -> None:
    x = song(cid)[int(start * R) : int((start + 8.0) * R)]
    if mix == "volume":
        x = x * 0.1
    elif mix == "noise":
        x = synth.mix_snr(x, synth.noise(5, 8.0), 10.0)
    elif mix == "speech":
        x = synth.mix_snr(x, synth.speech(5, 8.0), 10.0)
    found = heard(gate, x, fmt)
    assert set(found) == {cid}
    m = found[cid]
    assert m.score >= 0.7, m.evidence[0].detail
    ev = m.evidence[0]
    assert abs(ev.extra["reference_time"] - start) < 0.5  # it knows where in the song the excerpt came from
    assert m.segments[0].start < 1.0 and m.segments[-1].end > 6.5


def test_segments_are_in_clip_time(gate: AudioGate) -> None:
    """Speech, then 12 s of one song, then noise, then 10 s of another: two characters, each in its own span."""
    parts = [
        synth.speech(1, 5.0),
        song("fue")[int(30 * R) : int(42 * R)],
        synth.noise(2, 4.0) * 0.3,
        song("koto")[int(3 * R) : int(13 * R)],
    ]
    found = heard(gate, np.concatenate(parts), "m4a")
    assert set(found) == {"fue", "koto"}
    (fue,) = found["fue"].segments
    (koto,) = found["koto"].segments
    assert 4.0 <= fue.start <= 6.0 and 16.0 <= fue.end <= 18.0  # heard 5-17 s
    assert 20.0 <= koto.start <= 22.0 and koto.end >= 29.0  # heard 21-31 s


@pytest.mark.parametrize(
    "make",
    [
        lambda: synth.melody(901, 20.0),  # unrelated music
        lambda: synth.melody(902, 20.0) * 0.2,
        lambda: synth.speech(903, 20.0),
        lambda: synth.formant_speech(904, 20.0),
        lambda: synth.noise(905, 20.0),
        lambda: np.zeros(int(20.0 * R), np.float32),  # silence
    ],
)
def test_unrelated_sound_does_not_match(gate: AudioGate, make) -> None:  # type: ignore[no-untyped-def]
    assert heard(gate, make(), "m4a") == {}


def test_reference_signals_are_cached_by_content(gate: AudioGate, cache: MemoryCache) -> None:
    puts = cache.puts
    assert puts >= len(SEEDS)
    again = AudioGate(Corpus(registry=example_registry(), cache=cache, audio_references=gate_refs()))
    assert cache.puts == puts  # the second build decoded nothing
    assert again.detectors[0].index is not None and len(again.detectors[0].index) == len(SEEDS)  # type: ignore[attr-defined]


def gate_refs() -> list:  # type: ignore[type-arg]
    return [reference_audio(f"{c}.flac", c, WORK, synth.encode(song(c), fmt="flac")) for c in SEEDS]


def test_a_video_with_two_audio_tracks_is_heard_on_both(gate: AudioGate, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from mamori.screening.video.synth import make_clip

    silent = make_clip(tmp_path / "v.mp4", duration=10.0, fps=8, size=(96, 64))
    path = synth.mux_with_audio(
        silent, str(tmp_path / "va.mp4"), [synth.speech(3, 10.0), song("taiko")[int(12 * R) : int(22 * R)]]
    )
    res = gate.screen(path)
    assert [t["index"] for t in res.tracks] == [1, 2]
    assert [m.character for m in res.matches] == ["taiko"]
    assert decode_audio(path)[1].duration == pytest.approx(10.0, abs=0.2)


@pytest.mark.parametrize(
    "kw", [{"tempo_scale": 1.05}, {"tempo_scale": 0.95}, {"transpose": 1}, {"transpose": -1}]
)
def test_tempo_and_a_semitone_are_found_for_review(gate: AudioGate, kw: dict[str, float]) -> None:
    x = synth.melody(SEEDS["fue"], SONG_SECONDS, **kw)[int(20 * R) : int(32 * R)]  # type: ignore[arg-type]
    found = heard(gate, x, "m4a")
    assert set(found) == {"fue"} and 0.4 <= found["fue"].score < 0.9
