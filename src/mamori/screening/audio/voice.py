"""The voice signal: a registered character's voice samples as speaker embeddings, compared with the clip's speech.

Each audio reference track becomes one utterance embedding (mamori.screening.audio.speaker, cached by sha256). The
clip is cut into partial utterances (1.6 s, every ~0.77 s); three neighbours are averaged into a ~3-s window
embedding, and windows whose cosine similarity with a reference reaches THRESHOLD become segments.

A voice is evidence for `review`, never a decision by itself: its score is capped at REVIEW_SCORE unless the
operator sets MAMORI_VOICE_DECISIVE. Calibration (six espeak-ng voices, a 10-s sample each, 12-s clips of other
words): a voice's best window against its own sample scored 0.955-0.985; against the other five at most 0.938 (two
similar male voices, en+m1/en+m3), melodies <= 0.57, noise <= 0.52, formant speech <= 0.70. THRESHOLD sits in that
narrow gap. Under white noise at 10 dB SNR the same voice fell to 0.73 (missed). This proves the pipeline
separates distinct synthetic voices; it proves nothing about human voices, impersonators or cloned voices, which
the threshold has never seen: hence review, not block.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from mamori.screening.audio.decode import AudioError, AudioLimits, AudioTrack
from mamori.screening.audio.references import ReferenceAudio, pack_arrays, reference_tracks, unpack_arrays
from mamori.screening.base import AUDIO, Corpus, Detector
from mamori.types import Evidence, Match, Segment

log = logging.getLogger("mamori.screening.audio")

THRESHOLD = 0.945  # best window cosine similarity at which a voice is taken as the registered one
REVIEW_SCORE = 0.6  # a voice alone lands in the review band ...
DECISIVE_SCORE = 0.9  # ... unless the operator made voices decisive
WINDOW = 3  # partial utterances averaged per window (~3 s)
MIN_RMS = 0.003  # quieter partials are silence, not a voice


@functools.cache
def _encoder(path: str) -> Any:
    from mamori.screening.audio.speaker import SpeakerEncoder

    return SpeakerEncoder.load(Path(path))


class VoiceDetector(Detector):
    name = "audio.voice"
    kinds: ClassVar[frozenset[str]] = frozenset({AUDIO})
    version = "1"

    def __init__(
        self,
        encoder: Any,
        refs: list[ReferenceAudio],
        embeddings: np.ndarray,
        decisive: bool = False,
        reason: str = "",
    ) -> None:
        self.encoder = encoder
        self.refs = refs
        self.embeddings = embeddings  # (n refs, 256)
        self.decisive = decisive
        self.reason = reason

    @property
    def enabled(self) -> bool:
        return self.encoder is not None

    @classmethod
    def build(cls, corpus: Corpus) -> VoiceDetector:
        from mamori.screening.audio.speaker import ModelError, find_weights

        settings = corpus.settings
        path = find_weights(getattr(settings, "voice_model_path", None))
        if path is None:
            reason = (
                "no voice model (pip install --no-deps resemblyzer==0.1.4, or set MAMORI_VOICE_MODEL_PATH)"
            )
            return cls(None, [], np.zeros((0, 256), np.float32), reason=reason)
        try:
            encoder = _encoder(str(path))
        except ModelError as exc:
            log.warning("audio gate: voices are off: %s", exc)
            return cls(None, [], np.zeros((0, 256), np.float32), reason=str(exc))
        limits = getattr(settings, "audio_limits", None) or AudioLimits()
        refs: list[ReferenceAudio] = []
        embs: list[np.ndarray] = []
        for ref in corpus.audio_references:
            if not ref.is_voice_sample:
                continue  # a theme song is not a voice: music embeds close to other music (measured 0.8-0.97)
            for e in cls.reference_signal(ref, corpus, encoder, limits):
                refs.append(replace(ref, data=b""))
                embs.append(e)
        matrix = np.stack(embs) if embs else np.zeros((0, 256), np.float32)
        return cls(encoder, refs, matrix, decisive=bool(getattr(settings, "voice_decisive", False)))

    @classmethod
    def reference_signal(
        cls, ref: ReferenceAudio, corpus: Corpus, encoder: Any, limits: AudioLimits
    ) -> list[np.ndarray]:
        cached = corpus.cache.get_signal(ref.sha256, cls.name, cls.version)
        if cached is not None:
            return [a.reshape(-1) for a in unpack_arrays(cached, "float32", (256,)) if a.size]
        try:
            tracks = reference_tracks(ref, limits)
        except AudioError as exc:
            log.warning("voice reference %s of %s skipped: %s", ref.ref_id, ref.character, exc)
            return []
        # the first minute is plenty for a speaker (and bounds the cost of a long file)
        embs = [
            encoder.embed_utterance(t.samples[: 60 * 16000])[None, :] for t in tracks if t.duration >= 1.0
        ]
        corpus.cache.put_signal(ref.sha256, cls.name, cls.version, pack_arrays(embs, "float32"))
        return [e.reshape(-1) for e in embs]

    @classmethod
    def examples(cls) -> Iterator[tuple[Corpus, Any, set[str]]]:
        from mamori.screening.audio.examples import voice_cases

        return voice_cases()

    def detect(self, content: Any) -> list[Match]:
        track: AudioTrack = content
        if self.encoder is None or not len(self.refs) or track.duration < 1.6:
            return []
        from mamori.screening.audio.speaker import HOP, PARTIAL_FRAMES, RATE

        wav = track.samples
        rms = float(np.sqrt(np.mean(wav**2))) if wav.size else 0.0
        if rms < MIN_RMS:
            return []
        gain = min(10 ** ((-30 - 20 * np.log10(rms)) / 20), 100.0) if rms > 0 else 1.0
        wav = wav * max(1.0, gain)  # the clip keeps its timeline: silence is skipped per partial, not cut out
        emb, starts = self.encoder.partials(wav)
        span = PARTIAL_FRAMES * HOP / RATE
        loud = np.array(
            [np.sqrt(np.mean(wav[int(s * RATE) : int((s + span) * RATE)] ** 2)) > MIN_RMS * 3 for s in starts]
        )
        if emb.shape[0] >= WINDOW:
            kernel = np.ones(WINDOW, np.float32)
            win = np.stack(
                [np.convolve(emb[:, d], kernel, mode="valid") for d in range(emb.shape[1])], axis=1
            )
            win_loud = np.convolve(loud.astype(np.float32), kernel, mode="valid") == WINDOW
            win_start = starts[: win.shape[0]]
            win_end = starts[WINDOW - 1 :] + span
        else:
            win = emb.mean(axis=0, keepdims=True)
            win_loud = np.array([bool(loud.all())])
            win_start, win_end = starts[:1], starts[-1:] + span
        win /= np.maximum(np.linalg.norm(win, axis=1, keepdims=True), 1e-9)
        sims = win @ self.embeddings.T  # (windows, refs)
        top = REVIEW_SCORE if not self.decisive else DECISIVE_SCORE
        out: list[Match] = []
        for j, ref in enumerate(self.refs):
            hit = (sims[:, j] >= THRESHOLD) & win_loud
            if not hit.any():
                continue
            segments = _segments(hit, win_start, win_end, min(track.duration, float(win_end[-1])))
            best = float(sims[hit, j].max())
            score = top * min(1.0, 0.85 + 0.15 * (best - THRESHOLD) / (1 - THRESHOLD))
            ev = Evidence(
                rule="voice",
                score=score,
                detail=f"voice like reference {ref.label or ref.ref_id} (similarity {best:.3f}) in "
                + ", ".join(f"{s.start:.1f}-{s.end:.1f} s" for s in segments),
                extra={
                    "signal": self.name,
                    "reference": ref.ref_id,
                    "similarity": round(best, 4),
                    "clip_track": track.index,
                },
            )
            segs = tuple(Segment(s.start, s.end, score) for s in segments)
            out.append(Match(ref.work, score, ref.character, (ev,), {self.name: score}, segs))
        return out


def _segments(hit: np.ndarray, starts: np.ndarray, ends: np.ndarray, duration: float) -> list[Segment]:
    out: list[Segment] = []
    for i in np.nonzero(hit)[0]:
        s, e = round(float(starts[i]), 3), round(min(duration, float(ends[i])), 3)
        if out and s <= out[-1].end:
            out[-1] = Segment(out[-1].start, max(out[-1].end, e))
        else:
            out.append(Segment(s, e))
    return out
