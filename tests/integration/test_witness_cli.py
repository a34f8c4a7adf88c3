"""`mamori ledger rotate-key|retire-key|keys` and `mamori witness …` end to end: a rotation through the CLI, a witness
(`mamori witness serve`, its own process) that cosigns the log's checkpoints over HTTP, an audit export verified with a required witness cosignature, and the
offline `witness add-checkpoint` refusing a rollback."""

from __future__ import annotations

import base64
import json
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from mamori.cli.main import app
from mamori.testing import free_port
from tests.contract import c2sp_cosig, rfc9162

DATA = Path(__file__).resolve().parents[1] / "data" / "registry.yaml"
runner = CliRunner()


def run(env: dict[str, str], *args: str) -> tuple[int, str]:
    r = runner.invoke(app, list(args), env=env)
    return r.exit_code, r.output


def _wait_for(port: int) -> None:
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("the witness did not start")


def test_rotation_and_witnessing_through_the_cli(tmp_path: Path, sqlite_url: str) -> None:
    key = tmp_path / "log.key"
    vkey_old = run({}, "ledger", "init-key", "--name", "mamori.test/log", "--out", str(key))[1].splitlines()[
        0
    ]
    env = {"MAMORI_LEDGER_KEY_FILE": str(key)}
    assert run(env, "registry", "import", str(DATA), "--db", sqlite_url)[0] == 0
    cp_old = run(env, "ledger", "checkpoint", "--db", sqlite_url)[1]

    rotated = tmp_path / "rotated.key"
    code, out = run(env, "ledger", "rotate-key", "--out", str(rotated), "--db", sqlite_url)
    assert code == 0, out
    vkey_new = out.splitlines()[0]
    assert vkey_new.startswith("mamori.test/log+") and vkey_new != vkey_old
    # a key file is never overwritten
    assert run(env, "ledger", "rotate-key", "--out", str(rotated), "--db", sqlite_url)[0] == 2
    env = {"MAMORI_LEDGER_KEY_FILE": str(rotated)}
    assert run(env, "ledger", "retire-key", "--out", str(tmp_path / "x.key"), "--db", sqlite_url)[0] == 0
    env = {"MAMORI_LEDGER_KEY_FILE": str(tmp_path / "x.key")}
    code, out = run(env, "ledger", "retire-key", "--out", str(tmp_path / "y.key"), "--db", sqlite_url)
    assert code == 2 and "nothing to retire" in out
    history = json.loads(run(env, "ledger", "keys", "--db", sqlite_url)[1])
    assert [k["vkey"] for k in history["keys"]] == [vkey_old, vkey_new]
    assert history["keys"][0]["retired_at"] and history["keys"][1]["signing"]
    # the hand-over checkpoint is signed by both keys, although nothing was logged since the rotation
    assert set(history["keys"][0]["handover_signed_by"]) == {vkey_old, vkey_new}
    assert run(env, "ledger", "key", "--db", sqlite_url)[1].strip() == vkey_new
    (tmp_path / "old.cp").write_text(cp_old, encoding="utf-8")
    against = ["ledger", "verify", "--against", str(tmp_path / "old.cp"), "--db", sqlite_url]
    assert run(env, *against)[0] == 0  # the log's key history knows the retired key
    assert run(env, *against, "--vkey", vkey_old)[0] == 0
    code, out = run(env, *against, "--vkey", vkey_new)  # a verifier who trusts only the new key cannot use it
    assert code == 2 and "no signature" in out

    # an independent witness, trusting both log keys
    wkey = tmp_path / "witness.key"
    code, out = run({}, "witness", "init-key", "--name", "witness.test/w1", "--out", str(wkey))
    wvkey = out.strip()
    assert code == 0 and run({}, "witness", "key", "--key", str(wkey))[1].strip() == wvkey
    (tmp_path / "log.vkeys").write_text(f"{vkey_old}\n{vkey_new}\n", encoding="utf-8")
    port = free_port()
    proc = subprocess.Popen(  # a separate process, as a witness is someone else's machine
        [sys.executable, "-m", "mamori.cli.main", "witness", "serve", "--key", str(wkey), "--port", str(port),
         "--state", str(tmp_path / "wstate"), "--log", f"@{tmp_path / 'log.vkeys'}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_for(port)
        env["MAMORI_LEDGER_WITNESSES"] = f"{wvkey} http://127.0.0.1:{port}"
        run(env, "screen", "prompt", "Mirai Hoshino", "--db", sqlite_url)
        code, cp = run(env, "ledger", "checkpoint", "--db", sqlite_url)
        assert code == 0 and c2sp_cosig.open_cosignature(cp, wvkey) > 0
        assert rfc9162.open_checkpoint(cp, vkey_new)[1] > rfc9162.open_checkpoint(cp_old, vkey_old)[1]

        out_dir = tmp_path / "audit"
        today = datetime.now(UTC).date().isoformat()
        args = ["audit", "export", "--work", "star-courier", "--from", "2026-01-01", "--to", today]
        assert run(env, *args, "--out", str(out_dir), "--db", sqlite_url)[0] == 0
        code, spicy = run(env, "ledger", "prove", "1", "--tlog-proof", "--db", sqlite_url)
        assert code == 0, spicy
        entry = runner.invoke(app, ["ledger", "entry", "1", "--db", sqlite_url], env=env).stdout_bytes
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    # the C2SP tlog-proof, read here from the spec's text: header, index, base64 hashes, empty line, checkpoint
    head, _, note = spicy.partition("\n\n")
    header, index_line, *hash_lines = head.split("\n")
    assert header == "c2sp.org/tlog-proof@v1" and index_line == "index 1"
    _, size, root = rfc9162.open_checkpoint(note, vkey_new)
    hashes = [base64.b64decode(h) for h in hash_lines]
    assert rfc9162.inclusion_ok(1, size, entry, hashes, root) and c2sp_cosig.open_cosignature(note, wvkey) > 0
    (tmp_path / "p.tlog-proof").write_text(spicy, encoding="utf-8")
    (tmp_path / "entry1").write_bytes(entry)
    check = ["ledger", "verify-proof", "--vkey", vkey_new, "--tlog-proof", str(tmp_path / "p.tlog-proof")]
    code, out = run(
        {}, *check, "--entry", str(tmp_path / "entry1"), "--witness", wvkey, "--min-witnesses", "1"
    )
    assert code == 0 and json.loads(out)["cosigned_by"] == [wvkey], out
    (tmp_path / "entry1").write_bytes(entry + b" ")
    assert run({}, *check, "--entry", str(tmp_path / "entry1"))[0] == 1
    assert c2sp_cosig.open_cosignature((out_dir / "checkpoint.txt").read_text(), wvkey) > 0
    keys = ["--vkey", vkey_old, "--vkey", vkey_new]
    code, out = run({}, "audit", "verify", str(out_dir), *keys, "--witness", wvkey, "--min-witnesses", "1")
    assert code == 0 and "export ok" in out, out
    code, out = run({}, "audit", "verify", str(out_dir), *keys, "--witness", wvkey, "--min-witnesses", "2")
    assert code == 1

    # the offline witness command: the state folder is where the HTTP witness left it
    request = tmp_path / "req"
    request.write_text("old 0\n\n" + cp, encoding="utf-8")
    code, out = run({}, "witness", "add-checkpoint", str(request), "--key", str(wkey),
                    "--state", str(tmp_path / "wstate"), "--log", vkey_new)  # fmt: skip
    assert code == 1 and "refused (409)" in out
    size = rfc9162.open_checkpoint(cp, vkey_new)[1]
    request.write_text(f"old {size}\n\n" + cp, encoding="utf-8")
    code, out = run({}, "witness", "add-checkpoint", str(request), "--key", str(wkey),
                    "--state", str(tmp_path / "wstate"), "--log", vkey_new)  # fmt: skip
    assert code == 0 and c2sp_cosig.open_cosignature(cp.split("\u2014")[0] + out, wvkey) > 0
