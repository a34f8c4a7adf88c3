"""The contract every image detector's test class inherits (set `detector_cls`)."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from mamori.screening.base import IMAGE, Corpus, Detector
from mamori.screening.image.common import InMemoryCache
from mamori.screening.image.examples import example_corpus
from mamori.types import Match

ALL_NAMES: dict[str, type] = {}


class DetectorContract:
    detector_cls: ClassVar[type[Detector]]
    settings: ClassVar[Any] = None

    def corpus(self, cache: Any = None) -> Corpus:
        return example_corpus(cache=cache, settings=self.settings)

    def test_name_is_unique_and_kinds_image(self) -> None:
        from mamori.screening.image.fusion import default_detector_classes

        names = [c.name for c in default_detector_classes()]
        assert len(names) == len(set(names))
        assert self.detector_cls.name in names
        assert IMAGE in self.detector_cls.kinds

    def test_examples(self) -> None:
        examples = list(self.detector_cls.examples())
        assert examples, "a detector must provide examples()"
        built: dict[int, Detector] = {}
        for corpus, content, expected in examples:
            det = built.setdefault(id(corpus), self.detector_cls.build(corpus))
            found = {m.character for m in det.detect(content)}
            assert found == expected, (expected, found)

    def test_matches_are_well_formed(self) -> None:
        for corpus, content, expected in self.detector_cls.examples():
            for m in self.detector_cls.build(corpus).detect(content):
                assert isinstance(m, Match)
                assert 0.0 <= m.score <= 1.0
                assert set(m.signals) == {self.detector_cls.name}
                assert m.evidence and all(e.detail for e in m.evidence)
                assert m.character in expected
            break

    def test_odd_inputs_never_raise(self) -> None:
        det = self.detector_cls.build(self.corpus())
        rng = np.random.default_rng(0)
        odd = [
            np.zeros((1, 1, 3), np.uint8),
            np.zeros((7, 3, 3), np.uint8),
            np.zeros((3, 7), np.uint8),
            np.zeros((256, 256, 3), np.uint8),
            np.full((64, 64, 3), 255, np.uint8),
            rng.integers(0, 255, (200, 300), dtype=np.uint8),  # grayscale
            rng.integers(0, 255, (120, 90, 4), dtype=np.uint8),  # RGBA
            rng.random((50, 60, 3)).astype(np.float32),  # float 0..1
        ]
        for img in odd:
            out = det.detect(img)
            assert isinstance(out, list)
            assert all(m.score >= 0 for m in out)

    def test_grayscale_copy_of_example_still_runs(self) -> None:
        corpus, content, _ = next(iter(self.detector_cls.examples()))
        gray = np.asarray(content).mean(axis=2).astype(np.uint8)
        assert isinstance(self.detector_cls.build(corpus).detect(gray), list)

    def test_cache_round_trip(self) -> None:
        cache = InMemoryCache()
        first = self.detector_cls.build(self.corpus(cache))
        puts = cache.puts
        second = self.detector_cls.build(self.corpus(cache))
        assert cache.puts == puts, "second build with a populated cache must not recompute"
        if first.enabled:
            assert puts > 0
            corpus, content, _ = next(iter(self.detector_cls.examples()))
            a = [(m.character, round(m.score, 6)) for m in first.detect(content)]
            b = [(m.character, round(m.score, 6)) for m in second.detect(content)]
            assert a == b
