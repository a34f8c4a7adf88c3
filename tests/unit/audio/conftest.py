"""Audio tests need libchromaprint (Debian libchromaprint1, installed by .ci/run): skipped locally without it,
failed under CI=true."""

from __future__ import annotations

import os

import pytest

from mamori.screening.audio import chroma


def require_chromaprint() -> None:
    if chroma.available():
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("libchromaprint1 is not installed (CI installs it in .ci/run)")
    pytest.skip("libchromaprint1 is not installed")


@pytest.fixture(autouse=True)
def _chromaprint() -> None:
    require_chromaprint()
