"""The HTTP API in process: strict requests, limits, screening, generations and settlement, keys, registry edits,
reviews, ledger and metrics. Media screening uses a fake visual gate (marker bytes name the character shown) so the
flow is tested whatever state the real gate is in."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from mamori.api.app import create_app
from mamori.batch import screen_lines
from mamori.policy.decide import decide
from mamori.service import Mamori
from mamori.types import Evidence, Match
from tests.unit.api.conftest import auth, make_client

SEEN_TOBIO = b"\x89PNG\r\n\x1a\nCHAR:tobio"
SEEN_MIRAI = b"\x89PNG\r\n\x1a\nCHAR:mirai"
BLANK = b"\x89PNG\r\n\x1a\nnothing"
REVIEW_PROMPT = "eyepatch with a star and a crow-feather cloak"


def fake_gate(svc: Mamori) -> None:
    """Replace the visual gate: b'CHAR:<id>' in the bytes means that character is in the picture."""

    def screen_media_bytes(data: bytes, filename: str, ctx: Any, record: bool = True) -> dict[str, Any]:
        idx = svc.indexes()
        matches = []
        if b"CHAR:" in data:
            cid = data.split(b"CHAR:")[1].decode()
            work = next(c.work for c in idx.registry.characters if c.id == cid)
            matches = [Match(work, 0.95, cid, (Evidence("pdq", 0.95, "fake"),))]
        d = decide(matches, (), ctx, idx.book)
        return {"path": filename, "kind": "image", **d.to_json()}

    svc.screen_media_bytes = screen_media_bytes  # type: ignore[attr-defined]


def kinds(svc: Mamori) -> list[str]:
    return [r.event["kind"] for r in svc.ledger.rows()]


# --- screening -------------------------------------------------------------------------------------------


def test_screen_prompt_matches_batch_output_and_is_recorded(
    svc: Mamori, keys: dict[str, str], client: Any
) -> None:
    before = svc.ledger.count("decision.prompt")
    r = client.post(
        "/v1/screen/prompt",
        json={"text": "Mirai Hoshino delivering mail", "territory": "jp"},
        headers=auth(keys["platform"]),
    )
    assert r.status_code == 200
    body = r.json()
    batch = next(
        screen_lines(
            svc,
            [
                json.dumps(
                    {
                        "id": "x",
                        "text": "Mirai Hoshino delivering mail",
                        "platform": "acme-video",
                        "territory": "JP",
                    }
                ).encode()
            ],
            record=False,
        )
    )
    assert set(body) - {"receipt"} == set(batch) and body["verdict"] == batch["verdict"] == "licensed"
    assert body["obligations"] == batch["obligations"]
    assert svc.ledger.count("decision.prompt") == before + 1
    last = list(svc.ledger.rows(kinds=["decision.prompt"]))[-1].event["data"]
    assert last["request_id"] == body["id"] and last["platform"] == "acme-video" and last["territory"] == "JP"
    metrics = client.get("/metrics").text
    assert 'mamori_verdicts_total{kind="prompt",verdict="licensed"} 1.0' in metrics
    assert 'route="/v1/screen/prompt",status="200"' in metrics


@pytest.mark.parametrize(
    "body",
    [
        {"text": 5},
        {"text": "a cat", "extra": 1},
        {"text": "a cat", "territory": 12},
        {"text": "a cat", "territory": "JPN"},
        {},
    ],
)
def test_requests_are_strict(keys: dict[str, str], client: Any, body: dict[str, Any]) -> None:
    assert client.post("/v1/screen/prompt", json=body, headers=auth(keys["platform"])).status_code == 422


def test_prompt_and_body_limits(sqlite_url: str) -> None:
    svc = Mamori.open(sqlite_url, max_prompt_chars=50, max_upload_bytes=2000)
    from mamori.ops.keys import create_key

    key = create_key(svc, "platform", platform="acme-video")[1]
    c = make_client(create_app(svc))
    r = c.post("/v1/screen/prompt", json={"text": "x" * 51}, headers=auth(key))
    assert r.status_code == 422 and "limit" in r.json()["error"]
    r = c.post("/v1/screen/prompt", json={"text": "y" * 3000}, headers=auth(key))
    assert r.status_code == 413
    # a body streamed without a length is cut off at the limit too
    r = c.post(
        "/v1/screen/prompt",
        content=iter([b'{"text": "', b"z" * 3000, b'"}']),
        headers={**auth(key), "content-type": "application/json"},
    )
    assert r.status_code == 413
    assert c.post("/v1/screen/prompt", json={"text": "ok"}, headers=auth(key)).status_code == 200
    svc.close()


def test_an_exception_answers_500_and_the_service_keeps_serving(
    svc: Mamori, keys: dict[str, str], client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    real = svc.decide_prompt
    calls = {"n": 0}

    def flaky(text: str, ctx: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("boom")
        return real(text, ctx)

    svc.decide_prompt = flaky  # type: ignore[method-assign]
    r = client.post("/v1/screen/prompt", json={"text": "a cat"}, headers=auth(keys["platform"]))
    assert r.status_code == 500 and r.json() == {"error": "internal error; the request was not completed"}
    assert "boom" in caplog.text
    assert (
        client.post("/v1/screen/prompt", json={"text": "a cat"}, headers=auth(keys["platform"])).status_code
        == 200
    )
    assert client.get("/healthz").status_code == 200


# --- generations -----------------------------------------------------------------------------------------


def test_blocked_prompt_opens_nothing(svc: Mamori, keys: dict[str, str], client: Any) -> None:
    r = client.post(
        "/v1/generations", json={"prompt": "Tobio Kuroda at the beach"}, headers=auth(keys["platform"])
    )
    assert r.status_code == 200
    assert r.json()["generation_id"] is None and r.json()["decision"]["verdict"] == "block"
    assert r.json()["obligations"] == {}


def test_generation_settles_with_fees_and_revenue_share(
    svc: Mamori, keys: dict[str, str], client: Any
) -> None:
    fake_gate(svc)
    p = auth(keys["platform"])
    r = client.post(
        "/v1/generations",
        json={
            "prompt": "Mirai Hoshino delivering mail",
            "territory": "JP",
            "price": {"amount": "2.00", "currency": "USD"},
        },
        headers=p,
    )
    gid = r.json()["generation_id"]
    assert gid and r.json()["decision"]["verdict"] == "licensed"
    assert r.json()["obligations"]["fees"] == [{"character": "mirai", "amount": "0.05", "currency": "USD"}]
    # another platform cannot see or settle it
    assert (
        client.post(
            f"/v1/generations/{gid}/output",
            files={"file": ("o.png", SEEN_MIRAI)},
            headers=auth(keys["other_platform"]),
        ).status_code
        == 404
    )
    r = client.post(f"/v1/generations/{gid}/output", files={"file": ("o.png", SEEN_MIRAI)}, headers=p)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["status"] == "settled" and out["decision"]["verdict"] == "licensed"
    line = out["settlement"]["lines"][0]
    assert line["character"] == "mirai" and line["rightsholder"] == "hoshi-studio"
    assert line["fee"] == {"amount": "0.05", "currency": "USD"}
    assert (
        Decimal(line["revenue_share"]["amount"]) == Decimal("0.6")
        and line["revenue_share"]["currency"] == "USD"
    )
    assert kinds(svc)[-2:] == ["decision.output", "settlement"]
    assert (
        client.post(
            f"/v1/generations/{gid}/output", files={"file": ("o.png", SEEN_MIRAI)}, headers=p
        ).status_code
        == 409
    )
    g = client.get(f"/v1/generations/{gid}", headers=auth(keys["auditor"])).json()
    assert g["status"] == "settled"


def test_output_showing_an_unlicensed_character_is_blocked(
    svc: Mamori, keys: dict[str, str], client: Any
) -> None:
    fake_gate(svc)
    p = auth(keys["platform"])
    gid = client.post("/v1/generations", json={"prompt": "a quiet harbour at dawn"}, headers=p).json()[
        "generation_id"
    ]
    assert gid
    r = client.post(f"/v1/generations/{gid}/output", files={"file": ("o.png", SEEN_TOBIO)}, headers=p).json()
    assert r["status"] == "blocked" and r["decision"]["verdict"] == "block" and r["settlement"] is None
    assert "settlement" not in kinds(svc)


def test_input_image_is_screened_with_the_prompt(svc: Mamori, keys: dict[str, str], client: Any) -> None:
    import base64

    fake_gate(svc)
    r = client.post(
        "/v1/generations",
        json={"prompt": "make it rain", "input_image": base64.b64encode(SEEN_TOBIO).decode()},
        headers=auth(keys["platform"]),
    ).json()
    assert r["generation_id"] is None and r["decision"]["verdict"] == "block"
    bad = client.post(
        "/v1/generations", json={"prompt": "x", "input_image": "***"}, headers=auth(keys["platform"])
    )
    assert bad.status_code == 422


def test_media_routes_without_a_visual_gate_answer_503(sqlite_url: str) -> None:
    class NoGate(Mamori):
        def __getattribute__(self, name: str) -> Any:
            if name == "screen_media_bytes":
                raise AttributeError(name)
            return super().__getattribute__(name)

    from mamori.config import Settings
    from mamori.ops.keys import create_key

    svc = NoGate(Settings.from_env(db=sqlite_url))
    key = create_key(svc, "platform", platform="acme-video")[1]
    c = make_client(create_app(svc))
    r = c.post("/v1/screen/media", files={"file": ("a.png", BLANK)}, headers=auth(key))
    assert r.status_code == 503 and r.json()["error"] == "visual gate not available"
    svc.close()


# --- keys ------------------------------------------------------------------------------------------------


def test_keys_create_list_revoke(svc: Mamori, keys: dict[str, str], client: Any) -> None:
    a = auth(keys["admin"])
    r = client.post("/v1/keys", json={"role": "platform", "platform": "new-video", "label": "t"}, headers=a)
    assert r.status_code == 201
    new = r.json()
    assert new["key"].startswith("mk_")
    assert client.get("/v1/whoami", headers=auth(new["key"])).json()["platform"] == "new-video"
    listed = client.get("/v1/keys", headers=a).json()
    assert all("key" not in k and "key_hash" not in k for k in listed)
    assert client.delete(f"/v1/keys/{new['id']}", headers=a).status_code == 200
    assert client.get("/v1/whoami", headers=auth(new["key"])).status_code == 401
    assert client.delete(f"/v1/keys/{new['id']}", headers=a).status_code == 409
    assert client.post("/v1/keys", json={"role": "rightsholder"}, headers=a).status_code == 422
    events = [r.event for r in svc.ledger.rows(kinds=["key.create", "key.revoke"])]
    assert events[-1]["kind"] == "key.revoke" and events[-1]["data"]["key_id"] == new["id"]
    assert new["key"] not in json.dumps(events)


# --- registry --------------------------------------------------------------------------------------------


def test_rightsholder_sees_and_edits_only_its_own(svc: Mamori, keys: dict[str, str], client: Any) -> None:
    h = auth(keys["rightsholder"])
    assert {c["id"] for c in client.get("/v1/characters", headers=h).json()} == {"mirai", "tobio"}
    assert client.get("/v1/characters/kappa-x", headers=h).status_code == 403
    assert client.put("/v1/characters/kappa-x/policy", json={"policy": None}, headers=h).status_code == 403
    assert client.put("/v1/works/new-work", json={"rightsholder": "kaze-games"}, headers=h).status_code == 403
    assert client.get("/v1/usage?period=2026-11&rightsholder=kaze-games", headers=h).status_code == 403
    r = client.put(
        "/v1/works/new-work", json={"rightsholder": "hoshi-studio", "titles": ["Night Post"]}, headers=h
    )
    assert r.status_code == 200
    r = client.put(
        "/v1/characters/yoru",
        json={"work": "new-work", "names": ["Yoru Tsukino"], "policy": {"generation": "track"}},
        headers=h,
    )
    assert r.status_code == 200 and r.json()["policy_version"] == 1
    d = client.post(
        "/v1/screen/prompt", json={"text": "Yoru Tsukino in the rain"}, headers=auth(keys["platform"])
    )
    assert d.json()["matches"][0]["character"] == "yoru"
    assert client.delete("/v1/works/new-work", headers=h).status_code == 409
    assert client.delete("/v1/characters/yoru", headers=h).status_code == 200
    assert client.delete("/v1/works/new-work", headers=h).status_code == 200


def test_policy_put_validates_versions_and_applies(svc: Mamori, keys: dict[str, str], client: Any) -> None:
    h = auth(keys["rightsholder"])
    bad = client.put(
        "/v1/characters/mirai/policy",
        json={"policy": {"generation": "sometimes", "territories": ["JP", "XX"], "bogus": 1}},
        headers=h,
    )
    assert bad.status_code == 422
    paths = {p["path"] for p in bad.json()["problems"]}
    assert paths == {"policy.generation", "policy.territories[1]", "policy.bogus"}
    ok = client.put("/v1/characters/mirai/policy", json={"policy": {"generation": "block"}}, headers=h)
    assert ok.status_code == 200 and ok.json()["version"] == 2 and ok.json()["changed"]
    change = list(svc.ledger.rows(kinds=["policy.change"]))[-1].event["data"]
    assert change["character"] == "mirai" and change["version"] == 2
    r = client.post(
        "/v1/screen/prompt", json={"text": "Mirai Hoshino", "territory": "JP"}, headers=auth(keys["platform"])
    )
    assert r.json()["verdict"] == "block"
    history = client.get("/v1/characters/mirai/policy", headers=h).json()["history"]
    assert [v["version"] for v in history] == [1, 2]


def test_reference_upload(svc: Mamori, keys: dict[str, str], client: Any) -> None:
    from tests.unit.api.test_roles import PNG

    h = auth(keys["rightsholder"])
    r = client.post(
        "/v1/characters/mirai/references", files={"file": ("../../mirai.png", PNG, "image/png")}, headers=h
    )
    assert r.status_code == 201 and r.json()["added"] and r.json()["path"] == "uploads/mirai.png"
    refs = client.get("/v1/characters/mirai", headers=h).json()["reference_images"]
    assert [x["sha256"] for x in refs] == [r.json()["sha256"]]
    r = client.post("/v1/characters/mirai/references", files={"file": ("a.txt", b"hello")}, headers=h)
    assert r.status_code == 415


# --- reviews ---------------------------------------------------------------------------------------------


def test_review_verdict_is_queued_and_resolved_by_its_rightsholder(
    svc: Mamori, keys: dict[str, str], client: Any
) -> None:
    r = client.post("/v1/screen/prompt", json={"text": REVIEW_PROMPT}, headers=auth(keys["platform"])).json()
    assert r["verdict"] == "review" and r["review_ids"]
    rid = r["review_ids"][0]
    assert client.get("/v1/reviews", headers=auth(keys["other_rightsholder"])).json() == []
    queue = client.get("/v1/reviews", headers=auth(keys["rightsholder"])).json()
    assert [q["id"] for q in queue] == [rid] and queue[0]["character_id"] == "tobio"
    assert queue[0]["deadline"] > queue[0]["created_at"]
    assert (
        client.post(
            f"/v1/reviews/{rid}/resolve", json={"action": "release"}, headers=auth(keys["other_rightsholder"])
        ).status_code
        == 404
    )
    done = client.post(
        f"/v1/reviews/{rid}/resolve",
        json={"action": "allowlist", "note": "fan art prop"},
        headers=auth(keys["rightsholder"]),
    )
    assert done.status_code == 200 and done.json()["status"] == "allowlisted"
    assert svc.registry_store.allowlist() == [("tobio", REVIEW_PROMPT, None)]
    ev = list(svc.ledger.rows(kinds=["review.resolve"]))[-1].event["data"]
    assert ev["action"] == "allowlist" and ev["review_id"] == rid
    assert (
        client.post(
            f"/v1/reviews/{rid}/resolve", json={"action": "uphold"}, headers=auth(keys["admin"])
        ).status_code
        == 409
    )
    again = client.post(
        "/v1/screen/prompt", json={"text": REVIEW_PROMPT}, headers=auth(keys["platform"])
    ).json()
    assert again["verdict"] != "review"


def test_dispute_enters_the_queue(svc: Mamori, keys: dict[str, str], client: Any) -> None:
    p = auth(keys["platform"])
    r = client.post(
        "/v1/disputes",
        json={"character": "tobio", "reason": "this is my own OC", "prompt": "Tobio"},
        headers=p,
    )
    assert (
        r.status_code == 201
        and r.json()["kind"] == "dispute"
        and r.json()["rightsholder_id"] == "hoshi-studio"
    )
    assert (
        client.post("/v1/disputes", json={"character": "tobio", "reason": "x"}, headers=p).status_code == 422
    )
    assert (
        client.post(
            "/v1/disputes", json={"character": "nobody", "reason": "x", "prompt": "y"}, headers=p
        ).status_code
        == 404
    )
    up = client.post(
        f"/v1/reviews/{r.json()['id']}/resolve", json={"action": "uphold"}, headers=auth(keys["admin"])
    )
    assert up.json()["status"] == "upheld"
    assert "dispute.file" in kinds(svc) and "review.resolve" in kinds(svc)


# --- ledger ----------------------------------------------------------------------------------------------


def test_ledger_verify_and_tamper(svc: Mamori, keys: dict[str, str], client: Any) -> None:
    from sqlalchemy import update

    from mamori.storage import schema as t

    a = auth(keys["auditor"])
    client.post("/v1/screen/prompt", json={"text": "Mirai Hoshino"}, headers=auth(keys["platform"]))
    ok = client.get("/v1/ledger/verify", headers=a).json()
    assert ok["ok"] and ok["first_bad"] is None and ok["rows"] == svc.ledger.count()
    rows = client.get("/v1/ledger/events?after=1&limit=2", headers=a).json()
    assert [r["seq"] for r in rows] == [2, 3]
    with svc.engine.begin() as conn:
        conn.execute(update(t.ledger).where(t.ledger.c.seq == 2).values(payload=rows[0]["payload"] + " "))
    bad = client.get("/v1/ledger/verify", headers=a).json()
    assert bad["ok"] is False and bad["first_bad"] == 2


def test_openapi_documents_the_api(client: Any) -> None:
    spec = client.get("/openapi.json").json()
    assert "/v1/screen/prompt" in spec["paths"] and spec["components"]["securitySchemes"]
