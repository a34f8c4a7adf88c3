"""`tune_server_process`: what a serving process changes in the interpreter, and its override."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator

import pytest

from mamori.api.app import GC_GEN0_THRESHOLD, SWITCH_INTERVAL_S, tune_server_process


@pytest.fixture(autouse=True)
def _restore() -> Iterator[None]:
    thresholds, interval = gc.get_threshold(), sys.getswitchinterval()
    yield
    gc.set_threshold(*thresholds)
    sys.setswitchinterval(interval)


def test_a_server_process_collects_its_young_generation_less_often(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MAMORI_GC_GEN0", raising=False)
    gc.set_threshold(700, 10, 10)
    tune_server_process()
    assert gc.get_threshold() == (GC_GEN0_THRESHOLD, 10, 10)
    assert sys.getswitchinterval() <= SWITCH_INTERVAL_S


def test_the_threshold_can_be_set_or_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    gc.set_threshold(700, 10, 10)
    monkeypatch.setenv("MAMORI_GC_GEN0", "5000")
    tune_server_process()
    assert gc.get_threshold()[0] == 5000
    gc.set_threshold(700, 10, 10)
    monkeypatch.setenv("MAMORI_GC_GEN0", "0")
    tune_server_process()
    assert gc.get_threshold()[0] == 700


def test_a_wrong_value_is_a_clear_start_up_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAMORI_GC_GEN0", "lots")
    with pytest.raises(SystemExit, match="MAMORI_GC_GEN0 must be a whole number"):
        tune_server_process()
