"""Bad audio gets a clear result or error in bounded time and memory: no samples, 1 Hz and 384 kHz rates,
32 channels, hours-long files (capped), corrupt and truncated streams, several tracks."""

from __future__ import annotations

import io
import wave

import numpy as np
import pytest

from mamori.screening.audio import synth
from mamori.screening.audio.decode import ANALYSIS_RATE, AudioError, AudioLimits, decode_audio
from mamori.screening.audio.examples import example_corpus
from mamori.screening.audio.screen import AudioGate
from mamori.screening.media import sniff_kind


def wav(rate: int, channels: int, frames: int) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        noise = np.random.default_rng(0).standard_normal(frames * channels) * 3000
        w.writeframes(noise.astype(np.int16).tobytes())
    return buf.getvalue()


def test_no_samples() -> None:
    with pytest.raises(AudioError, match="no samples"):
        decode_audio(wav(22050, 1, 0))


@pytest.mark.parametrize("rate", [1, 800_000])
def test_absurd_sample_rates_are_refused(rate: int) -> None:
    with pytest.raises(AudioError, match=f"unsupported sample rate {rate} Hz"):
        decode_audio(wav(rate, 1, 100))


@pytest.mark.parametrize(("rate", "channels"), [(384_000, 2), (48_000, 32)])
def test_high_rates_and_many_channels_are_mixed_down(rate: int, channels: int) -> None:
    (track,) = decode_audio(wav(rate, channels, rate * 2))
    assert track.source_rate == rate and track.channels == channels
    assert track.duration == pytest.approx(2.0, abs=0.01) and track.samples.dtype == np.float32


def test_long_audio_is_capped_and_says_so() -> None:
    (track,) = decode_audio(wav(8000, 1, 8000 * 120), AudioLimits(max_seconds=30.0))
    assert track.samples.size == 30 * ANALYSIS_RATE
    assert track.notes == ["audio track 0: only the first 30 s screened"]


def test_too_many_bytes_is_refused() -> None:
    with pytest.raises(AudioError, match="larger than"):
        decode_audio(wav(8000, 1, 80_000), AudioLimits(max_bytes=1024))


def test_damage_in_the_middle_is_skipped_and_noted() -> None:
    mp3 = bytearray(synth.encode(synth.melody(1, 12.0), fmt="mp3"))
    mid = len(mp3) // 2
    mp3[mid : mid + 1500] = np.random.default_rng(1).integers(0, 256, 1500, dtype=np.uint8).tobytes()
    (track,) = decode_audio(bytes(mp3))
    assert track.duration > 10.0  # what follows the damage is still decoded
    assert any("damaged packet" in n for n in track.notes)


@pytest.mark.parametrize("data", [b"RIFF" + bytes(1000), b"OggS" + bytes(600), b"\xff\xfb" + bytes(50)])
def test_garbage_is_an_error(data: bytes) -> None:
    with pytest.raises(AudioError):
        decode_audio(data)


def test_the_gate_reports_errors_instead_of_raising() -> None:
    res = AudioGate(example_corpus()).screen(b"fLaC" + bytes(300))
    assert res.matches == [] and res.error


def test_audio_is_recognised_by_content() -> None:
    assert sniff_kind(wav(8000, 1, 10)[:512], "x.bin") == "audio"
    assert sniff_kind(synth.encode(synth.noise(1, 1.0), fmt="flac")[:512], "x.jpg") == "audio"
    assert sniff_kind(synth.encode(synth.noise(1, 1.0), fmt="ogg")[:512], "") == "audio"
    assert sniff_kind(synth.encode(synth.noise(1, 1.0), fmt="m4a")[:512], "") in ("audio", "video")
