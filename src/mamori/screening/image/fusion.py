"""Fuse per-signal visual evidence into one score per character, and the `VisualGate` that runs it all.

Each detector reports a probability-like score per character (PDQ from Hamming distance, local features from
verified inliers, embedding from cosine similarity; each mapping is calibrated in scripts/calibrate_visual.py).
Fusion is a noisy-OR over the signals that fired:

    fused = 1 - prod(1 - p_signal)

so independent signals reinforce each other and no single weak signal dominates.

Score bands (the policy layer maps them):
    fused >= 0.7        -> the character is present (block / licence terms apply)
    0.4 <= fused < 0.7  -> uncertain: `review` (e.g. 12-19 verified keypoints only, 7-11 corroborated by
                           colour (local.weak_score), or PDQ distance 25-31)
    fused < 0.4         -> dropped; not reported
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from mamori.screening.base import Corpus, Detector
from mamori.types import Evidence, Match

log = logging.getLogger("mamori.screening.image.fusion")

PRESENT = 0.7  # fused score at or above which a character is considered present
REVIEW = 0.4  # [REVIEW, PRESENT) is the uncertain band; below REVIEW nothing is reported


def noisy_or(probabilities: Iterable[float]) -> float:
    q = 1.0
    for p in probabilities:
        q *= 1.0 - min(1.0, max(0.0, float(p)))
    return 1.0 - q


def band(score: float) -> str:
    """'present', 'review' or 'none' for a fused score."""
    if score >= PRESENT:
        return "present"
    if score >= REVIEW:
        return "review"
    return "none"


def fuse(matches: Iterable[Match], floor: float = REVIEW) -> list[Match]:
    """One Match per (work, character): noisy-OR of each signal's best score, evidence merged; best first."""
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
        if score < floor:
            continue
        evidence: list[Evidence] = sorted((e for m in ms for e in m.evidence), key=lambda e: -e.score)
        out.append(
            Match(work=work, character=character, score=score, evidence=tuple(evidence), signals=signals)
        )
    out.sort(key=lambda m: (-m.score, m.character or ""))
    return out


def default_detector_classes() -> tuple[type[Detector], ...]:
    """Every registered detector that reads images (see mamori.screening.plugins)."""
    from mamori.screening.base import IMAGE
    from mamori.screening.plugins import detector_classes

    return detector_classes(IMAGE)


class VisualGate:
    """All enabled image detectors built from one Corpus; `screen_image(pixels)` -> fused matches."""

    def __init__(self, corpus: Corpus, detector_classes: Sequence[type[Detector]] | None = None) -> None:
        classes = tuple(detector_classes) if detector_classes is not None else default_detector_classes()
        refs = list(corpus.references)  # an iterable may be a one-shot generator; every detector needs it
        corpus = Corpus(
            registry=corpus.registry,
            references=refs,
            cache=corpus.cache,
            allowlist=corpus.allowlist,
            settings=corpus.settings,
        )
        self.detectors: list[Detector] = []
        for cls in classes:
            det = cls.build(corpus)
            if det.enabled:
                self.detectors.append(det)
            else:
                log.info("visual gate: detector %s is off", cls.name)
        self.reference_count = len(refs)

    @property
    def signal_names(self) -> list[str]:
        return [d.name for d in self.detectors]

    def detector(self, name: str) -> Detector | None:
        """The enabled detector called `name`, if any."""
        return next((d for d in self.detectors if d.name == name), None)

    def raw_matches(self, pixels: Any, given: Mapping[str, list[Match]] | None = None) -> list[Match]:
        out: list[Match] = []
        for det in self.detectors:
            if given is not None and det.name in given:
                out.extend(given[det.name])
            else:
                out.extend(det.detect(pixels))
        return out

    def screen_image(
        self, pixels: Any, floor: float = REVIEW, given: Mapping[str, list[Match]] | None = None
    ) -> list[Match]:
        """One fused Match per character at or above `floor` (default: the review band), best first.
        `given`: matches the caller already has for some detectors, by name (a video frame whose local features
        were assembled from reused keypoints: mamori.screening.video.tracking); the others run on `pixels`."""
        return fuse(self.raw_matches(pixels, given), floor=floor)
