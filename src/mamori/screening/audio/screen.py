"""The audio gate: every registered audio Detector over every audio track of a clip, and the merge with visuals.

`AudioGate(corpus, limits)` builds the detectors that read AUDIO (mamori.screening.plugins); one that cannot run
(no libchromaprint, no voice model) is off, and its reason is listed once in `gate.off` and in every result's
`signals.audio.off`. `screen(source)` decodes once (mamori.screening.audio.decode), runs each detector per track,
and fuses per character (noisy-OR, like the visual gate) with segments in the clip's time.
`merge_matches(visual, audio)` joins the two per character: scores by noisy-OR, signals and evidence together,
segments as the union of both.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from mamori.screening.audio.decode import AudioError, AudioLimits, AudioTrack, decode_audio
from mamori.screening.base import AUDIO, Corpus, Detector
from mamori.screening.fusion import fuse
from mamori.types import Match

log = logging.getLogger("mamori.screening.audio")

REVIEW = 0.4  # the floor below which nothing is reported (the visual gate's review band)


@dataclass
class AudioResult:
    matches: list[Match] = field(default_factory=list)
    error: str | None = None
    tracks: list[dict[str, Any]] = field(default_factory=list)
    off: list[str] = field(default_factory=list)

    def signals(self) -> dict[str, Any]:
        """`signals.audio` of a screening result: tracks, per-character segments in clip time, what was off."""
        out: dict[str, Any] = {
            "tracks": self.tracks,
            "matches": [
                {
                    "character": m.character,
                    "work": m.work,
                    "score": round(m.score, 4),
                    "segments": [{"start": s.start, "end": s.end} for s in m.segments],
                }
                for m in self.matches
            ],
        }
        if self.off:
            out["off"] = self.off
        if self.error:
            out["error"] = self.error
        return out


class AudioGate:
    def __init__(
        self,
        corpus: Corpus,
        limits: AudioLimits | None = None,
        classes: Sequence[type[Detector]] | None = None,
    ) -> None:
        if classes is None:
            from mamori.screening.plugins import detector_classes

            classes = detector_classes(AUDIO)
        refs = list(corpus.audio_references)
        corpus = Corpus(
            registry=corpus.registry,
            references=(),
            cache=corpus.cache,
            settings=corpus.settings,
            audio_references=refs,
        )
        self.limits = limits or AudioLimits()
        self.detectors: list[Detector] = []
        self.off: list[str] = []
        for cls in classes:
            det = cls.build(corpus)
            if det.enabled:
                self.detectors.append(det)
            else:
                reason = getattr(det, "reason", "") or "off"
                self.off.append(f"{cls.name}: {reason}")
                log.info("audio gate: %s is off (%s)", cls.name, reason)
        self.reference_count = len(refs)

    def screen_tracks(self, tracks: Iterable[AudioTrack]) -> list[Match]:
        raw: list[Match] = []
        for track in tracks:
            for det in self.detectors:
                raw.extend(det.detect(track))
        return fuse_over_time(raw)

    def screen(self, source: str | os.PathLike[str] | bytes) -> AudioResult:
        """Decode and screen; never raises for bad audio (the problem is in `.error`)."""
        res = AudioResult(off=list(self.off))
        try:
            tracks = decode_audio(source, self.limits)
        except AudioError as exc:
            res.error = str(exc)
            return res
        res.tracks = [
            {
                "index": t.index,
                "duration": round(t.duration, 3),
                "rate": t.source_rate,
                "channels": t.channels,
            }
            for t in tracks
        ]
        notes = [n for t in tracks for n in t.notes]
        if notes:
            res.error = "; ".join(notes)
        res.matches = self.screen_tracks(tracks)
        return res


def merge_matches(*groups: Iterable[Match], floor: float = 0.0) -> list[Match]:
    """One Match per (work, character) over all groups (a video's pictures and its sound): `fusion.fuse`."""
    return fuse(chain.from_iterable(groups), floor=floor)


def fuse_over_time(raw: Iterable[Match]) -> list[Match]:
    return merge_matches(raw, floor=REVIEW)
