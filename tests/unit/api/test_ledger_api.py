"""The transparency log over HTTP: public checkpoint, key and proofs; receipts; entries scoped to their platform;
malformed proof requests answered 4xx with a reason. Proofs are checked by the independent verifier."""

from __future__ import annotations

from typing import Any

import pytest

from mamori.service import Mamori
from tests.contract import rfc9162
from tests.unit.api.conftest import auth


def test_receipt_entry_and_inclusion_proof_verify_offline(
    svc: Mamori, keys: dict[str, str], client: Any
) -> None:
    r = client.post(
        "/v1/screen/prompt",
        json={"text": "Mirai Hoshino delivering mail", "territory": "jp", "user": "u-1"},
        headers=auth(keys["platform"]),
    )
    receipt = r.json()["receipt"]
    index = receipt["ledger_index"]
    entry = client.get(f"/v1/ledger/entries/{index}", headers=auth(keys["platform"]))
    assert entry.status_code == 200 and b"Mirai Hoshino delivering" not in entry.content
    assert rfc9162.sha(b"\x00" + entry.content).hex() == receipt["leaf_hash"]
    assert client.get(f"/v1/ledger/entries/{index}", headers=auth(keys["other_platform"])).status_code == 403
    assert client.get("/v1/ledger/entries/999999", headers=auth(keys["admin"])).status_code == 404

    cp = client.get("/v1/ledger/checkpoint")
    assert cp.status_code == 200 and cp.headers["content-type"].startswith("text/plain")
    vkey = client.get("/v1/ledger/key").text
    origin, size, root = rfc9162.open_checkpoint(cp.text, vkey)
    assert origin == "mamori.test/log" and size > index
    proof = client.get(f"/v1/ledger/proofs/inclusion?index={index}").json()  # size: the checkpoint's
    assert proof["tree_size"] == size
    hashes = [bytes.fromhex(h) for h in proof["inclusion"]]
    assert rfc9162.inclusion_ok(index, size, entry.content, hashes, root)

    screen = client.post("/v1/screen/prompt", json={"text": "a cat"}, headers=auth(keys["platform"]))
    assert screen.json()["receipt"]["ledger_index"] == size  # later entries extend the same tree
    _, size2, root2 = rfc9162.open_checkpoint(client.get("/v1/ledger/checkpoint").text, vkey)
    c = client.get(f"/v1/ledger/proofs/consistency?first={size}&second={size2}").json()
    assert rfc9162.consistency_ok(size, size2, root, root2, [bytes.fromhex(h) for h in c["consistency"]])


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("inclusion?index=-1&size=2", "out of range"),
        ("inclusion?index=abc&size=2", "whole number"),
        ("inclusion?index=0&size=99999999999999999999999999", "out of range"),
        ("inclusion?index=5&size=5", "not in a tree of size 5"),
        ("inclusion?index=0&size=999999", "larger than the log"),
        ("inclusion", "index"),
        ("consistency?first=3&second=2", "larger than second"),
        ("consistency?first=1&second=999999", "larger than the log"),
        ("consistency?first=1", "second"),
    ],
)
def test_malformed_proof_requests_get_4xx_with_a_reason(client: Any, query: str, reason: str) -> None:
    r = client.get(f"/v1/ledger/proofs/{query}")
    assert 400 <= r.status_code < 500 and reason in r.text, (r.status_code, r.text)
