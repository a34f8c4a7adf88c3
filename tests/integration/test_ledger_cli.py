"""`mamori ledger …` end to end: a key is made, checkpoints signed, entries proven and checked offline with only the
vkey; an audit export is verified without the database; an old hash-chain-only database migrates to a tree."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import text
from typer.testing import CliRunner

from mamori.cli.main import app
from mamori.ops.keys import Principal
from mamori.ops.screening import screen_prompt
from mamori.service import Mamori
from mamori.storage.db import alembic_config, make_engine
from tests.contract import rfc9162

DATA = Path(__file__).resolve().parents[1] / "data" / "registry.yaml"
runner = CliRunner()


def run(env: dict[str, str], *args: str) -> tuple[int, str]:
    r = runner.invoke(app, list(args), env=env)
    return r.exit_code, r.output


def test_ledger_cli_end_to_end(tmp_path: Path, sqlite_url: str) -> None:
    key = tmp_path / "log.key"
    code, out = run({}, "ledger", "init-key", "--name", "mamori.test/log", "--out", str(key))
    assert code == 0 and key.stat().st_mode & 0o077 == 0
    vkey = out.strip().splitlines()[0]
    assert vkey.startswith("mamori.test/log+")
    assert run({}, "ledger", "init-key", "--name", "x", "--out", str(key))[0] == 2  # never overwritten
    env = {"MAMORI_LEDGER_KEY_FILE": str(key)}
    code, out = run({}, "ledger", "key", "--db", sqlite_url)
    assert code == 2 and "no ledger signing key" in out
    code, out = run({"MAMORI_LEDGER_KEY_FILE": str(tmp_path / "nope")}, "ledger", "key", "--db", sqlite_url)
    assert code == 2 and "cannot read the ledger signing key" in out

    assert run(env, "registry", "import", str(DATA), "--db", sqlite_url)[0] == 0
    assert run(env, "ledger", "key", "--db", sqlite_url)[1].strip() == vkey
    code, cp1 = run(env, "ledger", "checkpoint", "--db", sqlite_url)
    assert code == 0
    (tmp_path / "cp1").write_text(cp1, encoding="utf-8")
    size1 = rfc9162.open_checkpoint(cp1, vkey)[1]

    svc = Mamori.open(sqlite_url, ledger_key_file=str(key))
    for i in range(6):
        screen_prompt(svc, f"Mirai Hoshino #{i}", "JP", Principal("p", "platform", platform="acme"))
    svc.close()
    cp2 = run(env, "ledger", "checkpoint", "--db", sqlite_url)[1]
    (tmp_path / "cp2").write_text(cp2, encoding="utf-8")
    size2 = rfc9162.open_checkpoint(cp2, vkey)[1]
    assert size2 == size1 + 6

    entry = runner.invoke(app, ["ledger", "entry", str(size1 + 2), "--db", sqlite_url], env=env).stdout_bytes
    (tmp_path / "entry").write_bytes(entry)
    assert json.loads(entry)["kind"] == "decision.prompt"
    code, proof = run(env, "ledger", "prove", str(size1 + 2), "--db", sqlite_url)
    assert json.loads(proof)["tree_size"] == size2
    (tmp_path / "proof.json").write_text(proof, encoding="utf-8")
    code, cons = run(env, "ledger", "consistency", str(size1), str(size2), "--db", sqlite_url)
    (tmp_path / "cons.json").write_text(cons, encoding="utf-8")
    (tmp_path / "vkey").write_text(vkey + "\n", encoding="utf-8")

    # offline: no database, only the vkey
    check = [
        "ledger",
        "verify-proof",
        "--vkey",
        f"@{tmp_path / 'vkey'}",
        "--checkpoint",
        str(tmp_path / "cp2"),
    ]
    code, out = run({}, *check, "--proof", str(tmp_path / "proof.json"), "--entry", str(tmp_path / "entry"))
    assert code == 0 and json.loads(out)["leaf_index"] == size1 + 2, out
    code, out = run(
        {}, *check, "--consistency", str(tmp_path / "cons.json"), "--older", str(tmp_path / "cp1")
    )
    assert code == 0 and json.loads(out)["extends"] == size1, out
    (tmp_path / "entry").write_bytes(entry.replace(b'"JP"', b'"FR"'))
    code, out = run({}, *check, "--proof", str(tmp_path / "proof.json"), "--entry", str(tmp_path / "entry"))
    assert code == 1 and "does NOT verify" in out
    (tmp_path / "cp2").write_text(cp2.replace(f"\n{size2}\n", f"\n{size2 + 1}\n"), encoding="utf-8")
    code, out = run(
        {}, *check, "--consistency", str(tmp_path / "cons.json"), "--older", str(tmp_path / "cp1")
    )
    assert code == 1 and "does not verify" in out

    assert run(env, "ledger", "verify", "--db", sqlite_url, "--against", str(tmp_path / "cp1"))[0] == 0
    code, out = run(env, "ledger", "prove", "999", "--db", sqlite_url)
    assert code == 2 and "is not in a tree of size" in out

    # an audit export carries the checkpoint and proofs: verified with no database at all
    today = datetime.now(UTC).date().isoformat()
    out_dir = tmp_path / "audit"
    args = ["audit", "export", "--work", "star-courier", "--from", "2026-01-01", "--to", today]
    assert run(env, *args, "--out", str(out_dir), "--db", sqlite_url)[0] == 0
    decisions = [json.loads(x) for x in (out_dir / "decisions.jsonl").read_text().splitlines()]
    assert decisions and all(d["prompt"].startswith("Mirai Hoshino #") for d in decisions)
    Path(sqlite_url.removeprefix("sqlite:///")).rename(tmp_path / "gone.db")
    code, out = run({}, "audit", "verify", str(out_dir), "--vkey", f"@{tmp_path / 'vkey'}")
    assert code == 0 and "signed checkpoint" in out, out
    # a forged proof, with the manifest re-hashed so only the tree can catch it
    lines = (out_dir / "proofs.jsonl").read_text().splitlines()
    p = json.loads(lines[0])
    p["inclusion"][0] = "00" * 32
    lines[0] = json.dumps(p)
    (out_dir / "proofs.jsonl").write_text("\n".join(lines) + "\n")
    manifest = json.loads((out_dir / "manifest.json").read_text())
    manifest["files"]["proofs.jsonl"]["sha256"] = hashlib.sha256(
        (out_dir / "proofs.jsonl").read_bytes()
    ).hexdigest()
    (out_dir / "manifest.json").write_text(json.dumps(manifest))
    code, out = run({}, "audit", "verify", str(out_dir), "--vkey", f"@{tmp_path / 'vkey'}")
    assert code == 1 and "not in the signed checkpoint" in out


def test_a_hash_chain_only_ledger_migrates_to_a_tree(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    payloads, prev = [], "0" * 64
    with engine.begin() as conn:
        for i in range(11):
            payload = json.dumps(
                {"data": {"i": i}, "kind": "old", "ts": "2026-11-01T00:00:00+00:00"}, separators=(",", ":")
            )
            h = hashlib.sha256((prev + payload).encode()).hexdigest()
            conn.execute(
                text(
                    "INSERT INTO ledger (ts, kind, payload, prev_hash, hash) VALUES (:ts, 'old', :p, :prev, :h)"
                ),
                {"ts": datetime.now(UTC), "p": payload, "prev": prev, "h": h},
            )
            payloads.append(payload.encode())
            prev = h
    engine.dispose()
    svc = Mamori.open(url)  # migrates to head: leaf indexes and nodes backfilled
    try:
        assert svc.ledger.size() == 11 and svc.ledger.root() == rfc9162.mth(payloads)
        svc.ledger.append("new", {})
        result = svc.ledger.verify()
        assert result.ok and result.size == 12
    finally:
        svc.close()
