"""Forbidden depiction themes on outputs: when a registered character is found in a generated frame, the themes
its licence forbids (`Policy.themes_forbidden`) are checked on that frame too.

`ThemeDetector` is a CONFIRM signal (see `mamori.screening.fusion.Gate`): it runs only on frames where a
character was found, and only when the licence of a character found there forbids a theme one of its models can
see. Each model is a `ThemeModel` (a name, the themes it covers, `detect(rgb) -> [ThemeHit]`), chosen by the
`theme_detectors` setting from `MODELS`. The decision (`policy.decide`) blocks when a character is found, its
licence forbids the theme and the theme was seen: "'x' may not be depicted with theme(s): sexual".

Packaged models (weights inside a wheel, nothing downloaded):
- `nudenet`: NudeNet 3.4 (`pip install mamori[nudenet]`): an 18-class YOLOv8n body-part detector, 320n.onnx
  inside the wheel. Its code is MIT, its **weights are AGPL-3.0**, so it is off until the operator names it in
  `theme_detectors` (MAMORI_THEME_DETECTORS=nudenet) knowingly. Covers `sexual` (exposed genitalia, breasts,
  buttocks, anus). README "Forbidden themes on outputs" lists what stays prompt-only.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

import numpy as np

from mamori.registry.model import Registry
from mamori.screening.base import CONFIRM, IMAGE, Corpus, Detector
from mamori.types import Evidence, Match

log = logging.getLogger("mamori.screening.image.themes")

# setting value -> "module:class" of a ThemeModel
MODELS: dict[str, str] = {"nudenet": "mamori.screening.image.themes:NudeNetModel"}


@dataclass(frozen=True)
class ThemeHit:
    theme: str  # one of mamori.registry.model.THEMES
    score: float
    label: str  # what the model saw, in its own words
    box: tuple[int, int, int, int] = (0, 0, 0, 0)  # x, y, w, h


class ThemeModel(Protocol):
    name: str
    themes: frozenset[str]

    def detect(self, rgb: Any) -> list[ThemeHit]: ...


class NudeNetModel:
    """NudeNet's detector (weights AGPL-3.0, inside the `nudenet` wheel): exposed-body classes -> `sexual`."""

    name = "nudenet"
    themes = frozenset({"sexual"})
    licence = "AGPL-3.0 (model weights), MIT (code)"
    # class -> the least detector score that counts (calibrated on ../shared/testdata art: benchmarks/ocr_bench.py)
    SEXUAL: ClassVar[dict[str, float]] = {
        "FEMALE_GENITALIA_EXPOSED": 0.5,
        "MALE_GENITALIA_EXPOSED": 0.5,
        "FEMALE_BREAST_EXPOSED": 0.5,
        "ANUS_EXPOSED": 0.5,
        "BUTTOCKS_EXPOSED": 0.6,
    }

    def __init__(self) -> None:
        from nudenet import NudeDetector  # the optional extra

        self._det = NudeDetector()

    def detect(self, rgb: Any) -> list[ThemeHit]:
        a = np.asarray(rgb, dtype=np.uint8)
        # NudeNet converts its input with COLOR_RGBA2BGR: give it RGBA
        rgba = np.ascontiguousarray(np.dstack([a[:, :, :3], np.full(a.shape[:2], 255, np.uint8)]))
        out = []
        for d in self._det.detect(rgba):
            least = self.SEXUAL.get(str(d.get("class")))
            if least is not None and float(d.get("score", 0.0)) >= least:
                x, y, w, h = (int(v) for v in d.get("box", (0, 0, 0, 0)))
                out.append(ThemeHit("sexual", float(d["score"]), str(d["class"]).lower(), (x, y, w, h)))
        return out


def load_models(names: Sequence[str]) -> list[ThemeModel]:
    """The named theme models; a name that is not known, or whose package is missing, is an error."""
    out: list[ThemeModel] = []
    for name in names:
        spec = MODELS.get(name)
        if spec is None:
            raise ValueError(f"unknown theme detector {name!r} (known: {', '.join(sorted(MODELS))})")
        module, _, attr = spec.partition(":")
        try:
            out.append(getattr(importlib.import_module(module), attr)())
        except ImportError as exc:
            raise ValueError(
                f"theme detector {name!r} is configured but its package is missing: pip install 'mamori[{name}]'"
            ) from exc
    return out


def configured_names(settings: Any) -> list[str]:
    raw = (
        settings.get("theme_detectors")
        if isinstance(settings, dict)
        else getattr(settings, "theme_detectors", None)
    )
    if not raw:
        return []
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    return [str(s).strip().lower() for s in items if str(s).strip()]


def forbidding(registry: Registry) -> dict[str, frozenset[str]]:
    """character id -> the themes its licence forbids (only characters whose licence forbids any)."""
    return {
        c.id: frozenset(c.effective_policy.themes_forbidden)
        for c in registry.characters
        if c.effective_policy.themes_forbidden
    }


class ThemeDetector(Detector):
    name: ClassVar[str] = "themes"
    kinds: ClassVar[frozenset[str]] = frozenset({IMAGE})
    version: ClassVar[str] = "1"
    cost: ClassVar[float] = 90.0  # NudeNet, ms of CPU per picture (benchmarks/ocr_bench.py)
    stage: ClassVar[str] = CONFIRM

    def __init__(self, models: Sequence[ThemeModel], registry: Registry) -> None:
        self.models = list(models)
        self.forbids = forbidding(registry)
        self.work_chars: dict[str, tuple[str, ...]] = {}
        for c in registry.characters:
            self.work_chars[c.work] = (*self.work_chars.get(c.work, ()), c.id)

    @classmethod
    def build(cls, corpus: Corpus) -> ThemeDetector:
        names = configured_names(corpus.settings)
        if not names:
            log.info("theme detector off: no theme_detectors configured (e.g. nudenet, AGPL-3.0 weights)")
        return cls(load_models(names), corpus.registry)

    @property
    def enabled(self) -> bool:
        return bool(self.models)

    def wanted(self, found: Sequence[Match]) -> frozenset[str]:
        """Themes forbidden to a character in `found` that some model can see."""
        themes: set[str] = set()
        for m in found:
            for cid in (m.character,) if m.character else self.work_chars.get(m.work, ()):
                themes |= self.forbids.get(cid, frozenset())
        seen = frozenset().union(*(mod.themes for mod in self.models)) if self.models else frozenset()
        return frozenset(themes) & seen

    def wants(self, content: Any, found: Sequence[Match]) -> bool:
        return bool(self.wanted(found))

    def detect(self, content: Any) -> list[Match]:
        return []  # finds no character: it confirms themes where one was found

    def themes(self, content: Any, found: Sequence[Match]) -> list[Evidence]:
        wanted = self.wanted(found)
        out: list[Evidence] = []
        for mod in self.models:
            if not (mod.themes & wanted):
                continue
            for hit in mod.detect(content):
                if hit.theme in wanted:
                    out.append(
                        Evidence(
                            rule="theme",
                            score=hit.score,
                            detail=f"{mod.name} saw {hit.label} ({hit.score:.2f}): theme '{hit.theme}'",
                            extra={"theme": hit.theme, "detector": mod.name, "box": list(hit.box)},
                        )
                    )
        return out

    @classmethod
    def examples(cls) -> Iterator[tuple[Corpus, Any, set[str]]]:
        from mamori.screening.image.examples import example_cases

        for corpus, pixels, _ in example_cases(edited=False):
            yield corpus, pixels, set()
