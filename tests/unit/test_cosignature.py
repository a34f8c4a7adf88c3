"""cosignature/v1 keys and lines: round trips, forged or foreign lines, extension lines signed with the body, and a
note signed by several log keys (key rotation)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mamori.ledger.cosignature import Cosigner, CosignerVerifier, add_lines, cosignatures, parse_lines
from mamori.ledger.note import Checkpoint, NoteError, Signer, sign_checkpoints, sign_note, verify_checkpoint
from mamori.ops.cosigning import WitnessConfigError
from mamori.service import Mamori
from tests.contract import c2sp_cosig, rfc9162

LOG = Signer.generate("log.example/a")
W = Cosigner.generate("witness.example/w1")


def test_keys_round_trip_and_refuse_the_wrong_type() -> None:
    assert Cosigner.parse(W.skey).verifier == W.verifier
    assert CosignerVerifier.parse(W.verifier.vkey) == W.verifier
    with pytest.raises(NoteError, match="not a cosignature/v1"):
        CosignerVerifier.parse(LOG.verifier.vkey)  # a log key (type 0x01) is not a witness key
    with pytest.raises(NoteError, match="not a cosignature/v1"):
        Cosigner.parse(LOG.skey)
    name, key_id, key = W.verifier.vkey.split("+", 2)
    with pytest.raises(NoteError, match="does not match"):
        CosignerVerifier.parse(f"{name}x+{key_id}+{key}")


def test_cosignature_covers_extension_lines_and_forgeries_are_rejected() -> None:
    body = Checkpoint("log.example/a", 12, b"\x07" * 32, ("ext line one",)).text()
    note = sign_note(body, [LOG])
    cosigned = add_lines(note, [W.cosign(body, 1_750_000_000)])
    assert c2sp_cosig.open_cosignature(cosigned, W.verifier.vkey) == 1_750_000_000
    assert cosignatures(cosigned, [W.verifier]) == {W.verifier.vkey: 1_750_000_000}
    assert add_lines(cosigned, [W.cosign(body, 1_750_000_000)]) == cosigned  # not repeated
    # asked again (another process cut the same checkpoint), the witness answers with a later timestamp: the first
    # cosignature stands, one per key
    assert add_lines(cosigned, [W.cosign(body, 1_750_000_060)]) == cosigned
    other = Cosigner.generate("witness.example/w2")
    assert cosignatures(cosigned, [other.verifier]) == {}  # lines by other keys are ignored
    line = cosigned.splitlines()[-1]
    raw = line.split(" ")[2]
    forged = cosigned.replace(raw, raw[:20] + ("A" if raw[20] != "A" else "B") + raw[21:])
    with pytest.raises(NoteError, match="does not verify"):
        cosignatures(forged, [W.verifier])
    altered = cosigned.replace("ext line one", "ext line two")
    with pytest.raises(NoteError):
        cosignatures(altered, [W.verifier])
    with pytest.raises(NoteError, match="malformed"):
        parse_lines("no dash here\n")


def test_a_checkpoint_signed_by_two_log_keys_verifies_with_either() -> None:
    new = Signer.generate("log.example/a")
    note = sign_checkpoints([new, LOG], 3, rfc9162.mth([b"a", b"b", b"c"]))
    for key in (LOG, new):
        assert rfc9162.open_checkpoint(note, key.verifier.vkey)[1] == 3
        assert verify_checkpoint(note, [key.verifier]).size == 3
    with pytest.raises(NoteError, match="no signature"):
        verify_checkpoint(note, [Signer.generate("log.example/a").verifier])
    with pytest.raises(NoteError, match="different|origin"):
        sign_checkpoints([LOG, Signer.generate("log.example/b")], 3, b"\0" * 32)


def test_a_malformed_witness_setting_stops_start_up(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    for bad in ("not-a-key http://127.0.0.1:1", f"{W.verifier.vkey}", f"{LOG.verifier.vkey} http://x"):
        with pytest.raises(WitnessConfigError, match="MAMORI_LEDGER_WITNESSES"):
            Mamori.open(url, ledger_key=LOG.skey, ledger_witnesses=bad)


def test_a_key_file_with_keys_of_two_origins_stops_start_up(tmp_path: Path) -> None:
    from mamori.ops.transparency import LedgerKeyError

    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    two = LOG.skey + "\n" + Signer.generate("log.example/other").skey + "\n"
    with pytest.raises(LedgerKeyError, match="different origins"):
        Mamori.open(url, ledger_key=two)
    with pytest.raises(LedgerKeyError, match="empty"):
        Mamori.open(url, ledger_key="\n \n")


def test_tlog_proof_round_trips_and_refuses_malformed_text() -> None:
    from mamori.ledger.tlog_proof import TlogProof

    note = sign_checkpoints([LOG], 3, rfc9162.mth([b"a", b"b", b"c"]))
    proof = TlogProof(2, tuple(rfc9162.path(2, [b"a", b"b", b"c"])), note, b"ctx")
    text = proof.text()
    assert text.startswith("c2sp.org/tlog-proof@v1\nextra Y3R4\nindex 2\n") and text.endswith(note)
    assert TlogProof.parse(text) == proof
    for bad in (text.replace("@v1", "@v2"), text.replace("index 2", "index 02"), text.replace("\n\n", "\n")):
        with pytest.raises(NoteError):
            TlogProof.parse(bad)
