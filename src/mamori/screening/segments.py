"""Evidence over time: per-frame observations of a video become segments per character.

Detections merge across gaps up to `VideoLimits.merge_gap_s`; a segment ends at the next sampled frame without
the character. A character seen briefly is weaker evidence than one on screen for seconds: a segment's score is
its best fused frame score times `min(1, 0.55 + 0.45 * duration / full_score_s)` (a stray frame lands in the
review band).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mamori.screening.fusion import REVIEW
from mamori.screening.mediabase import VideoLimits
from mamori.types import Evidence, Match, Segment


@dataclass
class FrameObservation:
    time: float
    matches: list[Match]
    reused: bool = False
    reason: str = "rate"  # "key", "shot", "rate"
    themes: list[Evidence] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    faces: list[Any] = field(
        default_factory=list
    )  # drawn faces seen (signature.FaceSighting): video/tracks.py


def segments_to_matches(
    observations: list[FrameObservation], duration: float, limits: VideoLimits
) -> list[Match]:
    """Per character: segments (merged across gaps <= merge_gap_s), duration-weighted score, best evidence."""
    obs = sorted(observations, key=lambda o: o.time)
    times = [o.time for o in obs]
    per_char: dict[tuple[str, str | None], list[tuple[int, Match]]] = {}
    for i, o in enumerate(obs):
        for m in o.matches:
            per_char.setdefault((m.work, m.character), []).append((i, m))
    out = []
    for (work, character), hits in per_char.items():
        segs: list[list[int]] = []  # [first obs index, last obs index]
        for i, _ in hits:
            if segs and times[i] - _seg_end(segs[-1][1], times, duration) <= limits.merge_gap_s:
                segs[-1][1] = i
            else:
                segs.append([i, i])
        best_by_obs = {i: m for i, m in hits}
        segments = []
        for a, b in segs:
            s, e = times[a], _seg_end(b, times, duration)
            peak = max(best_by_obs[i].score for i in range(a, b + 1) if i in best_by_obs)
            factor = min(1.0, 0.55 + 0.45 * (e - s) / max(1e-6, limits.full_score_s))
            segments.append(Segment(round(s, 3), round(e, 3), peak * factor))
        score = max(sg.score for sg in segments)
        if score < REVIEW:
            continue
        signals: dict[str, float] = {}
        for _, m in hits:
            for k, v in m.signals.items():
                signals[k] = max(signals.get(k, 0.0), v)
        bi, bm = max(hits, key=lambda h: h[1].score)
        total = sum(sg.end - sg.start for sg in segments)
        evidence = [
            Evidence(
                rule=e.rule,
                score=e.score,
                detail=f"at {times[bi]:.2f} s: {e.detail}",
                extra={**e.extra, "time": round(times[bi], 3)},
            )
            for e in bm.evidence
        ]
        evidence.append(
            Evidence(
                rule=bm.evidence[0].rule if bm.evidence else "visual",
                score=score,
                detail=f"on screen {total:.1f} s in {len(segments)} segment(s), {len(hits)} sampled frames",
            )
        )
        out.append(
            Match(
                work=work,
                character=character,
                score=score,
                evidence=tuple(evidence),
                signals=signals,
                segments=tuple(segments),
            )
        )
    out.sort(key=lambda m: (-m.score, m.character or ""))
    return out


def _seg_end(i: int, times: list[float], duration: float) -> float:
    """A detection at sample i lasts until the next sample (or the end of the video)."""
    return times[i + 1] if i + 1 < len(times) else duration
