"""Fusion and the cascade: run a content kind's registered signals, cheapest first, and fuse their evidence.

Each detector reports a probability-like score per character (PDQ from Hamming distance, local features from
verified inliers, the part-based signature from colour distances, embedding from cosine similarity; each mapping
is calibrated in scripts/calibrate_visual.py or scripts/calibrate_signature.py). Fusion is a noisy-OR over the
signals that fired:

    fused = 1 - prod(1 - p_signal)

so independent signals reinforce each other and no single weak signal dominates. A signal whose evidence alone
only warrants review (`Detector.max_alone` < PRESENT) caps the fused score of a character no other signal found.

Score bands (the policy layer maps them):
    fused >= 0.7        -> the character is present (block / licence terms apply)
    0.4 <= fused < 0.7  -> uncertain: `review`
    fused < 0.4         -> dropped; not reported

The cascade (`Gate.screen`): FIND detectors run in order of their declared `cost`; each may decline a piece of
content given what cheaper ones found (`Detector.wants`). Once a signal recognises the whole picture as a registered
reference (its evidence says `extra["copy"]`: PDQ within a few bits), the costlier FIND signals are skipped: they
could only confirm it (`Screened.skipped` names them). CONFIRM detectors (themes) run only when a character was
found. A detector that raises is reported in `Screened.notes` and the others still run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mamori.screening.base import CONFIRM, IMAGE, Corpus, Detector
from mamori.types import Evidence, Match, Segment

log = logging.getLogger("mamori.screening.fusion")

PRESENT = 0.7  # fused score at or above which a character is considered present
REVIEW = 0.4  # [REVIEW, PRESENT) is the uncertain band; below REVIEW nothing is reported
ALONE_CAP = PRESENT - 0.01  # where a review-only signal caps a character nothing else found


def noisy_or(probabilities: Iterable[float]) -> float:
    q = 1.0
    for p in probabilities:
        q *= 1.0 - min(1.0, max(0.0, float(p)))
    return 1.0 - q


def merge_segments(segments: Iterable[Segment], gap: float = 1.0) -> tuple[Segment, ...]:
    """Time segments of one character (from frames, from sound) joined where they overlap or lie within `gap` s."""
    out: list[Segment] = []
    for s in sorted(segments, key=lambda s: s.start):
        if out and s.start <= out[-1].end + gap:
            last = out[-1]
            out[-1] = Segment(last.start, max(last.end, s.end), max(last.score, s.score))
        else:
            out.append(s)
    return tuple(out)


def band(score: float) -> str:
    """'present', 'review' or 'none' for a fused score."""
    if score >= PRESENT:
        return "present"
    if score >= REVIEW:
        return "review"
    return "none"


def fuse(
    matches: Iterable[Match], floor: float = REVIEW, caps: Mapping[str, float] | None = None
) -> list[Match]:
    """One Match per (work, character): noisy-OR of each signal's best score, evidence and time segments merged;
    best first.
    `caps`: signal name -> the highest fused score it may give when it is the only signal that fired."""
    groups: dict[tuple[str, str | None], list[Match]] = {}
    for m in matches:
        groups.setdefault((m.work, m.character), []).append(m)
    out = []
    for (work, character), ms in groups.items():
        signals: dict[str, float] = {}
        for m in ms:
            for name, s in (m.signals or {"?": m.score}).items():
                signals[name] = max(signals.get(name, 0.0), s)
        score = noisy_or(signals.values())
        if caps:
            fired = [n for n, s in signals.items() if s > 0]
            if fired and all(n in caps for n in fired):
                score = min(score, max(caps[n] for n in fired))
        if score < floor:
            continue
        evidence: list[Evidence] = sorted((e for m in ms for e in m.evidence), key=lambda e: -e.score)
        segments = merge_segments(seg for m in ms for seg in m.segments)
        out.append(
            Match(
                work=work,
                character=character,
                score=score,
                evidence=tuple(evidence),
                signals=signals,
                segments=segments,
            )
        )
    out.sort(key=lambda m: (-m.score, m.character or ""))
    return out


@dataclass
class Screened:
    """One piece of content through the cascade."""

    matches: list[Match] = field(default_factory=list)
    themes: list[Evidence] = field(default_factory=list)  # extra["theme"] names each
    notes: list[str] = field(default_factory=list)  # a detector failed here; the others ran
    ran: list[str] = field(default_factory=list)  # detectors that ran, in order
    skipped: list[str] = field(default_factory=list)  # FIND detectors skipped: the picture is a known copy
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def theme_names(self) -> list[str]:
        return list(dict.fromkeys(str(e.extra.get("theme")) for e in self.themes if e.extra.get("theme")))


def _copy_found(raw: Iterable[Match]) -> bool:
    """Whether a signal recognised the whole picture as a registered reference (evidence `extra["copy"]`)."""
    return any(e.extra.get("copy") is True for m in raw for e in m.evidence)


def default_detector_classes(kind: str = IMAGE) -> tuple[type[Detector], ...]:
    """Every registered detector that reads `kind` (see mamori.screening.plugins)."""
    from mamori.screening.plugins import detector_classes

    return detector_classes(kind)


class Gate:
    """All enabled detectors of one content kind built from one Corpus, ordered by declared cost.

    `screen(pixels)` -> `Screened`; `screen_image(pixels)` -> the fused matches only."""

    def __init__(
        self, corpus: Corpus, detector_classes: Sequence[type[Detector]] | None = None, kind: str = IMAGE
    ) -> None:
        classes = tuple(detector_classes) if detector_classes is not None else default_detector_classes(kind)
        refs = list(corpus.references)  # an iterable may be a one-shot generator; every detector needs it
        corpus = Corpus(
            registry=corpus.registry,
            references=refs,
            cache=corpus.cache,
            allowlist=corpus.allowlist,
            settings=corpus.settings,
            text_screen=corpus.text_screen,
        )
        self.detectors: list[Detector] = []
        self.build_seconds: dict[str, float] = {}
        for cls in sorted(classes, key=lambda c: c.cost):  # stable: registration order among equals
            t0 = time.perf_counter()
            det = cls.build(corpus)
            self.build_seconds[cls.name] = time.perf_counter() - t0
            if det.enabled:
                self.detectors.append(det)
            else:
                log.info("gate: detector %s is off", cls.name)
        self.reference_count = len(refs)
        self.caps = {d.name: min(d.max_alone, ALONE_CAP) for d in self.detectors if d.max_alone < PRESENT}

    @property
    def signal_names(self) -> list[str]:
        return [d.name for d in self.detectors]

    def detector(self, name: str) -> Detector | None:
        """The enabled detector called `name`, if any."""
        return next((d for d in self.detectors if d.name == name), None)

    def screen(
        self, content: Any, floor: float = REVIEW, given: Mapping[str, list[Match]] | None = None
    ) -> Screened:
        """The cascade on one piece of content. `given`: matches the caller already has for some detectors, by
        name (a video frame whose local features were assembled from reused keypoints); the others run."""
        out = Screened()
        raw: list[Match] = []
        confirm: list[Detector] = []
        for det in self.detectors:
            if det.stage == CONFIRM:
                confirm.append(det)
                continue
            if given is not None and det.name in given:
                raw.extend(given[det.name])
                continue
            if _copy_found(raw):
                out.skipped.append(det.name)
                continue
            if not det.wants(content, fuse(raw, floor, self.caps)):
                continue
            t0 = time.perf_counter()
            try:
                raw.extend(det.detect(content))
                out.ran.append(det.name)
            except Exception as exc:  # noqa: BLE001 - one failing signal must not stop the others
                log.warning("detector %s failed: %s", det.name, exc)
                out.notes.append(f"{det.name} failed: {type(exc).__name__}: {exc}")
            out.seconds[det.name] = time.perf_counter() - t0
        out.matches = fuse(raw, floor, self.caps)
        if out.matches:
            for det in confirm:
                if not det.wants(content, out.matches):
                    continue
                t0 = time.perf_counter()
                try:
                    out.themes.extend(det.themes(content, out.matches))
                    out.ran.append(det.name)
                except Exception as exc:  # noqa: BLE001
                    log.warning("detector %s failed: %s", det.name, exc)
                    out.notes.append(f"{det.name} failed: {type(exc).__name__}: {exc}")
                out.seconds[det.name] = time.perf_counter() - t0
        return out

    def raw_matches(self, pixels: Any, given: Mapping[str, list[Match]] | None = None) -> list[Match]:
        """Every FIND signal's own matches, unfused and without the cascade (calibration scripts)."""
        out: list[Match] = []
        for det in self.detectors:
            if det.stage == CONFIRM:
                continue
            if given is not None and det.name in given:
                out.extend(given[det.name])
            else:
                out.extend(det.detect(pixels))
        return out

    def screen_image(
        self, pixels: Any, floor: float = REVIEW, given: Mapping[str, list[Match]] | None = None
    ) -> list[Match]:
        """One fused Match per character at or above `floor` (default: the review band), best first."""
        return self.screen(pixels, floor, given).matches


VisualGate = Gate  # the name callers used before the gate read more than pictures
