"""Shared fixtures: database URLs for every store implementation, the shared test data folder."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PG_ENV = "MAMORI_TEST_POSTGRES_URL"


def shared_dir() -> Path:
    """../shared beside the repo (or $MAMORI_SHARED). Missing: skip locally, fail under CI=true."""
    candidates = [Path(os.environ["MAMORI_SHARED"])] if os.environ.get("MAMORI_SHARED") else []
    candidates += [REPO.parent / "shared", REPO.parent.parent / "shared", Path("/work/shared")]
    for c in candidates:
        if (c / "testdata").is_dir():
            return c
    msg = f"shared test data not found (looked in {', '.join(map(str, candidates))}); set MAMORI_SHARED"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(msg)
    pytest.skip(msg)


@pytest.fixture(scope="session", autouse=True)
def _index_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Built prompt indexes go to a folder of this test session (also for CLI subprocesses), not ~/.cache."""
    before = os.environ.get("MAMORI_INDEX_CACHE")
    os.environ["MAMORI_INDEX_CACHE"] = str(tmp_path_factory.mktemp("index-cache"))
    yield
    if before is None:
        os.environ.pop("MAMORI_INDEX_CACHE", None)
    else:
        os.environ["MAMORI_INDEX_CACHE"] = before


@pytest.fixture(scope="session")
def shared() -> Path:
    return shared_dir()


def _pg_admin_url() -> str | None:
    return os.environ.get(PG_ENV) or None


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test; dropped afterwards."""
    admin = _pg_admin_url()
    if not admin:
        pytest.skip(f"{PG_ENV} not set")
    import psycopg

    name = f"mamori_t_{uuid.uuid4().hex[:12]}"
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        pytest.fail(f"{PG_ENV} is set but PostgreSQL is unreachable: {exc}")
    base, _, _ = admin.rpartition("/")
    yield f"{base}/{name}"
    from mamori.storage.db import forget_engines

    forget_engines()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'mamori.db'}"


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Every store contract test runs on both implementations."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'mamori.db'}"
    return request.getfixturevalue("pg_url")
