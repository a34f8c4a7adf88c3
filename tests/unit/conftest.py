"""In-process fixtures shared by the API and console suites: a service over a fresh SQLite store with the test
registry, and a key for every role (and a second rightsholder and platform, for scoping tests)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mamori.ledger.note import Signer
from mamori.ops.keys import create_key
from mamori.service import Mamori

DATA = Path(__file__).resolve().parents[1] / "data" / "registry.yaml"
LEDGER_KEY = Signer.generate("mamori.test/log").skey  # checkpoints are signed as in production


@pytest.fixture
def svc(sqlite_url: str) -> Iterator[Mamori]:
    s = Mamori.open(sqlite_url, registry_refresh_seconds=0.0, ledger_key=LEDGER_KEY)
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
