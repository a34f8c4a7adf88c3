"""Key rotation for the transparency log's checkpoint key, and the key history the log publishes.

A rotation has three steps (docs/transparency.md, "Rotating the signing key"):
1. `rotate_key`: a new key with the same origin; the key file written holds the new key first and the old key after
   it, so every checkpoint from then on is signed by both (the hand-over: a verifier holding only the old vkey sees
   the old key vouch for a tree the new key also signed). The new vkey is recorded in `ledger_keys` at once.
2. Verifiers add the new vkey to the set they trust (`GET /v1/ledger/keys` lists the history).
3. `retire_key`: a key file with the new key alone; the old key is marked retired with the size of the last
   checkpoint it signed. Old checkpoints keep verifying with the old vkey, forever.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import SQLAlchemyError

from mamori.ledger.note import NoteError, Signer, Verifier, add_lines, signed_by, split_note
from mamori.ops import OpsError, Unavailable
from mamori.ops.transparency import NO_KEY, write_key

if TYPE_CHECKING:  # pragma: no cover
    from mamori.service import Mamori

log = logging.getLogger("mamori.ledger")


def record_configured(svc: Mamori) -> None:
    """Start-up: the configured signing keys enter the key history (once); a read-only database only logs it."""
    if not svc.ledger_signers:
        return
    try:
        known = {k.vkey for k in svc.ledger_keys.all()}
        for signer in svc.ledger_signers:
            if signer.verifier.vkey not in known:
                svc.ledger_keys.add(signer.verifier.vkey)
    except SQLAlchemyError as exc:
        log.warning("cannot record the ledger keys in the key history: %s", exc)


def rotate_key(svc: Mamori, out: Path) -> Signer:
    """A new signing key for the same origin; writes `out` = new key, then the current one (both sign until
    `retire_key`), records the new vkey. Returns the new key."""
    if svc.ledger_signer is None:
        raise Unavailable(NO_KEY)
    current = svc.ledger_signers
    new = Signer.generate(current[0].name)
    _write(out, [new, *current])
    svc.ledger_keys.add(new.verifier.vkey)
    return new


def retire_key(svc: Mamori, out: Path) -> list[str]:
    """End a rotation: cut a checkpoint signed by every configured key (the hand-over), write `out` with the current
    key alone, mark the others retired at that checkpoint's size. Returns the retired vkeys."""
    if len(svc.ledger_signers) < 2:
        raise OpsError("only one signing key is configured: nothing to retire (run `rotate-key` first)", 409)
    note = svc.transparency.cut()
    size = int(note.split("\n", 2)[1])
    # the newest checkpoint may predate the rotation (nothing logged since): every configured key signs it now
    text = split_note(note)[0]
    lines = [s.signature_line(text) for s in svc.ledger_signers]
    svc.checkpoints.add_signatures(size, lambda stored: add_lines(stored, lines))
    _write(out, [svc.ledger_signers[0]])
    retired = []
    for old in svc.ledger_signers[1:]:
        vkey = old.verifier.vkey
        svc.ledger_keys.add(vkey)
        svc.ledger_keys.retire(vkey, size)
        retired.append(vkey)
    return retired


def _write(out: Path, keys: list[Signer]) -> None:
    try:
        write_key(keys, out)
    except FileExistsError:
        raise OpsError(f"{out} exists; a signing key file is never overwritten", 409) from None
    except OSError as exc:
        raise OpsError(f"cannot write {out}: {exc.strerror or exc}", 500) from None


def history(svc: Mamori) -> dict[str, Any]:
    """The log's keys over time, for `GET /v1/ledger/keys`: each vkey, when it was added and retired, the size of
    the last checkpoint a retired key signed and that checkpoint (signed by it and its successor: the hand-over a
    verifier can check with the old vkey alone)."""
    keys = svc.ledger_keys.all()
    current = {s.verifier.vkey for s in svc.ledger_signers}
    out: list[dict[str, Any]] = []
    for k in keys:
        item: dict[str, Any] = {
            "vkey": k.vkey,
            "added_at": k.added_at.isoformat(),
            "retired_at": k.retired_at.isoformat() if k.retired_at else None,
            "signing": k.vkey in current,
            "last_size": k.last_size,
            "handover_checkpoint": None,
            "handover_signed_by": None,
        }
        if k.last_size is not None:
            stored = svc.checkpoints.get(k.last_size)
            if stored is not None:
                item["handover_checkpoint"] = stored.note
                item["handover_signed_by"] = _signers_of(stored.note, [x.vkey for x in keys])
        out.append(item)
    origin = svc.ledger_signer.name if svc.ledger_signer else None
    return {"origin": origin, "keys": out}


def _signers_of(note: str, vkeys: list[str]) -> list[str]:
    verifiers = []
    for v in vkeys:
        try:
            verifiers.append(Verifier.parse(v))
        except NoteError:
            continue
    try:
        return [v.vkey for v in signed_by(note, verifiers)[1]] if verifiers else []
    except NoteError:
        return []
