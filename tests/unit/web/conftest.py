"""Console fixtures: the API app (which mounts the console) over a fresh database with the test registry."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mamori.api.app import create_app
from mamori.service import Mamori
from tests.unit.api.conftest import make_client

DATA = Path(__file__).resolve().parents[2] / "data" / "registry.yaml"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


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
