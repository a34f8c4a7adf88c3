"""The Detector contract, run on every registered detector: unique names, kinds, and its own examples()."""

from __future__ import annotations

import pytest

from mamori.screening.base import IMAGE, TEXT, Detector
from mamori.screening.plugins import DETECTORS, detector_classes

CLASSES = detector_classes()


def test_registration_point_is_complete_and_unique() -> None:
    assert len(CLASSES) == len(DETECTORS)
    names = [c.name for c in CLASSES]
    assert len(set(names)) == len(names)
    assert {c.name for c in detector_classes(TEXT)} == {"text"}
    assert {"pdq", "local", "embedding"} <= {c.name for c in detector_classes(IMAGE)}


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.name)
def test_detector_contract(cls: type[Detector]) -> None:
    assert cls.name and cls.kinds and cls.version
    cases = list(cls.examples())
    assert cases, f"{cls.name} has no examples()"
    for corpus, content, expected in cases:
        det = cls.build(corpus)
        found = det.detect(content)
        assert all(0.0 <= m.score <= 1.0 for m in found)
        assert all(m.evidence for m in found), "every match says why"
        got = {m.character for m in found}
        if det.enabled:
            assert expected <= got, (cls.name, expected, got)
        else:
            assert found == []
