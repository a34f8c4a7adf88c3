"""Write-ahead decisions: a batch line is yielded (and so written) only once its ledger entry is stored; error
lines are recorded error decisions; one line's failure never ends the run; a ledger that fails stops the run
before any unrecorded line is written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner

from mamori.batch import screen_lines
from mamori.cli.main import app
from mamori.service import Mamori
from mamori.storage.ledger_store import LedgerStore

runner = CliRunner()
PROMPTS = [
    "Mirai Hoshino delivering mail",
    "a quiet lake",
    "黒田トビオが走る",
    "Kappa-X on a roof",
    "a red kite",
]
BAD = [b"{not json", b"\xff\xfe", b'{"id": 3}', b'{"id": "t", "text": "x", "territory": "Japan"}']


def lines() -> list[bytes]:
    good = [
        json.dumps({"id": f"p{i}", "text": t}, ensure_ascii=False).encode() for i, t in enumerate(PROMPTS)
    ]
    return [good[0], BAD[0], good[1], good[2], BAD[1], good[3], BAD[2], good[4], BAD[3]]


def test_no_line_is_yielded_before_its_decision_is_recorded(svc: Mamori, monkeypatch: Any) -> None:
    recorded: list[Any] = []
    real = svc.ledger.append_many

    def spy(events: Any) -> Any:
        out = real(events)
        recorded.extend(e[1].get("line") or e[1]["request_id"] for e in events)
        return out

    monkeypatch.setattr(svc.ledger, "append_many", spy)
    seen = []
    for row in screen_lines(svc, lines(), batch=2):
        seen.append(row)
        assert len(recorded) >= len(seen), "a line left before its ledger entry"
    assert len(seen) == len(recorded) == 9
    assert [r.get("id") for r in seen] == ["p0", None, "p1", "p2", None, "p3", None, "p4", "t"]
    errors = [
        r.event["data"] for r in svc.ledger.rows(kinds=["decision.prompt"]) if "error" in r.event["data"]
    ]
    assert [e["line"] for e in errors] == [2, 5, 7, 9]
    assert all(e["decision"]["verdict"] == "block" for e in errors) and svc.ledger.verify().ok


def test_one_line_failing_inside_screening_is_that_lines_error_decision(
    svc: Mamori, monkeypatch: Any
) -> None:
    real = svc.decide_prompt

    def flaky(text: str, ctx: Any) -> Any:
        if "lake" in text:
            raise RuntimeError("matcher bug")
        return real(text, ctx)

    monkeypatch.setattr(svc, "decide_prompt", flaky)
    rows = list(screen_lines(svc, lines()))
    assert len(rows) == 9
    assert rows[2]["verdict"] == "block" and "internal error" in rows[2]["error"]
    assert svc.ledger.count("decision.prompt") == 9


def test_a_failing_ledger_stops_the_run_with_only_recorded_lines_written(
    svc: Mamori, tmp_path: Path, monkeypatch: Any
) -> None:
    calls = {"n": 0}
    real = LedgerStore._append_committed  # what every append (plain or group-committed) writes through

    def failing(self: LedgerStore, events: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OperationalError("INSERT", {}, Exception("disk I/O error"))
        return real(self, events)

    monkeypatch.setattr(LedgerStore, "_append_committed", failing)
    monkeypatch.setattr("mamori.batch.RECORD_BATCH", 3)
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"\n".join(lines()) + b"\n")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(
        app, ["screen", "prompts", str(src), "--out", str(out), "--db", str(svc.engine.url)]
    )
    assert result.exit_code == 2 and "holds the first 3 line(s)" in result.output
    written = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(written) == 3 == svc.ledger.count("decision.prompt")


@pytest.mark.parametrize("record", [True, False])
def test_no_record_yields_each_line_at_once(svc: Mamori, record: bool) -> None:
    it = screen_lines(svc, iter(lines()), record=record, batch=100)
    first = next(it)
    assert first["id"] == "p0"
    assert svc.ledger.count("decision.prompt") == (9 if record else 0)
