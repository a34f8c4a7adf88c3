"""Shared fixtures for the visual gate tests: testdata location (skip, or fail under CI=true, when missing)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
TESTDATA = REPO.parent / "shared" / "testdata"


def require_testdata() -> Path:
    if TESTDATA.is_dir():
        return TESTDATA
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"test data missing at {TESTDATA} (CI=true)")
    pytest.skip(f"test data not found at {TESTDATA}")


@pytest.fixture(scope="session")
def testdata() -> Path:
    return require_testdata()
