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
from mamori.ops.keys import create_key
from mamori.service import Mamori

DATA = Path(__file__).resolve().parents[2] / "data" / "registry.yaml"
ROLES = ("admin", "rightsholder", "platform", "auditor")


def make_client(app: Any) -> TestClient:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def svc(sqlite_url: str) -> Iterator[Mamori]:
    s = Mamori.open(sqlite_url, registry_refresh_seconds=0.0)
    s.import_registry(DATA)
    yield s
    s.close()


@pytest.fixture
def keys(svc: Mamori) -> dict[str, str]:
    return {
        "admin": create_key(svc, "admin")[1],
        "rightsholder": create_key(svc, "rightsholder", rightsholder="hoshi-studio")[1],
        "other_rightsholder": create_key(svc, "rightsholder", rightsholder="kaze-games")[1],
        "platform": create_key(svc, "platform", platform="acme-video")[1],
        "other_platform": create_key(svc, "platform", platform="other-video")[1],
        "auditor": create_key(svc, "auditor")[1],
    }


@pytest.fixture
def client(svc: Mamori) -> Iterator[TestClient]:
    with make_client(create_app(svc)) as c:
        yield c


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
