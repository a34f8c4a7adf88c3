"""Key rotation and witness cosignatures on both databases: old checkpoints keep verifying with the old vkey, the
hand-over checkpoint is signed by both keys, the key history is published; a real witness over HTTP cosigns the
log's checkpoints (bytes checked by the independent verifier in `c2sp_cosig.py`), verifiers can require N
cosignatures, and a forked log gets none."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mamori.api.app import create_app
from mamori.cli.main import app
from mamori.cli.witness import make_server
from mamori.ledger.cosignature import Cosigner
from mamori.ledger.note import NoteError, Signer
from mamori.ops import transparency
from mamori.ops.ledger_keys import history, retire_key, rotate_key
from mamori.ops.offline_verify import verify_offline
from mamori.ops.witness import Witness
from mamori.service import Mamori
from tests.contract import c2sp_cosig, rfc9162
from tests.unit.api.conftest import make_client

OLD = Signer.generate("mamori.test/log")
W1 = Cosigner.generate("witness.test/w1")
W2 = Cosigner.generate("witness.test/w2")
runner = CliRunner()


def _fill(svc: Mamori, n: int) -> None:
    svc.ledger.append_many([("test.event", {"i": i}) for i in range(n)])


def _open(db_url: str, **kw: object) -> Mamori:
    return Mamori.open(db_url, registry_refresh_seconds=0.0, ledger_checkpoint_seconds=3600.0, **kw)


def test_key_rotation_keeps_old_checkpoints_verifiable(db_url: str, tmp_path: Path) -> None:
    svc = _open(db_url, ledger_key=OLD.skey)
    _fill(svc, 5)
    cp5 = svc.transparency.cut()
    rotated = tmp_path / "rotated.key"
    new = rotate_key(svc, rotated)
    svc.close()
    assert new.name == OLD.name and new.verifier.vkey != OLD.verifier.vkey
    assert rotated.stat().st_mode & 0o077 == 0

    # the new key has not signed yet: accepted because rotate-key recorded it in the key history
    svc = _open(db_url, ledger_key_file=str(rotated))
    _fill(svc, 3)
    cp8 = svc.transparency.cut()
    for key in (OLD, new):  # the hand-over: both keys sign
        assert rfc9162.open_checkpoint(cp8, key.verifier.vkey)[1] == 8
    single = tmp_path / "new.key"
    assert retire_key(svc, single) == [OLD.verifier.vkey]
    svc.close()

    with pytest.raises(transparency.LedgerKeyError, match="was retired"):  # the transition file, after retire
        _open(db_url, ledger_key_file=str(rotated))
    svc = _open(db_url, ledger_key_file=str(single))
    _fill(svc, 2)
    cp10 = svc.transparency.cut()
    rfc9162.open_checkpoint(cp10, new.verifier.vkey)
    with pytest.raises(AssertionError):
        rfc9162.open_checkpoint(cp10, OLD.verifier.vkey)
    rfc9162.open_checkpoint(cp5, OLD.verifier.vkey)  # old checkpoints still verify with the old key

    # a verifier trusting both vkeys checks the whole history across the rotation; one trusting the old alone
    # cannot accept the new checkpoint
    both = [OLD.verifier.vkey, new.verifier.vkey]
    proof = transparency.consistency(svc, 5, 10)
    assert verify_offline(both, cp10, consistency_proof=proof, older_note=cp5)["extends"] == 5
    with pytest.raises(NoteError, match="no signature"):
        verify_offline(OLD.verifier.vkey, cp10)
    assert transparency.verify_against(svc, cp5)["ok"]  # the log knows its own history

    published = make_client(create_app(svc)).get("/v1/ledger/keys").json()
    assert published == history(svc)
    by_key = {k["vkey"]: k for k in published["keys"]}
    assert by_key[OLD.verifier.vkey]["retired_at"] and by_key[OLD.verifier.vkey]["last_size"] == 8
    assert set(by_key[OLD.verifier.vkey]["handover_signed_by"]) == set(both)
    assert by_key[new.verifier.vkey]["signing"] and not by_key[new.verifier.vkey]["retired_at"]
    svc.close()
    # a key that is neither the log's nor in its history is still a start-up error
    with pytest.raises(transparency.LedgerKeyError, match="did not sign"):
        _open(db_url, ledger_key=Signer.generate("mamori.test/log").skey)


@pytest.fixture
def witness_url(tmp_path: Path) -> Iterator[str]:
    witness = Witness(W1, [OLD.verifier.vkey], tmp_path / "witness-state")
    server = make_server(witness, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def _cosigned(svc: Mamori, size: int) -> str:
    for _ in range(200):  # the log asks the witness on a background thread
        stored = svc.checkpoints.get(size)
        if stored is not None and "witness.test/w1" in stored.note:
            return stored.note
        time.sleep(0.05)
    raise AssertionError(f"the checkpoint of size {size} was not cosigned")


def test_witness_cosigns_the_log_and_verifiers_require_it(
    db_url: str, witness_url: str, tmp_path: Path
) -> None:
    svc = _open(db_url, ledger_key=OLD.skey, ledger_witnesses=f"{W1.verifier.vkey} {witness_url}")
    _fill(svc, 4)
    svc.transparency.cut()
    _cosigned(svc, 4)
    _fill(svc, 7)
    svc.transparency.cut()
    note = _cosigned(svc, 11)  # submitted with a consistency proof 4 → 11
    c2sp_cosig.open_cosignature(note, W1.verifier.vkey)
    assert rfc9162.open_checkpoint(note, OLD.verifier.vkey)[1] == 11  # the log's signature still checks
    assert svc.transparency.current() == note  # what GET /v1/ledger/checkpoint serves
    client = make_client(create_app(svc))
    _fill(svc, 2)
    assert "witness.test/w1" not in client.get("/v1/ledger/checkpoint").text  # size 13, not cosigned yet
    got = client.get("/v1/ledger/checkpoint?cosigned=1").text  # 11, or 13 once its cosignature came back
    assert c2sp_cosig.open_cosignature(got, W1.verifier.vkey) and got.split("\n")[1] in ("11", "13")
    assert client.get("/v1/ledger/checkpoint?cosigned=2").status_code == 422  # one witness configured
    _cosigned(svc, 13)  # the newer one was submitted in the background as it was cut

    vk, w1, w2 = OLD.verifier.vkey, W1.verifier.vkey, W2.verifier.vkey
    out = verify_offline(vk, note, witnesses=[w1, w2], min_witnesses=1)
    assert out["cosigned_by"] == [w1]
    with pytest.raises(NoteError, match="1 valid cosignatures by trusted witnesses, 2 required"):
        verify_offline(vk, note, witnesses=[w1, w2], min_witnesses=2)
    cp_file = tmp_path / "cp.txt"
    cp_file.write_text(note, encoding="utf-8")
    ok = runner.invoke(app, ["ledger", "verify-proof", "--vkey", vk, "--checkpoint", str(cp_file),
                             "--witness", w1, "--min-witnesses", "1"])  # fmt: skip
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(app, ["ledger", "verify-proof", "--vkey", vk, "--checkpoint", str(cp_file),
                              "--witness", w2, "--min-witnesses", "1"])  # fmt: skip
    assert bad.exit_code == 1 and "0 valid cosignatures" in bad.output
    svc.close()

    # The operator shows the witness another history under the same key (a fork): no cosignature comes back.
    fork = _open(f"sqlite:///{tmp_path / 'fork.db'}", ledger_key=OLD.skey,
                 ledger_witnesses=f"{W1.verifier.vkey} {witness_url}")  # fmt: skip
    fork.ledger.append_many([("test.event", {"i": -i}) for i in range(13)])
    forked = fork.transparency.cut()
    assert fork.transparency.witness_pool.collect(forked, 13) is None
    assert "witness.test/w1" not in (fork.checkpoints.get(13).note)  # type: ignore[union-attr]
    assert make_client(create_app(fork)).get("/v1/ledger/checkpoint?cosigned=1").status_code == 404
    assert list((tmp_path / "witness-state" / "evidence").glob("*.req"))
    fork.close()
