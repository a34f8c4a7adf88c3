"""Console fixtures: the API app (which mounts the console) over a fresh database with the test registry."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from mamori.api.app import create_app
from mamori.ops.keys import create_key
from mamori.service import Mamori
from tests.unit.api.conftest import make_client

DATA = Path(__file__).resolve().parents[2] / "data" / "registry.yaml"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


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
        "auditor": create_key(svc, "auditor")[1],
    }


@pytest.fixture
def app(svc: Mamori):  # type: ignore[no-untyped-def]
    return create_app(svc)


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    with make_client(app) as c:
        yield c


def csrf_of(html: str) -> str:
    m = CSRF.search(html)
    assert m, "no CSRF field on the page"
    return m.group(1)


def login(client, key: str, lang: str = "en"):  # type: ignore[no-untyped-def]
    page = client.get(f"/console/login?lang={lang}")
    assert page.status_code == 200
    r = client.post(
        "/console/login",
        data={"csrf": csrf_of(page.text), "key": key, "next": "/console/"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return r


def form_csrf(client, url: str) -> str:  # type: ignore[no-untyped-def]
    r = client.get(url)
    assert r.status_code == 200, r.text
    return csrf_of(r.text)
