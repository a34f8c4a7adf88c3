"""The witness (C2SP tlog-witness add-checkpoint): cosigns only consistent checkpoints signed by a trusted log key,
refuses forks and rollbacks with the spec's status codes, keeps its state across restarts, and its cosignature bytes
pass an independent verifier (tests/contract/c2sp_cosig.py)."""

from __future__ import annotations

import base64
import threading
from pathlib import Path

import pytest

from mamori.ledger.cosignature import Cosigner
from mamori.ledger.note import Signer, sign_checkpoints
from mamori.ops.witness import Witness, WitnessError
from tests.contract import c2sp_cosig, rfc9162

LOG = Signer.generate("log.example/a")
W = Cosigner.generate("witness.example/w1")
ENTRIES = [f"entry {i}".encode() for i in range(40)]


def _note(size: int, signers: list[Signer] | None = None, entries: list[bytes] = ENTRIES) -> str:
    return sign_checkpoints(signers or [LOG], size, rfc9162.mth(entries[:size]))


def _body(old: int, size: int, note: str | None = None, entries: list[bytes] = ENTRIES) -> bytes:
    proof = rfc9162.proof(old, entries[:size]) if 0 < old < size else []
    lines = "".join(base64.b64encode(h).decode() + "\n" for h in proof)
    return (f"old {old}\n{lines}\n" + (note or _note(size, entries=entries))).encode()


@pytest.fixture
def witness(tmp_path: Path) -> Witness:
    return Witness(W, [LOG.verifier.vkey], tmp_path / "state", clock=lambda: 1_700_000_000)


def _status(witness: Witness, body: bytes) -> tuple[int, str, str]:
    with pytest.raises(WitnessError) as exc:
        witness.add_checkpoint(body)
    return exc.value.status, exc.value.message, exc.value.content_type


def test_cosigns_a_consistent_history_and_the_bytes_follow_the_spec(witness: Witness, tmp_path: Path) -> None:
    note = _note(7)
    line = witness.add_checkpoint(_body(0, 7, note))
    assert line.startswith("\u2014 witness.example/w1 ") and line.endswith("\n")
    assert c2sp_cosig.open_cosignature(note + line, W.verifier.vkey) == 1_700_000_000
    note = _note(20)
    line = witness.add_checkpoint(_body(7, 20, note))
    assert c2sp_cosig.open_cosignature(note + line, W.verifier.vkey) == 1_700_000_000
    # the same size again (another process of the log asking) is cosigned too
    witness.add_checkpoint(_body(20, 20, note))
    # a restarted witness remembers where it stands
    again = Witness(W, [LOG.verifier.vkey], tmp_path / "state")
    assert again.latest("log.example/a").size == 20  # type: ignore[union-attr]
    status, message, ctype = _status(again, _body(7, 25))
    assert (status, message, ctype) == (409, "20\n", "text/x.tlog.size")


def test_refuses_forks_rollbacks_and_foreign_keys(witness: Witness, tmp_path: Path) -> None:
    witness.add_checkpoint(_body(0, 10))
    assert _status(witness, _body(0, 5))[:2] == (409, "10\n")  # rollback: the old size is not what it holds
    assert _status(witness, _body(10, 5))[0] == 400  # old size above the checkpoint's
    forked = [*ENTRIES[:3], b"rewritten", *ENTRIES[4:]]
    status, message, _ = _status(witness, _body(10, 10, _note(10, entries=forked)))
    assert status == 409 and "fork" in message
    status, message, _ = _status(witness, _body(10, 16, entries=forked))
    assert status == 422 and "consistency" in message
    assert len(list((tmp_path / "state" / "evidence").glob("*.req"))) == 2  # the log's signed forks are kept
    stranger = Signer.generate("log.example/a")
    assert _status(witness, _body(10, 16, _note(16, [stranger])))[0] == 403
    other_log = Signer.generate("log.example/b")
    assert _status(witness, _body(0, 3, _note(3, [other_log])))[0] == 404
    assert _status(witness, b"old 01\n\n" + _note(3).encode())[0] == 400
    assert _status(witness, b"old 0\nnot-base64!\n\n" + _note(3).encode())[0] == 400
    assert _status(witness, b"old 0\n" + _note(3).encode())[0] == 400
    assert witness.latest("log.example/a").size == 10  # type: ignore[union-attr]


def test_a_rotated_log_key_is_accepted_once_the_witness_trusts_it(tmp_path: Path) -> None:
    new = Signer.generate("log.example/a")
    witness = Witness(W, [LOG.verifier.vkey, new.verifier.vkey], tmp_path / "s")
    witness.add_checkpoint(_body(0, 5))
    witness.add_checkpoint(_body(5, 9, _note(9, [new, LOG])))  # the hand-over, signed by both
    witness.add_checkpoint(_body(9, 12, _note(12, [new])))


def test_concurrent_submissions_never_roll_the_witness_back(witness: Witness) -> None:
    witness.add_checkpoint(_body(0, 4))
    results: dict[int, str] = {}

    def submit(size: int) -> None:
        try:
            witness.add_checkpoint(_body(4, size))
            results[size] = "ok"
        except WitnessError as exc:
            results[size] = str(exc.status)

    threads = [threading.Thread(target=submit, args=(n,)) for n in (10, 20, 30, 40)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    winners = [n for n, r in results.items() if r == "ok"]
    assert len(winners) == 1 and all(r == "409" for n, r in results.items() if n not in winners)
    assert witness.latest("log.example/a").size == winners[0]  # type: ignore[union-attr]


def test_the_http_witness_answers_with_the_spec_status_codes(witness: Witness) -> None:
    import http.client

    from mamori.cli.witness import make_server

    server = make_server(witness, "127.0.0.1", 0, "/w")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=10)

        def post(path: str, body: bytes) -> tuple[int, str, str]:
            conn.request("POST", path, body=body, headers={"Content-Type": "text/plain"})
            r = conn.getresponse()
            return r.status, r.read().decode(), r.getheader("Content-Type") or ""

        status, text, _ = post("/w/add-checkpoint", _body(0, 6))  # keep-alive: one connection for all
        assert status == 200 and text.startswith("\u2014 witness.example/w1 ")
        assert post("/w/add-checkpoint", _body(0, 8))[::2] == (409, "text/x.tlog.size")
        assert post("/w/add-checkpoint", _body(6, 8))[0] == 200
        assert post("/other", _body(8, 9))[0] == 404
        assert post("/w/add-checkpoint", b"x" * 70_000)[0] == 413
        assert post("/w/add-checkpoint", b"\xff\xfe\n\n")[0] == 400
        conn.close()
    finally:
        server.shutdown()
        server.server_close()
