"""Batch screening hands every output line its ledger receipt, so a platform can later ask for that line's
inclusion proof; the receipt names the entry that recorded exactly that line."""

from __future__ import annotations

import json

from mamori.batch import screen_lines
from mamori.ledger import merkle
from mamori.service import Mamori


def test_every_batch_line_carries_the_receipt_of_its_own_entry(svc: Mamori) -> None:
    lines = [
        json.dumps({"id": "a", "text": "Mirai Hoshino at the beach"}).encode(),
        b"not json",
        json.dumps({"id": "c", "text": "a quiet lake at dawn"}).encode(),
    ]
    out = list(screen_lines(svc, lines, batch=2))
    assert len(out) == 3 and all("receipt" in line for line in out)
    indexes = [line["receipt"]["ledger_index"] for line in out]
    assert len(set(indexes)) == 3
    for line, index in zip(out, indexes, strict=True):
        entry = json.loads(svc.ledger.entry(index))
        assert entry["kind"] == "decision.prompt"
        assert entry["data"]["decision"]["verdict"] == line["verdict"]
        assert line["receipt"]["leaf_hash"] == merkle.leaf_hash(svc.ledger.entry(index).encode()).hex()
    assert json.loads(svc.ledger.entry(indexes[1]))["data"].get("line") == 2


def test_unrecorded_lines_carry_no_receipt(svc: Mamori) -> None:
    out = list(screen_lines(svc, [json.dumps({"id": "a", "text": "x"}).encode()], record=False))
    assert "receipt" not in out[0]
