"""Sound made by this code for tests, benchmarks and the demo: melodies, noise, formant speech, and encoders.

Every generator is seeded, so a test names a track by its seed. Nothing here is a recording of anyone's work.
`speech()` uses espeak-ng when it is installed (real phonemes, several voices) and otherwise a formant synthesiser
(glottal pulses through vowel formants), which is enough to be "speech-like" for a fingerprint that must not match.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from fractions import Fraction
from typing import Any

import numpy as np

VERSION = 2  # bump when a generator's output changes (benchmarks cache fingerprints of its tracks)
RATE = 22050
_SCALE = (0, 2, 4, 5, 7, 9, 11, 12, 14, 16)  # major scale over ~1.5 octaves


def melody(
    seed: int, seconds: float, rate: int = RATE, tempo_scale: float = 1.0, transpose: int = 0
) -> np.ndarray:
    """A seeded tune: notes with harmonics and envelopes, a bass line and a hi-hat; float32 mono in [-1, 1].
    `tempo_scale` > 1 plays the same notes faster (same pitch); `transpose` shifts every note by semitones (same
    timing): how the matcher's tempo and pitch behaviour is measured."""
    rng = np.random.default_rng([seed, 0])  # tempo and key
    notes, bass = (
        np.random.default_rng([seed, 1]),
        np.random.default_rng([seed, 2]),
    )  # independent streams, so
    n = int(seconds * rate)  # a faster version draws the same notes
    out = np.zeros(n, np.float32)
    tempo = rng.uniform(0.18, 0.35) / tempo_scale  # seconds per beat
    root = 48 + int(rng.integers(0, 12)) + transpose
    t0 = 0.0
    while t0 < seconds:
        dur = tempo * float(notes.choice([1, 1, 2, 0.5]))
        midi = root + 12 + _SCALE[int(notes.integers(0, len(_SCALE)))]
        _add_note(out, rate, t0, dur, midi, 0.35, int(notes.integers(2, 6)))
        t0 += dur
    t0 = 0.0
    while t0 < seconds:  # bass: one note every two beats
        _add_note(out, rate, t0, tempo * 2, root + _SCALE[int(bass.integers(0, 5))], 0.3, 3)
        t0 += tempo * 2
    m = int(0.03 * rate)
    hat = np.random.default_rng([seed, 3]).standard_normal(m).astype(np.float32) * np.exp(
        -np.linspace(0, 6, m)
    )
    for k in range(int(seconds / tempo)):
        i = int(k * tempo * rate)
        seg = out[i : i + hat.size]
        seg += 0.08 * hat[: seg.size]
    return _normalise(out)


def _add_note(
    out: np.ndarray, rate: int, t0: float, dur: float, midi: int, amp: float, harmonics: int
) -> None:
    i0 = int(t0 * rate)
    m = min(int(dur * rate), out.size - i0)
    if m <= 0:
        return
    t = np.arange(m, dtype=np.float32) / rate
    f = 440.0 * 2 ** ((midi - 69) / 12)
    wave = sum(np.sin(2 * np.pi * f * h * t) / h for h in range(1, harmonics + 1))
    env = np.minimum(1.0, t / 0.01) * np.exp(-3.0 * t / max(dur, 1e-3))
    out[i0 : i0 + m] += (amp * env * wave).astype(np.float32)


def noise(seed: int, seconds: float, rate: int = RATE) -> np.ndarray:
    """White noise, float32, unit-ish level."""
    rng = np.random.default_rng(seed)
    return _normalise(rng.standard_normal(int(seconds * rate)).astype(np.float32))


_VOWELS = ((730, 1090, 2440), (270, 2290, 3010), (300, 870, 2240), (530, 1840, 2480), (570, 840, 2410))


def formant_speech(seed: int, seconds: float, rate: int = RATE, pitch: float = 120.0) -> np.ndarray:
    """Speech-like sound without espeak-ng: syllables of 0.1-0.3 s whose harmonics (of a wandering pitch) are
    shaped by vowel formants, separated by short pauses and fricative noise."""
    rng = np.random.default_rng(seed)
    n = int(seconds * rate)
    out = np.zeros(n, np.float32)
    i = 0
    while i < n:
        m = min(int(rng.uniform(0.1, 0.3) * rate), n - i)
        f0 = pitch * rng.uniform(0.85, 1.2)
        t = np.arange(m, dtype=np.float32) / rate
        glide = f0 * (1 + 0.1 * t / max(t[-1], 1e-3) * rng.uniform(-1, 1))
        phase = 2 * np.pi * np.cumsum(glide) / rate
        formants = _VOWELS[int(rng.integers(0, len(_VOWELS)))]
        sig = np.zeros(m, np.float32)
        for k in range(1, int(4000 / f0)):
            gain = sum(np.exp(-(((k * f0 - fq) / 120.0) ** 2)) for fq in formants) + 0.02
            sig += (gain / k**0.5 * np.sin(k * phase)).astype(np.float32)
        out[i : i + m] += sig * np.hanning(m).astype(np.float32)
        i += m + int(rng.uniform(0.03, 0.12) * rate)
        if rng.random() < 0.3 and i < n:  # a fricative
            k2 = min(n, i + int(0.06 * rate))
            out[i:k2] += 0.05 * rng.standard_normal(k2 - i).astype(np.float32)
            i = k2
    return _normalise(out)


def espeak_available() -> bool:
    return shutil.which("espeak-ng") is not None


def speech(seed: int, seconds: float, rate: int = RATE, voice: str = "en") -> np.ndarray:
    """Spoken sentences (espeak-ng when installed, else formant_speech), trimmed/padded to `seconds`."""
    if not espeak_available():
        return formant_speech(seed, seconds, rate)
    rng = np.random.default_rng(seed)
    words = ["the", "river", "bright", "morning", "castle", "silver", "under", "quiet", "garden", "seven"]
    words += [
        "window",
        "strange",
        "travel",
        "orange",
        "paper",
        "music",
        "winter",
        "friendly",
        "letter",
        "north",
    ]
    text = ". ".join(" ".join(rng.choice(words, 8)) for _ in range(max(1, int(seconds / 2.5))))
    wav = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", "160", "--stdout", text], capture_output=True, check=True, timeout=60
    ).stdout
    samples, src_rate = decode_wav_bytes(wav)
    audio = resample(samples, src_rate, rate)
    n = int(seconds * rate)
    if audio.size < n:
        audio = np.tile(audio, n // max(1, audio.size) + 1)
    return _normalise(audio[:n])


def decode_wav_bytes(data: bytes) -> tuple[np.ndarray, int]:
    """Mono float32 samples and rate from WAV bytes (PyAV)."""
    import av

    with av.open(io.BytesIO(data), "r") as c:
        stream = c.streams.audio[0]
        rate = stream.rate
        chunks = [f.to_ndarray().astype(np.float32).reshape(-1) for f in c.decode(stream)]
    x = np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
    return x / 32768.0, rate


def resample(x: np.ndarray, src: int, dst: int) -> np.ndarray:
    if src == dst or x.size == 0:
        return x.astype(np.float32)
    t = np.arange(int(x.size * dst / src)) * (src / dst)
    return np.interp(t, np.arange(x.size), x).astype(np.float32)


def mix_snr(signal: np.ndarray, other: np.ndarray, snr_db: float) -> np.ndarray:
    """`signal` plus `other` scaled so that signal power / other power is `snr_db`."""
    other = np.resize(other, signal.size)
    ps = float(np.mean(signal**2)) or 1e-12
    po = float(np.mean(other**2)) or 1e-12
    return _normalise(signal + other * np.sqrt(ps / (po * 10 ** (snr_db / 10))))


def _normalise(x: np.ndarray, peak: float = 0.9) -> np.ndarray:
    m = float(np.max(np.abs(x))) if x.size else 0.0
    return (x * (peak / m)).astype(np.float32) if m > 0 else x.astype(np.float32)


_CONTAINERS = {"wav": ("wav", "pcm_s16le"), "flac": ("flac", "flac"), "mp3": ("mp3", "libmp3lame")}
_CONTAINERS |= {"m4a": ("ipod", "aac"), "ogg": ("ogg", "libopus"), "opus": ("ogg", "libopus")}


def encode(
    samples: np.ndarray, rate: int = RATE, fmt: str = "wav", bitrate: int = 64_000, channels: int = 1
) -> bytes:
    """Encode float32 mono samples to `fmt` (wav, flac, mp3, m4a (AAC), ogg/opus) with PyAV; bytes of the file."""
    import av

    container_fmt, codec = _CONTAINERS[fmt]
    out_rate = 48000 if codec == "libopus" else rate
    x = resample(samples, rate, out_rate)
    pcm = (np.clip(x, -1, 1) * 32767).astype(np.int16)
    buf = io.BytesIO()
    layout = "mono" if channels == 1 else "stereo"
    with av.open(buf, "w", format=container_fmt) as c:
        s: Any = c.add_stream(codec, rate=out_rate)
        s.layout = layout
        if codec not in ("pcm_s16le", "flac"):
            s.bit_rate = bitrate
        frame_size = 1024
        data = np.repeat(pcm[None, :], channels, axis=0).T.reshape(1, -1) if channels > 1 else pcm[None, :]
        for k in range(0, pcm.size, frame_size):
            chunk = np.ascontiguousarray(data[:, k * channels : (k + frame_size) * channels])
            frame = av.AudioFrame.from_ndarray(chunk, format="s16", layout=layout)
            frame.sample_rate = out_rate
            frame.pts = k
            frame.time_base = Fraction(1, out_rate)
            for p in s.encode(frame):
                c.mux(p)
        for p in s.encode(None):
            c.mux(p)
    return buf.getvalue()


def mux_with_audio(video_path: str, out_path: str, tracks: list[np.ndarray], rate: int = RATE) -> str:
    """Copy `video_path`'s video stream into `out_path` (MP4) with each of `tracks` as an AAC audio track."""
    import av

    with av.open(video_path, "r") as src, av.open(out_path, "w") as dst:
        vin = src.streams.video[0]
        vout: Any = dst.add_stream_from_template(vin)
        outs: list[Any] = []
        for _ in tracks:
            a: Any = dst.add_stream("aac", rate=rate)
            a.layout = "mono"
            a.bit_rate = 96_000
            outs.append(a)
        for packet in src.demux(vin):
            if packet.dts is None:
                continue
            packet.stream = vout
            dst.mux(packet)
        for a, x in zip(outs, tracks, strict=True):
            pcm = (np.clip(x, -1, 1) * 32767).astype(np.int16)
            for k in range(0, pcm.size, 1024):
                frame = av.AudioFrame.from_ndarray(
                    np.ascontiguousarray(pcm[None, k : k + 1024]), format="s16", layout="mono"
                )
                frame.sample_rate = rate
                frame.pts = k
                frame.time_base = Fraction(1, rate)
                for p in a.encode(frame):
                    dst.mux(p)
            for p in a.encode(None):
                dst.mux(p)
    return out_path
