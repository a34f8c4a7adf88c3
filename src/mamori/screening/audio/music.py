"""The music/sound signal: Chromaprint sub-fingerprints of the clip aligned against every registered track.

Calibration (synthesised melodies, espeak-ng speech, formant speech and noise; benchmarks/audio_bench.py and
tests/unit/audio/test_music.py): excerpts of 8-20 s at any offset, re-encoded as AAC/MP3/Opus at 64 kb/s, at
10 % volume, or under noise/speech at 10 dB SNR align at bit-error rates 0.00-0.08 (0.11 under noise at 0 dB).
Unrelated sound, searched as the matcher searches (3-s windows, best-voted alignments, three pitch steps), came
as low as 0.199 for one of 160 clips against 100 tracks, most runs of unrelated synthetic melodies (same
generator, same scale) sat at 0.23-0.26; random bits give 0.5. So a window must reach SPAN_THRESHOLD 0.18 to
count, and a run's score falls from 1.0 at 0.08 through 0.7 (decisive) at 0.13 to 0.4 (review floor) at 0.18; a
run shorter than 8 s is scaled down like a brief video appearance.

Tempo: windows of ~3 s tolerate drift; the matching part of x0.95/x1.05 copies aligns at ~0.12 (score ~0.77),
x1.10 gives shorter runs (score ~0.64, review).
Pitch: a semitone rotates the chroma and alone gives ~0.4 (missed), so the clip is also searched resampled by
2^(k/12) for k in PITCH_STEPS (+-1): that undoes a transposition at the cost of a ~6 % tempo change, which the
windows absorb; +-1 semitone then aligns at ~0.11 (score ~0.75); 2 semitones or more are not found (+-2 steps were
measured to let unrelated synthetic melodies within 0.02 of the threshold, so they are not searched).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from typing import Any, ClassVar

import numpy as np

from mamori.screening.audio import chroma
from mamori.screening.audio.decode import AudioError, AudioLimits, AudioTrack
from mamori.screening.audio.index import FingerprintIndex
from mamori.screening.audio.references import ReferenceAudio, pack_arrays, reference_tracks, unpack_arrays
from mamori.screening.base import AUDIO, Corpus, Detector
from mamori.types import Evidence, Match, Segment

log = logging.getLogger("mamori.screening.audio")

SPAN_THRESHOLD = 0.18  # windowed bit-error rate under which aligned items count as the same recording
WINDOW_ITEMS = 24  # ~3 s of sub-fingerprints per window
MIN_ITEMS = 24  # a run shorter than this (~5 s of audio) is not reported
FULL_SCORE_S = 8.0  # a run this long keeps its full score
PITCH_STEPS = (0, 1, -1)  # the clip is also searched lowered/raised by these semitones
ITEM_SPAN_S = (15 * chroma.HOP + 4096) / chroma.RATE  # audio one sub-fingerprint summarises (16 frames)


def ber_score(ber: float) -> float:
    """1.0 at a bit-error rate <= 0.08 (re-encodes, noise at 10 dB), 0.7 (decisive) at 0.13, 0.4 (review floor)
    at SPAN_THRESHOLD 0.18 (tempo/pitch-shifted copies land between: review)."""
    return float(min(1.0, max(0.0, 1.0 - (ber - 0.08) * 6.0)))


class ChromaprintDetector(Detector):
    name = "audio.chromaprint"
    kinds: ClassVar[frozenset[str]] = frozenset({AUDIO})
    version = "1"

    def __init__(
        self, index: FingerprintIndex | None, owners: list[tuple[ReferenceAudio, int]], reason: str = ""
    ) -> None:
        self.index = index
        self.owners = owners  # per index track: (reference, its audio track number)
        self.reason = reason

    @property
    def enabled(self) -> bool:
        return self.index is not None

    @classmethod
    def build(cls, corpus: Corpus) -> ChromaprintDetector:
        if not chroma.available():
            return cls(None, [], chroma.unavailable_reason())
        limits = getattr(corpus.settings, "audio_limits", None) or AudioLimits()
        fps: list[np.ndarray] = []
        owners: list[tuple[ReferenceAudio, int]] = []
        for ref in corpus.audio_references:
            for t, fp in enumerate(cls.reference_signal(ref, corpus, limits)):
                if fp.size:
                    fps.append(fp)
                    owners.append((replace(ref, data=b""), t))  # the encoded bytes are not needed any more
        return cls(FingerprintIndex(fps), owners)

    @classmethod
    def reference_signal(cls, ref: ReferenceAudio, corpus: Corpus, limits: AudioLimits) -> list[np.ndarray]:
        cached = corpus.cache.get_signal(ref.sha256, cls.name, cls.version)
        if cached is not None:
            return unpack_arrays(cached, "uint32")
        try:
            fps = [chroma.fingerprint(t.pcm16(chroma.RATE)) for t in reference_tracks(ref, limits)]
        except AudioError as exc:
            log.warning("audio reference %s of %s skipped: %s", ref.ref_id, ref.character, exc)
            return []
        corpus.cache.put_signal(ref.sha256, cls.name, cls.version, pack_arrays(fps, "uint32"))
        return fps

    @classmethod
    def examples(cls) -> Iterator[tuple[Corpus, Any, set[str]]]:
        from mamori.screening.audio.examples import example_cases

        return example_cases()

    def detect(self, content: Any) -> list[Match]:
        track: AudioTrack = content
        if self.index is None or not len(self.index):
            return []
        out: list[Match] = []
        for step in PITCH_STEPS:
            out.extend(self._detect_at(track, step))
        return out

    def _detect_at(self, track: AudioTrack, semitones: int) -> list[Match]:
        """Matches of the clip lowered by `semitones` (0: as it is). Resampling by c = 2^(k/12) and reading the
        result at 11,025 Hz lowers every pitch k semitones and slows the clip by c (~6 % a semitone), which the
        windowed alignment tolerates (tempo x1.10 is still found): a clip transposed up k semitones is found
        by the step k. Times found on the slowed clip are divided by c back into the clip's time."""
        assert self.index is not None  # detect() returns early without one
        c = 2.0 ** (semitones / 12)
        if semitones:
            from mamori.screening.audio.decode import resample, to_pcm16

            pcm = to_pcm16(resample(track.samples, track.rate, round(chroma.RATE * c)))
        else:
            pcm = track.pcm16(chroma.RATE)
        fp = chroma.fingerprint(pcm)
        if fp.size < MIN_ITEMS:
            return []
        out: list[Match] = []
        for r in self.index.runs(fp, SPAN_THRESHOLD, WINDOW_ITEMS, MIN_ITEMS):
            ref, ref_track = self.owners[r.track]
            # an item summarises ~2.2 s of audio and still matches when most of it is inside the excerpt: the
            # segment's ends are put a quarter-span inside the first and last matching items (measured +-1 s)
            start = min(track.duration, (r.start * chroma.ITEM_SECONDS + ITEM_SPAN_S / 4) / c)
            end = min(track.duration, ((r.end - 1) * chroma.ITEM_SECONDS + ITEM_SPAN_S * 3 / 4) / c)
            dur = end - start
            score = ber_score(r.ber) * min(1.0, 0.55 + 0.45 * dur / FULL_SCORE_S)
            where = f" (audio track {ref_track})" if ref_track else ""
            shifted = f", transposed {semitones:+d} semitone(s)" if semitones else ""
            ev = Evidence(
                rule="audio",
                score=score,
                detail=(
                    f"music of reference {ref.label or ref.ref_id}{where} at {r.track_start_s:.1f} s heard "
                    f"{start:.1f}-{end:.1f} s of the clip (bit-error rate {r.ber:.3f}{shifted})"
                ),
                extra={
                    "signal": self.name,
                    "reference": ref.ref_id,
                    "ber": round(r.ber, 4),
                    "reference_time": round(r.track_start_s, 2),
                    "clip_track": track.index,
                    "semitones": semitones,
                },
            )
            segment = Segment(round(start, 3), round(end, 3), score)
            out.append(Match(ref.work, score, ref.character, (ev,), {self.name: score}, (segment,)))
        return out
