"""`mamori.api.fastscreen`: the screening route's common case answered before FastAPI. The same requests sent to an
app without it (`create_app(svc, fast_path=False)`) get the same status and body; only requests FastAPI accepts are
answered by the fast path; the rest (bad keys, bad bodies, other content types) still get FastAPI's own answers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mamori.api.app import create_app
from mamori.ops.keys import create_key
from mamori.service import Mamori
from tests.unit.api.conftest import DATA, auth, make_client
from tests.unit.api.test_api import REVIEW_PROMPT
from tests.unit.conftest import LEDGER_KEY

PATH = "/v1/screen/prompt"


@pytest.fixture
def svc(tmp_path: Path) -> Iterator[Mamori]:
    # keys stay cached for the whole test (the first Japanese prompt loads dictionaries: seconds)
    s = Mamori.open(f"sqlite:///{tmp_path / 'm.db'}", ledger_key=LEDGER_KEY, key_cache_seconds=600)
    s.import_registry(DATA)
    yield s
    s.close()


@pytest.fixture
def clients(svc: Mamori) -> Iterator[tuple[TestClient, TestClient]]:
    fast, slow = create_app(svc), create_app(svc, fast_path=False)
    with make_client(fast) as a, make_client(slow) as b:
        yield a, b


def _comparable(r: Any) -> tuple[int, Any]:
    """Status and body, less what differs between two recordings of one prompt (request id, ledger place)."""
    try:
        body = r.json()
    except ValueError:
        return r.status_code, r.text
    if isinstance(body, dict):
        body = {k: v for k, v in body.items() if k not in ("id", "receipt", "review_ids")}
    return r.status_code, body


def test_common_case_is_answered_by_the_fast_path_with_the_same_answer(
    svc: Mamori, clients: tuple[TestClient, TestClient]
) -> None:
    fast, slow = clients
    key = create_key(svc, "platform", platform="acme-video")[1]
    prompts = [
        "Mirai Hoshino delivering mail",
        "a lighthouse in the rain",
        REVIEW_PROMPT,
        "星野ミライ",
        "x" * 3000,
    ]
    before = svc.ledger.count("decision.prompt")
    fast.post(
        PATH, json={"text": "warm the key cache"}, headers=auth(key)
    )  # an uncached key goes the long way
    answered = fast.app.state.fast_answers  # type: ignore[attr-defined]
    for text in prompts:
        for body in ({"text": text}, {"text": text, "territory": "jp", "user": "u-1"}):
            a = fast.post(PATH, json=body, headers=auth(key))
            b = slow.post(PATH, json=body, headers=auth(key))
            assert a.status_code == 200, a.text
            assert _comparable(a) == _comparable(b)
            assert a.headers["content-type"] == b.headers["content-type"] == "application/json"
            assert set(a.json()) == set(b.json())
    assert fast.app.state.fast_answers == answered + 2 * len(prompts)  # type: ignore[attr-defined]
    assert svc.ledger.count("decision.prompt") == before + 1 + 4 * len(prompts)  # each recorded once
    assert svc.ledger.verify().ok
    metrics = fast.get("/metrics").text  # counted under the route's path, as FastAPI's router would label it
    assert f'mamori_http_requests_total{{method="POST",route="{PATH}",status="200"}} 11.0' in metrics
    assert 'mamori_verdicts_total{kind="prompt",verdict="review"} 2.0' in metrics


BAD: list[tuple[str, dict[str, str], bytes | None]] = [
    ("no key", {}, b'{"text": "Mirai Hoshino"}'),
    ("unknown key", {"Authorization": "Bearer mk_nope"}, b'{"text": "Mirai Hoshino"}'),
    ("basic auth", {"Authorization": "Basic abc"}, b'{"text": "Mirai Hoshino"}'),
    ("broken json", {}, b'{"text": '),
    ("extra field", {}, b'{"text": "a", "colour": "red"}'),
    ("number as text", {}, b'{"text": 5}'),
    ("bad territory", {}, b'{"text": "a", "territory": "Japan"}'),
    ("nul in user", {}, b'{"text": "a", "user": "u\\u0000"}'),
    ("a list", {}, b'["a"]'),
    ("empty body", {}, b""),
    ("deep nesting", {}, b'{"text": ' + b"[" * 5000 + b"]" * 5000 + b"}"),
    ("text/plain", {"Content-Type": "text/plain"}, b'{"text": "Mirai Hoshino"}'),
    ("form", {"Content-Type": "application/x-www-form-urlencoded"}, b"text=Mirai"),
]


@pytest.mark.parametrize(("name", "headers", "raw"), BAD, ids=[b[0] for b in BAD])
def test_what_the_fast_path_does_not_take_gets_fastapis_answer(
    svc: Mamori, clients: tuple[TestClient, TestClient], name: str, headers: dict[str, str], raw: bytes
) -> None:
    fast, slow = clients
    key = create_key(svc, "platform", platform="acme-video")[1]
    fast.post(PATH, json={"text": "warm the key cache"}, headers=auth(key))
    answered = fast.app.state.fast_answers  # type: ignore[attr-defined]
    sent = {"Content-Type": "application/json", **auth(key), **headers}
    if name == "no key":
        del sent["Authorization"]
    a = fast.post(PATH, content=raw, headers=sent)
    b = slow.post(PATH, content=raw, headers=sent)
    assert a.status_code != 200 and a.status_code < 500
    assert _comparable(a) == _comparable(b)
    assert a.headers.get("www-authenticate") == b.headers.get("www-authenticate")
    assert fast.app.state.fast_answers == answered  # type: ignore[attr-defined]


def test_wrong_role_is_refused_as_before(svc: Mamori, clients: tuple[TestClient, TestClient]) -> None:
    fast, slow = clients
    key = create_key(svc, "auditor")[1]
    fast.get("/v1/whoami", headers=auth(key))  # now cached
    a = fast.post(PATH, json={"text": "Mirai Hoshino"}, headers=auth(key))
    b = slow.post(PATH, json={"text": "Mirai Hoshino"}, headers=auth(key))
    assert a.status_code == b.status_code == 403
    assert a.json() == b.json()


def test_database_errors_go_to_the_apps_handlers(svc: Mamori, clients: tuple[TestClient, TestClient]) -> None:
    """A failed commit on the fast path is answered by the app's own handler (503 with a reason), not a 500."""
    fast, _ = clients
    key = create_key(svc, "platform", platform="acme-video")[1]
    fast.post(PATH, json={"text": "warm"}, headers=auth(key))
    answered = fast.app.state.fast_answers  # type: ignore[attr-defined]
    with svc.engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TRIGGER no_rows BEFORE INSERT ON ledger BEGIN SELECT RAISE(ABORT, 'attempt to write a readonly database'); END"
        )
    try:
        r = fast.post(PATH, json={"text": "Mirai Hoshino"}, headers=auth(key))
    finally:
        with svc.engine.begin() as conn:
            conn.exec_driver_sql("DROP TRIGGER no_rows")
    assert fast.app.state.fast_answers == answered + 1  # type: ignore[attr-defined]
    assert r.status_code == 503, r.text
    assert "read-only" in r.json()["error"]
    assert fast.post(PATH, json={"text": "Mirai Hoshino"}, headers=auth(key)).status_code == 200


def test_requests_that_miss_the_key_cache_share_one_lookup(
    svc: Mamori, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When a key's cached answer has run out, the requests arriving meanwhile wait for one database lookup and are
    answered on the fast path, rather than each taking the long way with its own query."""
    import asyncio
    import threading

    import httpx

    import mamori.api.fastscreen as fastscreen

    app = create_app(svc)
    key = create_key(svc, "platform", platform="acme-video")[1]
    calls: list[str] = []
    gate = threading.Event()
    real = fastscreen.lookup_principal

    def slow_lookup(s: Mamori, secret: str) -> Any:
        calls.append(secret)
        gate.wait(10)  # every request below arrives while this lookup runs
        return real(s, secret)

    monkeypatch.setattr(fastscreen, "lookup_principal", slow_lookup)
    svc.key_cache.clear()

    async def run() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            sent = [
                asyncio.ensure_future(c.post(PATH, json={"text": f"a lighthouse {i}"}, headers=auth(key)))
                for i in range(12)
            ]
            await asyncio.sleep(0.2)
            gate.set()
            return [r.status_code for r in await asyncio.gather(*sent)]

    assert asyncio.run(run()) == [200] * 12
    assert len(calls) == 1
    assert app.state.fast_answers == 12
