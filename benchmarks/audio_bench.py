"""Audio gate speed: fingerprint + match a 20-s clip against 1,000 registered ~90-s tracks, beside decoding alone.

References are synthesised melodies (seeded); their fingerprints are computed once (2 processes) and kept under
the index cache folder, so later runs start at once. Clips: 10 excerpts of registered tracks at random offsets,
AAC 64 kb/s under noise or speech at 10 dB SNR, and 10 unrelated clips (other melodies, speech, noise), each 20 s.
Per clip, in the same run: decode only (PyAV, every audio track to mono 16 kHz), then fingerprint + match
(ChromaprintDetector.detect: resample to 11,025 Hz, Chromaprint, index lookup, bit-error check, segments).
Budget: fingerprint + match <= 0.3 s per 20-s clip on 2 cores.
"""

from __future__ import annotations

import os
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

TRACKS = int(os.environ.get("MAMORI_AUDIO_BENCH_TRACKS", "1000"))
TRACK_SECONDS = 90.0
CLIP_SECONDS = 20.0
BUDGET_S = 0.3


def _fingerprint_seed(seed: int) -> np.ndarray:
    from mamori.screening.audio import chroma, synth
    from mamori.screening.audio.decode import to_pcm16

    return chroma.fingerprint(to_pcm16(synth.melody(seed, TRACK_SECONDS, rate=chroma.RATE)))


def _cache_file() -> Path:
    from mamori.screening.audio import chroma, synth

    base = Path(os.environ.get("MAMORI_INDEX_CACHE") or Path.home() / ".cache" / "mamori")
    cp = chroma._module()
    version = cp._libchromaprint.chromaprint_get_version().decode() if cp is not None else "none"
    return base / f"audio-bench-{TRACKS}x{int(TRACK_SECONDS)}-synth{synth.VERSION}-cp{version}.npz"


def reference_fingerprints() -> tuple[list[np.ndarray], float]:
    """(fingerprints, seconds spent computing them now; 0 when loaded)."""
    path = _cache_file()
    if path.exists():
        with np.load(path) as z:
            return [z[f"t{i}"] for i in range(TRACKS)], 0.0
    t0 = time.perf_counter()
    with ProcessPoolExecutor(2) as pool:
        fps = list(pool.map(_fingerprint_seed, range(TRACKS), chunksize=20))
    spent = time.perf_counter() - t0
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, **{f"t{i}": f for i, f in enumerate(fps)})
    os.replace(tmp, path)
    return fps, spent


def clips() -> list[tuple[bytes, int | None]]:
    """(encoded clip, registered track it comes from or None)."""
    from mamori.screening.audio import synth

    rng = np.random.default_rng(7)
    out: list[tuple[bytes, int | None]] = []
    for k in range(10):
        seed = int(rng.integers(0, TRACKS))
        start = float(rng.uniform(0, TRACK_SECONDS - CLIP_SECONDS))
        x = synth.melody(seed, TRACK_SECONDS)[
            int(start * synth.RATE) : int((start + CLIP_SECONDS) * synth.RATE)
        ]
        other = synth.noise(k, CLIP_SECONDS) if k % 2 else synth.speech(k, CLIP_SECONDS)
        out.append((synth.encode(synth.mix_snr(x, other, 10.0), fmt="m4a"), seed))
    for k in range(10):
        x = [
            synth.melody(50_000 + k, CLIP_SECONDS),
            synth.speech(100 + k, CLIP_SECONDS),
            synth.noise(200 + k, CLIP_SECONDS),
        ][k % 3]
        out.append((synth.encode(x, fmt="m4a"), None))
    return out


def tempo_and_pitch() -> None:
    """The same notes played faster/slower or transposed (synth.melody's tempo_scale / transpose), 20-s clips of 5
    tracks against those 5 registered: found with what score, and the best run's bit-error rate."""
    from mamori.screening.audio import chroma, synth
    from mamori.screening.audio.decode import decode_audio, to_pcm16
    from mamori.screening.audio.index import FingerprintIndex
    from mamori.screening.audio.music import ChromaprintDetector
    from mamori.screening.audio.references import ReferenceAudio

    r = chroma.RATE
    index = FingerprintIndex([chroma.fingerprint(to_pcm16(synth.melody(s, 60.0, rate=r))) for s in range(5)])
    det = ChromaprintDetector(index, [(ReferenceAudio(str(i), f"c{i}", "w", "", b""), 0) for i in range(5)])
    print("tempo / pitch (5 clips each): found, best run bit-error rate, score")
    for label, kw in [
        ("tempo x1.02", {"tempo_scale": 1.02}),
        ("tempo x1.05", {"tempo_scale": 1.05}),
        ("tempo x0.95", {"tempo_scale": 0.95}),
        ("tempo x1.10", {"tempo_scale": 1.10}),
        ("pitch +1 semitone", {"transpose": 1}),
        ("pitch -1 semitone", {"transpose": -1}),
        ("pitch +2 semitones", {"transpose": 2}),
        ("pitch -3 semitones", {"transpose": -3}),
        ("pitch +12 (octave)", {"transpose": 12}),
    ]:
        found, bers, scores = 0, [], []
        for s in range(5):
            x = synth.melody(s, 60.0, **kw)[int(20 * synth.RATE) : int(40 * synth.RATE)]
            hits = [m for m in det.detect(decode_audio(synth.encode(x))[0]) if m.character == f"c{s}"]
            if hits:
                best = max(hits, key=lambda m: m.score)
                found += 1
                bers.append(best.evidence[0].extra["ber"])
                scores.append(best.score)
        detail = f"BER {np.mean(bers):.3f}, score {np.mean(scores):.2f}" if bers else "-"
        print(f"  {label:<20} {found}/5  {detail}")


def voices() -> None:
    """Voice signal cost: one 20-s clip against 10 registered voice samples (when the Resemblyzer weights exist)."""
    from mamori.registry.model import Registry
    from mamori.screening.audio import synth
    from mamori.screening.audio.decode import decode_audio
    from mamori.screening.audio.examples import reference_audio
    from mamori.screening.audio.speaker import find_weights
    from mamori.screening.audio.voice import VoiceDetector
    from mamori.screening.base import Corpus

    if find_weights() is None:
        print("voices: no Resemblyzer weights (pip install --no-deps resemblyzer==0.1.4); skipped")
        return
    refs = [
        reference_audio(
            f"voice/{i}.wav", f"v{i}", "w", synth.encode(synth.formant_speech(i, 10.0, pitch=100 + 10 * i))
        )
        for i in range(10)
    ]
    t0 = time.perf_counter()
    det = VoiceDetector.build(Corpus(registry=Registry((), (), ()), audio_references=refs))
    build = time.perf_counter() - t0
    track = decode_audio(synth.encode(synth.formant_speech(99, CLIP_SECONDS)))[0]
    det.detect(track)
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        det.detect(track)
        times.append(time.perf_counter() - t0)
    print(
        f"voices: 10 samples of 10 s embedded in {build:.2f} s; a 20-s clip: {statistics.median(times) * 1000:.0f} ms (numpy LSTM)"
    )


def main() -> int:
    from mamori.screening.audio import chroma
    from mamori.screening.audio.decode import decode_audio
    from mamori.screening.audio.index import FingerprintIndex
    from mamori.screening.audio.music import ChromaprintDetector
    from mamori.screening.audio.references import ReferenceAudio

    if not chroma.available():
        print("libchromaprint is not installed: audio bench skipped")
        return 0
    fps, spent = reference_fingerprints()
    items = sum(f.size for f in fps)
    hours = items * chroma.ITEM_SECONDS / 3600
    how = f"computed in {spent:.1f} s on 2 processes" if spent else f"loaded from {_cache_file()}"
    print(
        f"references: {len(fps)} tracks x {TRACK_SECONDS:.0f} s = {hours:.1f} h, {items:,} sub-fingerprints ({how})"
    )
    t0 = time.perf_counter()
    index = FingerprintIndex(fps)
    build = time.perf_counter() - t0
    owners = [(ReferenceAudio(str(i), f"c{i}", "w", "", b""), 0) for i in range(len(fps))]
    det = ChromaprintDetector(index, owners)
    print(
        f"index: built in {build:.2f} s, {index.nbytes / 1e6:.1f} MB = {index.nbytes / 1e6 / hours:.2f} MB per hour "
        f"of registered audio ({index.nbytes / items:.1f} B per sub-fingerprint)"
    )
    cases = clips()
    for data, _ in cases[:2]:  # warm-up: imports, first allocations
        det.detect(decode_audio(data)[0])
    decode_t, match_t, hits, misses, false = [], [], 0, 0, 0
    for data, seed in cases:
        t0 = time.perf_counter()
        tracks = decode_audio(data)
        t1 = time.perf_counter()
        found = det.detect(tracks[0])
        t2 = time.perf_counter()
        decode_t.append(t1 - t0)
        match_t.append(t2 - t1)
        best = {m.character for m in found if m.score >= 0.7}
        if seed is None:
            false += bool(best)
        elif best == {f"c{seed}"}:
            hits += 1
        else:
            misses += 1

    def stats(xs: list[float]) -> str:
        return f"median {statistics.median(xs) * 1000:.1f} ms, max {max(xs) * 1000:.1f} ms"

    print(f"20-s AAC clips, {len(cases)}: decode only            {stats(decode_t)}")
    print(f"                      fingerprint + match {stats(match_t)}  (budget {BUDGET_S * 1000:.0f} ms)")
    total = [a + b for a, b in zip(decode_t, match_t, strict=True)]
    print(f"                      decode + fp + match {stats(total)}")
    print(
        f"accuracy: {hits}/10 registered excerpts found (10 dB SNR), {misses} missed, {false}/10 unrelated matched"
    )
    tempo_and_pitch()
    voices()
    ok = max(match_t) <= BUDGET_S and hits == 10 and false == 0
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
