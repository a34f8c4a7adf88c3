"""The CLI end to end on SQLite: import, screen prompts (good and bad lines), explain, export, ledger."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mamori.cli.main import app

DATA = Path(__file__).resolve().parent.parent / "data" / "registry.yaml"
runner = CliRunner()


@pytest.fixture
def db(sqlite_url: str) -> str:
    result = runner.invoke(app, ["registry", "import", str(DATA), "--db", sqlite_url])
    assert result.exit_code == 0, result.output
    return sqlite_url


def test_validate_reports_paths(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(DATA.read_text().replace("territories: [JP, US]", "territories: [JP, ZZ]"))
    result = runner.invoke(app, ["registry", "validate", str(bad)])
    assert result.exit_code == 2
    assert "characters[0].policy.territories[1]" in result.output
    assert runner.invoke(app, ["registry", "validate", str(DATA)]).exit_code == 0


def test_failed_import_changes_nothing(tmp_path: Path, sqlite_url: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(DATA.read_text().replace("work: iron-kappa", "work: no-such-work"))
    assert runner.invoke(app, ["registry", "import", str(bad), "--db", sqlite_url]).exit_code == 2
    out = runner.invoke(app, ["registry", "export", "--db", sqlite_url, "--format", "json"])
    assert json.loads(out.output)["characters"] == []


def test_export_round_trips(db: str, tmp_path: Path) -> None:
    out = tmp_path / "export.yaml"
    assert runner.invoke(app, ["registry", "export", "--db", db, "--out", str(out)]).exit_code == 0
    again = runner.invoke(app, ["registry", "import", str(out), "--db", db])
    assert again.exit_code == 0 and "0 new, 0 updated, 3 unchanged" in again.output


def test_screen_prompts_one_line_per_input_in_order(db: str, tmp_path: Path) -> None:
    lines = [
        json.dumps(
            {"id": "a", "text": "Mirai Hoshino delivering mail", "platform": "acme-video", "territory": "JP"}
        ),
        "{not json",
        json.dumps({"id": "b", "text": "a quiet lake at dawn"}),
        json.dumps({"id": "c"}),
        json.dumps(["a", "list"]),
        json.dumps({"id": "d", "text": "x" * 1_100_000}),
        json.dumps({"id": "e", "text": "黒田トビオが走る"}, ensure_ascii=False),
        json.dumps({"id": "f", "text": "ctrl \x00\x07\x1b[31m chars Kappa-X"}),
        json.dumps({"id": "g", "text": "bad territory", "territory": "Japan"}),
    ]
    raw = ("\n".join(lines) + "\n").encode() + b'{"id": "h", "text": "\xff\xfe"}\n'
    src = tmp_path / "in.jsonl"
    src.write_bytes(raw)
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["screen", "prompts", str(src), "--out", str(out), "--db", db])
    assert result.exit_code == 0, result.output
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(rows) == 10
    assert [r.get("id") for r in rows] == ["a", None, "b", "c", None, "d", "e", "f", "g", None]
    assert rows[0]["verdict"] == "licensed" and rows[0]["matches"][0]["character"] == "mirai"
    assert rows[0]["obligations"]["fees"][0] == {"character": "mirai", "amount": "0.05", "currency": "USD"}
    assert "not JSON" in rows[1]["error"] and rows[1]["verdict"] == "block"
    assert rows[2]["verdict"] == "allow" and rows[2]["matches"] == []
    assert "'text'" in rows[3]["error"]
    assert "characters" in rows[5]["error"]
    assert rows[6]["verdict"] == "block" and rows[6]["matches"][0]["character"] == "tobio"
    assert rows[7]["verdict"] == "licensed" and rows[7]["matches"][0]["character"] == "kappa-x"
    assert "territory" in rows[8]["error"]
    assert "UTF-8" in rows[9]["error"]
    verify = runner.invoke(app, ["ledger", "verify", "--db", db, "--json"])
    assert verify.exit_code == 0
    assert json.loads(verify.output)["ok"] is True


def test_screen_prompt_explains(db: str) -> None:
    result = runner.invoke(app, ["screen", "prompt", "T0b10 Kur0da on a roof", "--db", db, "--no-record"])
    assert result.exit_code == 0
    assert "BLOCK" in result.output and "tobio" in result.output and "not opted in" in result.output
    result = runner.invoke(
        app,
        [
            "screen",
            "prompt",
            "Mirai Hoshino",
            "--db",
            db,
            "--json",
            "--territory",
            "FR",
            "--platform",
            "acme-video",
        ],
    )
    d = json.loads(result.output)
    assert d["verdict"] == "block" and any("FR" in r for r in d["reasons"])


def test_missing_input_file_is_an_error(db: str, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["screen", "prompts", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path / "o"), "--db", db]
    )
    assert result.exit_code != 0 and "no such file" in result.output
