"""Offline verification: a checkpoint with only the log's vkey(s), N witness cosignatures on it, an entry's
inclusion and the consistency with an older checkpoint. No database, no service: what a verifier runs."""

from __future__ import annotations

import base64
from typing import Any

from mamori.ledger import merkle
from mamori.ledger.note import NoteError, Verifier, verify_checkpoint
from mamori.ops import OpsError


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def whole_number(value: Any, what: str) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise OpsError(f"{what} must be a whole number", 422) from None
    if n < 0 or n >= 2**63:
        raise OpsError(f"{what} {value} is out of range", 422)
    return n


def _hexes(values: Any, what: str) -> list[bytes]:
    if not isinstance(values, list):
        raise OpsError(f"{what} must be a list of hex hashes", 422)
    try:
        out = [bytes.fromhex(v) for v in values]
    except (TypeError, ValueError):
        raise OpsError(f"{what} holds something that is not a hex hash", 422) from None
    if any(len(h) != 32 for h in out):
        raise OpsError(f"{what} holds a hash that is not 32 bytes", 422)
    return out


def parse_vkeys(vkey: str | list[str]) -> list[Verifier]:
    """The log keys a verifier trusts: one vkey, or several (one per line or list item) across a key rotation."""
    lines = vkey.splitlines() if isinstance(vkey, str) else vkey
    keys = [Verifier.parse(line) for line in lines if line.strip()]
    if not keys:
        raise NoteError("no verifier key given")
    return keys


def witness_check(note: str, witnesses: list[str] | None, min_witnesses: int) -> dict[str, int]:
    """{witness vkey: cosignature time} for the trusted witnesses that cosigned `note`; raises when fewer than
    `min_witnesses` did."""
    from mamori.ledger.cosignature import CosignerVerifier, cosignatures

    keys = [CosignerVerifier.parse(w) for w in witnesses or [] if w.strip()]
    if min_witnesses > len(keys):
        raise OpsError(
            f"{min_witnesses} witness cosignatures are required but only {len(keys)} witness keys are trusted",
            422,
        )
    found = cosignatures(note, keys) if keys else {}
    if len(found) < min_witnesses:
        raise NoteError(
            f"the checkpoint carries {len(found)} valid cosignatures by trusted witnesses, {min_witnesses} required"
        )
    return found


def verify_offline(
    vkey: str | list[str],
    checkpoint_note: str,
    inclusion_proof: dict[str, Any] | None = None,
    entry_bytes: bytes | None = None,
    consistency_proof: dict[str, Any] | None = None,
    older_note: str | None = None,
    witnesses: list[str] | None = None,
    min_witnesses: int = 0,
) -> dict[str, Any]:
    """Check a checkpoint with only the log's vkey(s) (several across a key rotation), that at least
    `min_witnesses` of the trusted `witnesses` cosigned it, then an entry's inclusion in it and/or its consistency
    with an older checkpoint. Raises NoteError/ProofError/OpsError naming what failed; returns what was proven."""
    verifier = parse_vkeys(vkey)
    cp = verify_checkpoint(checkpoint_note, verifier)
    out: dict[str, Any] = {"origin": cp.origin, "tree_size": cp.size, "root": _b64(cp.root)}
    if witnesses or min_witnesses:
        out["cosigned_by"] = sorted(witness_check(checkpoint_note, witnesses, min_witnesses))
    if inclusion_proof is not None:
        if entry_bytes is None:
            raise OpsError("an inclusion proof needs the entry (its exact bytes) to check", 422)
        i = whole_number(inclusion_proof.get("leaf_index"), "leaf_index")
        if whole_number(inclusion_proof.get("tree_size"), "tree_size") != cp.size:
            raise merkle.ProofError("the inclusion proof is for another tree size than the checkpoint's")
        path = _hexes(inclusion_proof.get("inclusion"), "inclusion")
        merkle.verify_inclusion(i, cp.size, merkle.leaf_hash(entry_bytes), path, cp.root)
        out["leaf_index"] = i
    if consistency_proof is not None or older_note is not None:
        if consistency_proof is None or older_note is None:
            raise OpsError("a consistency check needs the older checkpoint and the proof", 422)
        old = verify_checkpoint(older_note, verifier)
        m, n = (
            whole_number(consistency_proof.get("first"), "first"),
            whole_number(consistency_proof.get("second"), "second"),
        )
        if (m, n) != (old.size, cp.size):
            raise merkle.ProofError(
                f"the proof is for sizes {m}→{n}, the checkpoints are {old.size}→{cp.size}"
            )
        path = _hexes(consistency_proof.get("consistency"), "consistency")
        merkle.verify_consistency(old.size, cp.size, old.root, cp.root, path)
        out["extends"] = old.size
    return out


def verify_tlog_proof(
    vkey: str | list[str],
    proof_text: str,
    entry_bytes: bytes,
    witnesses: list[str] | None = None,
    min_witnesses: int = 0,
) -> dict[str, Any]:
    """Check a C2SP tlog-proof: its checkpoint with the log's vkey(s) (and N witness cosignatures), then the entry's
    inclusion at the proof's index."""
    from mamori.ledger.tlog_proof import TlogProof

    proof = TlogProof.parse(proof_text)
    return verify_offline(
        vkey,
        proof.checkpoint,
        {
            "leaf_index": proof.index,
            "tree_size": _size(proof.checkpoint),
            "inclusion": [h.hex() for h in proof.inclusion],
        },
        entry_bytes,
        witnesses=witnesses,
        min_witnesses=min_witnesses,
    )


def _size(note: str) -> int:
    lines = note.split("\n", 2)
    if len(lines) < 3 or not lines[1].isdigit():
        raise NoteError("the tlog-proof's checkpoint has no tree size line")
    return int(lines[1])
