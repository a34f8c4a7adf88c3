"""The screening route's fast path: decided on the event loop when the prompt is short and the indexes are ready
(else on a worker thread), the ledger entry awaited, the answer written without pydantic's round trip — and the
same answer, the same ledger entries, either way."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from mamori.api.app import create_app
from mamori.api.fastjson import without_none
from mamori.api.schemas.screen import ScreenOut
from mamori.ops import screening
from mamori.ops.keys import create_key
from mamori.service import Mamori
from tests.unit.api.conftest import DATA, auth, make_client
from tests.unit.api.test_api import REVIEW_PROMPT
from tests.unit.conftest import LEDGER_KEY

PROMPTS = [
    "Mirai Hoshino delivering mail",  # licensed
    "a watercolour of a lighthouse in the rain",  # allow
    "Tobio Kuroda with a crow-feather cloak",  # block
    REVIEW_PROMPT,  # review: queued on a worker thread
    "星野ミライ がロケットスケートで走る",
    "a lighthouse " * 200 + "Mirai Hoshino",  # longer than INLINE_PROMPT_CHARS: decided on a worker thread
]


def _pydantic(data: dict[str, Any]) -> dict[str, Any]:
    """What FastAPI sends for a `response_model=ScreenOut, response_model_exclude_none=True` route."""
    return ScreenOut.model_validate(data).model_dump(mode="json", exclude_none=True)


def test_without_none_drops_what_exclude_none_drops() -> None:
    data = {
        "id": "r_1",
        "verdict": "allow",
        "matches": [{"character": None, "work": "w", "evidence": {"span": None}}],  # kept inside plain dicts
        "themes": [],
        "reasons": ["x"],
        "obligations": {"fees": None},
        "review_ids": None,
        "extra_field": None,
        "receipt": {"ledger_index": 3, "leaf_hash": "ab", "chain_hash": "cd"},
    }
    assert without_none(ScreenOut, data) == _pydantic(data)
    assert "review_ids" not in without_none(ScreenOut, data)
    assert without_none(ScreenOut, {**data, "receipt": None}) == _pydantic({**data, "receipt": None})


@pytest.fixture(params=[60.0, 0.0], ids=["indexes-ready", "registry-check-each-request"])
def service(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Mamori]:
    s = Mamori.open(
        f"sqlite:///{tmp_path / 'm.db'}", registry_refresh_seconds=request.param, ledger_key=LEDGER_KEY
    )
    s.import_registry(DATA)
    yield s
    s.close()


def test_answers_match_the_model_and_the_ledger(service: Mamori) -> None:
    key = create_key(service, "platform", platform="acme-video")[1]
    with make_client(create_app(service)) as client:
        for text in PROMPTS:
            inline = screening.decides_inline(service, text)
            r = client.post("/v1/screen/prompt", json={"text": text, "territory": "jp"}, headers=auth(key))
            assert r.status_code == 200, r.text
            body = r.json()
            assert body == _pydantic(body)  # valid against the documented model, nothing it would drop
            assert r.headers["content-type"] == "application/json"
            at = body["receipt"]["ledger_index"]
            entry = json.loads(client.get(f"/v1/ledger/entries/{at}", headers=auth(key)).content)
            assert entry["data"]["request_id"] == body["id"]
            assert entry["data"]["decision"]["verdict"] == body["verdict"]
            assert entry["data"]["territory"] == "JP"
            if text == REVIEW_PROMPT:
                assert body["verdict"] == "review" and body["review_ids"]
            if len(text) > screening.INLINE_PROMPT_CHARS or service.settings.registry_refresh_seconds == 0:
                assert not inline
        if service.settings.registry_refresh_seconds > 1:
            assert screening.decides_inline(service, PROMPTS[0])


def test_concurrent_requests_share_commits_and_each_is_recorded(service: Mamori) -> None:
    key = create_key(service, "platform", platform="acme-video")[1]
    before = service.ledger.count("decision.prompt")
    with make_client(create_app(service)) as client:

        def one(i: int) -> dict[str, Any]:
            r = client.post("/v1/screen/prompt", json={"text": PROMPTS[i % 3]}, headers=auth(key))
            assert r.status_code == 200, r.text
            return r.json()  # type: ignore[no-any-return]

        with ThreadPoolExecutor(16) as pool:
            answers = list(pool.map(one, range(64)))
    assert service.ledger.count("decision.prompt") == before + 64
    assert len({a["receipt"]["ledger_index"] for a in answers}) == 64
    assert service.ledger.verify().ok
