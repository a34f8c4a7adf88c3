"""In-process API fixtures: a service over a fresh database with the test registry, and a key per role."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

with warnings.catch_warnings():
    # starlette's TestClient warns about httpx at import; the suite runs with filterwarnings=error.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from mamori.api.app import create_app
from mamori.service import Mamori

DATA = Path(__file__).resolve().parents[2] / "data" / "registry.yaml"
ROLES = ("admin", "rightsholder", "platform", "auditor")


def make_client(app: Any) -> TestClient:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def client(svc: Mamori) -> Iterator[TestClient]:
    with make_client(create_app(svc)) as c:
        yield c


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
