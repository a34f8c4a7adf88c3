"""Shared fixtures for the visual gate tests: testdata location (skip, or fail under CI=true, when missing)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import shared_dir


def require_testdata() -> Path:
    """../shared/testdata (or $MAMORI_SHARED); skips locally, fails under CI=true when missing."""
    return shared_dir() / "testdata"


@pytest.fixture(scope="session")
def testdata() -> Path:
    return require_testdata()
