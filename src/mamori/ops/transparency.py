"""The transparency log's service side: the signing key, checkpoints cut at an interval (only over committed
entries), witnesses, and the proofs the CLI and HTTP API hand out.

A checkpoint is cut *after* an append commits, from the committed tree size read back from the database, so it can
never cover an entry another transaction might still roll back.
"""

from __future__ import annotations

import logging
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mamori.ledger import merkle
from mamori.ledger.note import (
    Checkpoint,
    NoteError,
    Signer,
    Verifier,
    sign_checkpoints,
    verify_checkpoint,
    write_private_keys,
)
from mamori.ops import OpsError, Unavailable
from mamori.ops.offline_verify import parse_vkeys, whole_number

if TYPE_CHECKING:  # pragma: no cover
    from mamori.config import Settings
    from mamori.service import Mamori
    from mamori.storage.ledger_store import Appended, LedgerStore
    from mamori.storage.tlog_store import CheckpointStore

log = logging.getLogger("mamori.ledger")

NO_KEY = (
    "no ledger signing key is configured: run `mamori ledger init-key --name ORIGIN --out FILE` and set "
    "MAMORI_LEDGER_KEY_FILE=FILE"
)


HOUSEKEEPING_SECONDS = 3600.0
COSIGNED_SEARCH = 256


class LedgerKeyError(RuntimeError):
    """The configured checkpoint signing key is missing, unreadable, malformed or not the log's key."""


def load_signers(settings: Settings) -> list[Signer]:
    """The signing keys from MAMORI_LEDGER_KEY (the keys themselves) or MAMORI_LEDGER_KEY_FILE, one per line; the
    first is the current key, any further ones also sign every checkpoint (a key rotation's transition). Empty when
    neither is set."""
    raw, where = settings.ledger_key, "MAMORI_LEDGER_KEY"
    if not raw and settings.ledger_key_file:
        where = f"MAMORI_LEDGER_KEY_FILE={settings.ledger_key_file}"
        try:
            raw = Path(settings.ledger_key_file).read_text(encoding="utf-8")
        except OSError as exc:
            raise LedgerKeyError(
                f"cannot read the ledger signing key ({where}): {exc.strerror or exc}"
            ) from None
    if not raw:
        return []
    try:
        signers = [Signer.parse(line) for line in raw.splitlines() if line.strip()]
    except NoteError as exc:
        raise LedgerKeyError(f"the ledger signing key ({where}) is not usable: {exc}") from None
    if not signers:
        raise LedgerKeyError(f"the ledger signing key ({where}) is empty")
    if any(s.name != signers[0].name for s in signers):
        raise LedgerKeyError(
            f"the ledger signing keys ({where}) are for different origins; a log has one origin"
        )
    return signers


def load_signer(settings: Settings) -> Signer | None:
    """The current signing key (the first configured one), or None."""
    signers = load_signers(settings)
    return signers[0] if signers else None


def write_key(signer: Signer | list[Signer], path: Path) -> None:
    """Write new signer key(s), one per line, readable by their owner only; never overwrite a file."""
    keys = signer if isinstance(signer, list) else [signer]
    write_private_keys((k.skey for k in keys), path)


class Checkpointer:
    def __init__(
        self,
        ledger: LedgerStore,
        store: CheckpointStore,
        signer: Signer | list[Signer] | None,
        interval: float,
        witness_dir: str | None = None,
        witness_url: str | None = None,
        key_history: Callable[[], list[Any]] | None = None,
    ):
        self.signers = signer if isinstance(signer, list) else [signer] if signer is not None else []
        self.signer = self.signers[0] if self.signers else None
        self.ledger, self.store, self.interval = ledger, store, interval
        # the log's key history (ledger_keys rows: vkey, retired_at): a key added by `rotate-key` may sign after
        # the one before it; a retired key never signs again
        self.key_history = key_history or (lambda: [])
        # cosigning witnesses (C2SP tlog-witness, ops/cosigning.WitnessPool), set by the service
        self.witness_pool: Any = None
        self.witness_dir, self.witness_url = witness_dir, witness_url
        self._lock = threading.Lock()
        self._last = 0.0
        # Retention housekeeping rides on the same post-commit hook, at most once per HOUSEKEEPING_SECONDS.
        self.housekeeping: Callable[[], Any] | None = None
        self._last_housekeeping = 0.0

    def verifiers(self) -> list[Verifier]:
        """Every key this log's checkpoints may carry: the configured ones and the recorded key history."""
        out = [s.verifier for s in self.signers]
        for k in self.key_history():
            try:
                v = Verifier.parse(k.vkey)
            except NoteError:
                continue
            if v not in out:
                out.append(v)
        return out

    def check_key(self) -> None:
        """Start-up check: no configured key may be retired, and one must have signed the newest stored checkpoint or
        have been recorded in the log's key history by `mamori ledger rotate-key` (its first checkpoint is still to
        be cut)."""
        if not self.signers:
            return
        mine = [s.verifier for s in self.signers]
        history = {k.vkey: k for k in self.key_history()}
        for v in mine:
            k = history.get(v.vkey)
            if k is not None and k.retired_at is not None:
                raise LedgerKeyError(
                    f"the configured ledger key {v.vkey} was retired (last checkpoint it signed: size "
                    f"{k.last_size}); configure the key file `mamori ledger retire-key` wrote"
                )
        latest = self.store.latest()
        if latest is None:
            return
        try:
            verify_checkpoint(latest.note, mine)
            return
        except NoteError as exc:
            problem = str(exc)
        if any(v.vkey in history for v in mine):
            return
        raise LedgerKeyError(
            f"the configured ledger key ({self.signers[0].verifier.vkey}) did not sign this log's checkpoints "
            f"(checkpoint of size {latest.size}: {problem}); configure the log's own key, or rotate to a new key "
            "with `mamori ledger rotate-key`"
        ) from None

    def after_commit(self, appended: list[Appended]) -> None:
        now = time.monotonic()
        if self.housekeeping is not None and now - self._last_housekeeping >= HOUSEKEEPING_SECONDS:
            self._last_housekeeping = now
            try:
                self.housekeeping()
            except Exception:  # retried an hour later; never fails the request whose entry is committed
                log.exception("prompt-text retention housekeeping failed")
        if self.signer is None or now - self._last < self.interval:
            return
        try:
            self.cut()
        except Exception:  # a checkpoint is retried at the next append; the entry itself is committed
            log.exception("cutting a ledger checkpoint failed")

    def cut_witnessed(self) -> str:
        """Cut a checkpoint and wait for the configured cosigning witnesses' answers (for exports and the CLI):
        the stored note with whatever cosignatures came back."""
        note = self.cut(submit=False)
        if self.witness_pool is None:
            return note
        size = int(note.split("\n", 2)[1])
        return self.witness_pool.collect(note, size) or note

    def cut(self, submit: bool = True) -> str:
        """Sign the committed tree as it is now, store and witness the note (cosigning witnesses are asked in the
        background unless `submit` is off); returns it."""
        if self.signer is None:
            raise Unavailable(NO_KEY)
        with self._lock:
            self._last = time.monotonic()
            size = self.ledger.size()
            latest = self.store.latest()
            if latest is not None and latest.size == size:
                return latest.note
            root = self.ledger.root(size)
            note = sign_checkpoints(self.signers, size, root)
            self.store.save(size, root.hex(), note)
        self.witness(note, size)
        if self.witness_pool is not None and submit:
            self.witness_pool.submit(note, size)
        return note

    def current(self) -> str:
        """The newest checkpoint, cut now when the log has grown past the stored one."""
        latest = self.store.latest()
        if self.signer is not None and (latest is None or latest.size < self.ledger.size()):
            return self.cut()
        if latest is None:
            raise Unavailable(NO_KEY)
        return latest.note

    def cosigned(self, count: Any) -> str:
        """The newest stored checkpoint that at least `count` of the configured cosigning witnesses cosigned (looked
        for among the last COSIGNED_SEARCH checkpoints)."""
        from mamori.ops import NotFound

        n = whole_number(count, "cosigned")
        pool = self.witness_pool
        if pool is None or n > len(pool.witnesses) or n == 0:
            have = 0 if pool is None else len(pool.witnesses)
            raise OpsError(f"cosigned must be between 1 and the {have} configured witnesses", 422)
        from mamori.ledger.cosignature import cosignatures

        keys = [w for w, _ in pool.witnesses]
        for stored in self.store.recent(COSIGNED_SEARCH):
            try:
                if len(cosignatures(stored.note, keys)) >= n:
                    return stored.note
            except NoteError:
                continue
        raise NotFound(f"no recent checkpoint carries {n} witness cosignatures yet")

    def witness(self, note: str, size: int) -> None:
        """Hand the checkpoint to the witnesses: a folder (latest + one file per size) and/or an HTTP endpoint."""
        if self.witness_dir:
            try:
                folder = Path(self.witness_dir)
                folder.mkdir(parents=True, exist_ok=True)
                (folder / f"checkpoint.{size}").write_text(note, encoding="utf-8")
                tmp = folder / ".checkpoint.tmp"
                tmp.write_text(note, encoding="utf-8")
                tmp.replace(folder / "checkpoint")
            except OSError as exc:
                log.warning("cannot write the checkpoint to the witness folder %s: %s", self.witness_dir, exc)
        if self.witness_url:
            threading.Thread(target=_post, args=(self.witness_url, note), daemon=True).start()


def _post(url: str, note: str) -> None:
    req = urllib.request.Request(
        url, data=note.encode("utf-8"), method="POST", headers={"Content-Type": "text/plain; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(req, timeout=5):  # noqa: S310 - the operator's configured witness
            pass
    except OSError as exc:
        log.warning("cannot push the checkpoint to the witness %s: %s", url, exc)


# --- proofs for adapters ---------------------------------------------------------------------------------------


def _checked(fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except merkle.ProofError as exc:
        raise OpsError(str(exc), 422) from None


def inclusion(svc: Mamori, index: Any, size: Any = None) -> dict[str, Any]:
    """`{"leaf_index", "tree_size", "inclusion": [hex…]}`; the size defaults to the newest checkpoint's."""
    i = whole_number(index, "index")
    if size is None:
        latest = svc.checkpoints.latest()
        n = latest.size if latest is not None and latest.size > i else svc.ledger.size()
    else:
        n = whole_number(size, "size")
    proof = _checked(svc.ledger.inclusion, i, n)
    return {"leaf_index": i, "tree_size": n, "inclusion": [h.hex() for h in proof]}


def consistency(svc: Mamori, first: Any, second: Any) -> dict[str, Any]:
    m, n = whole_number(first, "first"), whole_number(second, "second")
    proof = _checked(svc.ledger.consistency, m, n)
    return {"first": m, "second": n, "consistency": [h.hex() for h in proof]}


def entry(svc: Mamori, index: Any) -> str:
    from mamori.ops import NotFound

    i = whole_number(index, "index")
    try:
        return svc.ledger.entry(i)
    except KeyError:
        raise NotFound(f"no ledger entry {i} (the log holds {svc.ledger.size()})") from None


def verify_against(svc: Mamori, older_note: str, vkeys: list[str] | None = None) -> dict[str, Any]:
    """Prove the log as stored extends a checkpoint seen earlier (e.g. a witness's copy): its signature must check
    (with `vkeys` when given, else the log's keys: configured and recorded history), the entries must hash to the
    tree, and a consistency proof must lead from the old root to the recomputed one."""
    keys = parse_vkeys(vkeys) if vkeys else svc.transparency.verifiers()
    if not keys:
        raise Unavailable(NO_KEY)
    old = verify_checkpoint(older_note, keys)
    result = svc.ledger.verify(svc.checkpoints.roots())
    out: dict[str, Any] = {"against": old.size, **result.to_json()}
    if not result.ok:
        return out
    size, root = result.size, bytes.fromhex(result.root)
    try:
        if old.size > size:
            raise merkle.ProofError(
                f"the log holds {size} entries, fewer than the {old.size} signed (truncated)"
            )
        proof = svc.ledger.consistency(old.size, size)
        merkle.verify_consistency(old.size, size, old.root, root, proof)
    except merkle.ProofError as exc:
        return {
            **out,
            "ok": False,
            "reason": f"the log does not extend the checkpoint of size {old.size}: {exc}",
        }
    return out


def parse_checkpoint(note: str) -> Checkpoint:
    cut = note.rfind("\n\n")
    return Checkpoint.parse(note[: cut + 1] if cut >= 0 else note)
