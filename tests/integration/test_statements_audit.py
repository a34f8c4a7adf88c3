"""Statements and audit exports from the ledger, through the CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mamori.cli.main import app
from mamori.ops import generations
from mamori.ops.keys import Principal
from mamori.ops.screening import screen_prompt
from mamori.service import Mamori
from tests.unit.api.test_api import SEEN_MIRAI, SEEN_TOBIO, fake_gate

DATA = Path(__file__).resolve().parents[1] / "data" / "registry.yaml"
ACME = Principal("t", "platform", platform="acme-video")


@pytest.fixture
def busy(db_url: str) -> Iterator[tuple[str, Mamori]]:
    """Three settled generations of mirai (two in USD with a price, one without), one blocked output, two blocked
    prompts, one tracked kappa-x generation."""
    svc = Mamori.open(db_url, registry_refresh_seconds=0.0)
    svc.import_registry(DATA)
    fake_gate(svc)
    for price in ({"amount": "2.00", "currency": "USD"}, {"amount": "1.10", "currency": "USD"}, None):
        g = generations.open_generation(svc, "Mirai Hoshino delivering mail", ACME, "JP", price)
        generations.submit_output(svc, g["generation_id"], SEEN_MIRAI, "o.png", ACME)
    g = generations.open_generation(svc, "a quiet harbour", ACME, "JP")
    assert (
        generations.submit_output(svc, g["generation_id"], SEEN_TOBIO, "o.png", ACME)["status"] == "blocked"
    )
    screen_prompt(svc, "Tobio Kuroda", "JP", ACME)
    screen_prompt(svc, "Mirai Hoshino", "FR", ACME)  # not licensed in FR
    screen_prompt(svc, "星野ミライ", "JP", ACME)
    g = generations.open_generation(svc, "Kappa-X swimming", ACME, "US")
    generations.submit_output(svc, g["generation_id"], b"\x89PNG\r\n\x1a\nCHAR:kappa-x", "o.png", ACME)
    yield db_url, svc
    svc.close()


def run(*args: str) -> tuple[int, str]:
    r = CliRunner().invoke(app, list(args))
    return r.exit_code, r.output


def test_statement_json_and_csv(busy: tuple[str, Mamori]) -> None:
    url, _svc = busy
    period = datetime.now(UTC).strftime("%Y-%m")
    code, out = run("statements", "--rightsholder", "hoshi-studio", "--period", period, "--db", url)
    assert code == 0, out
    st = json.loads(out)
    by = {c["character"]: c for c in st["characters"]}
    assert by["mirai"]["licensed_generations"] == 3
    assert by["mirai"]["fees"] == {"USD": "0.15"}
    assert by["mirai"]["revenue_share"] == {"USD": "0.930"}  # (2.00 + 1.10) × 0.3
    assert by["mirai"]["revenue_share_unpriced"] == 1
    assert by["mirai"]["blocked_attempts"] == 1  # the FR prompt
    assert by["tobio"]["blocked_attempts"] == 2  # the prompt and the blocked output
    assert "kappa-x" not in by  # another rightsholder's character
    code, out = run(
        "statements", "--rightsholder", "kaze-games", "--period", period, "--format", "csv", "--db", url
    )
    assert code == 0 and "kappa-x" in out and "kappa-x,iron-kappa,0,1,0," in out
    code, _ = run("statements", "--rightsholder", "hoshi-studio", "--period", "2026-13", "--db", url)
    assert code == 2
    code, out = run("statements", "--rightsholder", "hoshi-studio", "--period", "2020-01", "--db", url)
    assert json.loads(out)["characters"] == []


def test_audit_export_verifies_and_detects_tampering(busy: tuple[str, Mamori], tmp_path: Path) -> None:
    url, svc = busy
    today = datetime.now(UTC).date().isoformat()
    out = tmp_path / "audit"
    code, text = run(
        "audit",
        "export",
        "--work",
        "star-courier",
        "--from",
        "2026-01-01",
        "--to",
        today,
        "--out",
        str(out),
        "--db",
        url,
    )
    assert code == 0, text
    decisions = [json.loads(line) for line in (out / "decisions.jsonl").read_text().splitlines()]
    assert decisions and all(any(m["work"] == "star-courier" for m in d["matches"]) for d in decisions)
    licensed = next(d for d in decisions if d["verdict"] == "licensed")
    assert licensed["policies_in_force"]["mirai"]["version"] == 1
    assert licensed["policies_in_force"]["mirai"]["policy"]["generation"] == "license"
    summary = json.loads((out / "summary.json").read_text())
    assert summary["by_verdict"]["block"] >= 3 and summary["by_language"]["ja"] == 1
    assert set(json.loads((out / "manifest.json").read_text())["files"]) == {
        "decisions.jsonl",
        "ledger_rows.jsonl",
        "chain.jsonl",
        "policies.json",
        "summary.json",
    }
    code, text = run("audit", "verify", str(out))
    assert code == 0 and "export ok" in text, text

    # edit one decision (and re-hash the manifest so only the ledger proof can catch it)
    import hashlib

    lines = (out / "decisions.jsonl").read_text().splitlines()
    first = json.loads(lines[0])
    first["verdict"] = "allow" if first["verdict"] != "allow" else "block"
    lines[0] = json.dumps(first, ensure_ascii=False, sort_keys=True)
    (out / "decisions.jsonl").write_text("\n".join(lines) + "\n")
    code, text = run("audit", "verify", str(out))
    assert code == 1 and "sha256 differs" in text
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["files"]["decisions.jsonl"]["sha256"] = hashlib.sha256(
        (out / "decisions.jsonl").read_bytes()
    ).hexdigest()
    (out / "manifest.json").write_text(json.dumps(manifest))
    code, text = run("audit", "verify", str(out))
    assert code == 1 and "differs from its ledger row" in text

    code, _ = run(
        "audit",
        "export",
        "--work",
        "no-such-work",
        "--from",
        "2026-01-01",
        "--to",
        today,
        "--out",
        str(tmp_path / "x"),
        "--db",
        url,
    )
    assert code == 2


def test_keys_and_review_cli(busy: tuple[str, Mamori]) -> None:
    url, svc = busy
    code, out = run("keys", "create", "--role", "rightsholder", "--rightsholder", "hoshi-studio", "--db", url)
    assert code == 0
    secret = out.strip().splitlines()[-1]
    assert secret.startswith("mk_")
    code, out = run("keys", "list", "--db", url)
    assert "rightsholder\thoshi-studio\tactive" in out and secret not in out
    key_id = out.split("\t")[0]
    assert run("keys", "revoke", key_id, "--db", url)[0] == 0
    assert "revoked" in run("keys", "list", "--db", url)[1]
    assert run("keys", "create", "--role", "platform", "--db", url)[0] == 2
    screen_prompt(svc, "eyepatch with a star and a crow-feather cloak", None, ACME)
    code, out = run("review", "list", "--db", url)
    rid = out.split("\t")[0]
    assert code == 0 and "tobio" in out
    code, out = run("review", "resolve", rid, "--action", "uphold", "--db", url)
    assert code == 0 and "upheld" in out
