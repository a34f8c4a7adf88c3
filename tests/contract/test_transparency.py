"""The transparency log on both databases, checked by the independent verifier in `rfc9162.py`: roots, inclusion
and consistency proofs, signed checkpoints, a rewritten history detected against a witnessed checkpoint, and
prompts that enter the ledger only as commitments and can be erased without breaking a proof."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update
from typer.testing import CliRunner

from mamori.cli.main import app
from mamori.ledger.note import Signer
from mamori.ops import OpsError, transparency
from mamori.ops.keys import Principal
from mamori.ops.prompts import erase
from mamori.ops.screening import screen_prompt
from mamori.ops.transparency import LedgerKeyError
from mamori.service import Mamori
from mamori.storage import schema as t
from tests.contract import rfc9162

KEY = Signer.generate("mamori.test/log")
runner = CliRunner()


@pytest.fixture
def svc(db_url: str, tmp_path: Path) -> Iterator[Mamori]:
    s = Mamori.open(
        db_url,
        ledger_key=KEY.skey,
        ledger_checkpoint_seconds=0.0,
        ledger_witness_dir=str(tmp_path / "witness"),
        registry_refresh_seconds=0.0,
    )
    yield s
    s.close()


def _fill(svc: Mamori, n: int) -> None:
    batch: list[tuple[str, dict[str, object]]] = []
    for i in range(n):
        batch.append(("test.event", {"i": i, "text": "星" * (i % 4)}))
        if len(batch) == 1 + i % 3:  # batches of 1, 2 and 3 entries
            svc.ledger.append_many(batch)
            batch = []
    svc.ledger.append_many(batch)


def _entries(svc: Mamori) -> list[bytes]:
    return [svc.ledger.entry(i).encode("utf-8") for i in range(svc.ledger.size())]


def test_tree_checkpoints_and_proofs_pass_an_independent_verifier(svc: Mamori) -> None:
    _fill(svc, 37)
    vkey = svc.ledger_signer.verifier.vkey  # type: ignore[union-attr]
    origin, size, root = rfc9162.open_checkpoint(svc.transparency.cut(), vkey)
    entries = _entries(svc)
    assert origin == "mamori.test/log" and size == 37 and root == rfc9162.mth(entries)
    for i in range(size):
        got = transparency.inclusion(svc, i, size)
        hashes = [bytes.fromhex(h) for h in got["inclusion"]]
        assert hashes == rfc9162.path(i, entries)
        assert rfc9162.inclusion_ok(i, size, entries[i], hashes, root)
        assert not rfc9162.inclusion_ok(i, size, entries[i] + b" ", hashes, root)
    for m in range(1, size + 1):
        for n in (m, min(m + 1, size), size):
            got = transparency.consistency(svc, m, n)
            hashes = [bytes.fromhex(h) for h in got["consistency"]]
            assert hashes == rfc9162.proof(m, entries[:n])
            assert rfc9162.consistency_ok(m, n, rfc9162.mth(entries[:m]), rfc9162.mth(entries[:n]), hashes)
    # checkpoints were also cut automatically after commits (interval 0 here), each over committed entries only
    for note in svc.checkpoints.notes():
        _, n, r = rfc9162.open_checkpoint(note, vkey)
        assert r == rfc9162.mth(entries[:n])
    assert svc.ledger.verify(svc.checkpoints.roots()).ok


def test_rewritten_history_is_detected_against_a_witnessed_checkpoint(svc: Mamori, tmp_path: Path) -> None:
    _fill(svc, 20)
    svc.transparency.cut()
    witnessed = (tmp_path / "witness" / "checkpoint").read_text(encoding="utf-8")
    assert rfc9162.open_checkpoint(witnessed, KEY.verifier.vkey)[1] == 20
    _fill(svc, 5)
    assert transparency.verify_against(svc, witnessed)["ok"]

    # The operator rewrites entry 3, recomputes every chain hash and every tree node, and re-signs its own
    # checkpoints with its own key: the database alone now looks perfectly consistent.
    with svc.engine.begin() as conn:
        rows = conn.execute(select(t.ledger).order_by(t.ledger.c.seq)).all()
        prev, leaves = "0" * 64, []
        for r in rows:
            payload = r.payload.replace('"i":3,', '"i":333,') if r.idx == 3 else r.payload
            h = hashlib.sha256((prev + payload).encode()).hexdigest()
            conn.execute(
                update(t.ledger)
                .where(t.ledger.c.seq == r.seq)
                .values(payload=payload, hash=h, prev_hash=prev)
            )
            prev = h
            leaves.append(payload.encode())
        conn.execute(delete(t.ledger_nodes))
        nodes = []
        for level in range(0, 6):
            width = 1 << level
            for j in range(len(leaves) // width):
                nodes.append(
                    {"level": level, "idx": j, "hash": rfc9162.mth(leaves[j * width : (j + 1) * width])}
                )
        conn.execute(t.ledger_nodes.insert(), nodes)
        conn.execute(delete(t.ledger_checkpoints))
    svc.transparency.cut()
    assert svc.ledger.verify(svc.checkpoints.roots()).ok  # undetectable from inside
    result = transparency.verify_against(svc, witnessed)
    assert not result["ok"] and "does not extend the checkpoint of size 20" in result["reason"]
    # the same through the CLI a witness or auditor would run
    cp_file = tmp_path / "seen.checkpoint"
    cp_file.write_text(witnessed, encoding="utf-8")
    out = runner.invoke(
        app, ["ledger", "verify", "--db", str(svc.engine.url), "--against", str(cp_file)], env=_key_env()
    )
    assert out.exit_code == 1 and "does not extend" in out.output


def _key_env() -> dict[str, str]:
    return {"MAMORI_LEDGER_KEY": KEY.skey}


def test_malformed_proof_requests_get_a_reason(svc: Mamori) -> None:
    _fill(svc, 5)
    for args, words in [
        ((5, 5), "not in a tree of size 5"),
        ((-1, 5), "out of range"),
        ((0, 10**30), "out of range"),
        ((0, 6), "larger than the log"),
        (("x", 5), "whole number"),
    ]:
        with pytest.raises(OpsError, match=words) as exc:
            transparency.inclusion(svc, *args)
        assert exc.value.status == 422
    with pytest.raises(OpsError, match="larger than second"):
        transparency.consistency(svc, 4, 2)
    with pytest.raises(OpsError, match="larger than the log"):
        transparency.consistency(svc, 2, 9)


def test_signing_key_errors_stop_start_up(db_url: str, tmp_path: Path) -> None:
    with pytest.raises(LedgerKeyError, match="cannot read"):
        Mamori.open(db_url, ledger_key_file=str(tmp_path / "missing.key"))
    bad = tmp_path / "bad.key"
    bad.write_text("PRIVATE+KEY+x+00000000+AAAA\n", encoding="utf-8")
    with pytest.raises(LedgerKeyError, match="not usable"):
        Mamori.open(db_url, ledger_key_file=str(bad))
    s = Mamori.open(db_url, ledger_key=KEY.skey)
    s.ledger.append("e", {})
    s.transparency.cut()
    s.close()
    with pytest.raises(LedgerKeyError, match="did not sign this log's checkpoints"):
        Mamori.open(db_url, ledger_key=Signer.generate("mamori.test/log").skey)


def test_prompts_enter_the_ledger_only_as_commitments_and_erase_cleanly(svc: Mamori, db_url: str) -> None:
    acme = Principal("p", "platform", platform="acme")
    secret = "a watercolour of my neighbour Keiko Tanabe-4711 at the station"
    kept = "a harbour at dawn, quiet, no people 8812"
    out = screen_prompt(svc, secret, "JP", acme, user="user-42")
    screen_prompt(svc, kept, "JP", acme, user="user-7")
    index = out["receipt"]["ledger_index"]
    entry = json.loads(svc.ledger.entry(index))
    assert secret not in svc.ledger.entry(index) and "prompt" not in entry["data"]
    assert len(entry["data"]["prompt_commitment"]) == 64
    assert all(secret not in r.payload for r in svc.ledger.rows())
    note = svc.transparency.cut()
    size = svc.ledger.size()
    before = transparency.inclusion(svc, index, size)

    assert erase(svc, user="user-42") == {"erased": 1, "held": 0}
    assert svc.prompts.get(entry["data"]["prompt_commitment"]) is None
    # nothing in the tree moved: the same proof still checks against the same signed checkpoint
    assert transparency.inclusion(svc, index, size) == before
    _, n, root = rfc9162.open_checkpoint(note, KEY.verifier.vkey)
    proof = [bytes.fromhex(h) for h in before["inclusion"]]
    assert rfc9162.inclusion_ok(index, n, svc.ledger.entry(index).encode(), proof, root)
    assert svc.ledger.verify(svc.checkpoints.roots()).ok
    if db_url.startswith("sqlite"):
        path = Path(db_url.removeprefix("sqlite:///"))
        svc.engine.dispose()
        files = [p for p in path.parent.iterdir() if p.name.startswith(path.name)]
        raw = b"".join(p.read_bytes() for p in files)
        assert secret.encode() not in raw and b"Keiko" not in raw
        assert kept.encode() in raw  # not everything was wiped: the other user's text is still retained
    with pytest.raises(OpsError, match="say what to erase"):
        erase(svc)
