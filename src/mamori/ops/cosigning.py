"""The log side of C2SP tlog-witness: each new checkpoint is submitted to the configured witnesses with a consistency
proof from the size each last cosigned; their cosignatures (checked against the witness vkeys) are added to the
stored checkpoint. Runs on one background thread, latest checkpoint first, so a request never waits for a witness.
"""

from __future__ import annotations

import base64
import logging
import threading
import urllib.error
import urllib.request
from typing import TYPE_CHECKING

from mamori.ledger.cosignature import CosignerVerifier, add_lines, cosignatures, parse_lines
from mamori.ledger.note import NoteError
from mamori.ops.transparency import LedgerKeyError

if TYPE_CHECKING:  # pragma: no cover
    from mamori.storage.ledger_store import LedgerStore
    from mamori.storage.tlog_store import CheckpointStore

log = logging.getLogger("mamori.ledger")
TIMEOUT_SECONDS = 10.0


class WitnessConfigError(LedgerKeyError):
    """MAMORI_LEDGER_WITNESSES is malformed (a start-up error, like a bad signing key)."""


def parse_setting(text: str) -> list[tuple[CosignerVerifier, str]]:
    """`<witness vkey> <URL prefix>[, …]` → [(verifier, prefix)]."""
    out = []
    for item in text.split(","):
        if not item.strip():
            continue
        parts = item.split()
        if len(parts) != 2 or not parts[1].startswith(("http://", "https://")):
            raise WitnessConfigError(
                f"MAMORI_LEDGER_WITNESSES item {item.strip()!r} is not '<vkey> <http(s) URL>'"
            )
        try:
            out.append((CosignerVerifier.parse(parts[0]), parts[1].rstrip("/")))
        except NoteError as exc:
            raise WitnessConfigError(f"MAMORI_LEDGER_WITNESSES: {exc}") from None
    return out


class WitnessPool:
    def __init__(
        self, witnesses: list[tuple[CosignerVerifier, str]], ledger: LedgerStore, checkpoints: CheckpointStore
    ):
        self.witnesses, self.ledger, self.checkpoints = witnesses, ledger, checkpoints
        self._sizes: dict[str, int] = {}  # witness vkey -> the size it last cosigned (learned from 409s too)
        self._pending: tuple[str, int] | None = None
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    @classmethod
    def from_setting(cls, text: str, ledger: LedgerStore, checkpoints: CheckpointStore) -> WitnessPool:
        return cls(parse_setting(text), ledger, checkpoints)

    def submit(self, note: str, size: int) -> None:
        """Queue a checkpoint for cosigning (a newer one replaces one still waiting)."""
        with self._cond:
            if self._pending is None or self._pending[1] <= size:
                self._pending = (note, size)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="mamori-witnesses", daemon=True)
                self._thread.start()
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                if self._pending is None and not self._cond.wait(timeout=30.0):
                    self._thread = None
                    return
                job, self._pending = self._pending, None
            if job is not None:
                try:
                    self.collect(*job)
                except Exception:  # a witness's trouble never stops the log
                    log.exception("collecting witness cosignatures failed")

    def collect(self, note: str, size: int) -> str | None:
        """Ask every witness to cosign `note` (of tree size `size`); store and return the note with the valid
        cosignatures added (None when none came)."""
        lines: list[str] = []
        for witness, url in self.witnesses:
            got = self._ask(witness, url, note, size)
            if got:
                lines.extend(got)
        if not lines:
            return None
        return self.checkpoints.add_signatures(size, lambda stored: add_lines(stored, lines))

    def _ask(self, witness: CosignerVerifier, url: str, note: str, size: int) -> list[str]:
        old = self._sizes.get(witness.vkey, 0)
        for _ in range(2):  # a 409 tells the size the witness holds: one retry from there
            if old > size:
                return []
            proof = self.ledger.consistency(old, size) if 0 < old < size else []
            body = f"old {old}\n" + "".join(base64.b64encode(h).decode() + "\n" for h in proof) + "\n" + note
            req = urllib.request.Request(
                url + "/add-checkpoint", data=body.encode("utf-8"), method="POST",
                headers={"Content-Type": "text/plain; charset=utf-8"},
            )  # fmt: skip
            try:
                with urllib.request.urlopen(req, timeout=TIMEOUT_SECONDS) as resp:  # noqa: S310 - configured
                    text = resp.read(65536).decode("utf-8")
            except urllib.error.HTTPError as exc:
                answer = exc.read(4096).decode("utf-8", "replace")
                ctype = exc.headers.get("Content-Type", "")
                if exc.code == 409 and ctype.startswith("text/x.tlog.size") and answer.strip().isdigit():
                    old = int(answer.strip())
                    self._sizes[witness.vkey] = old
                    continue
                log.warning(
                    "witness %s refused the checkpoint of size %d: %d %s", url, size, exc.code, answer
                )
                return []
            except (OSError, UnicodeDecodeError) as exc:
                log.warning("cannot reach the witness %s: %s", url, exc)
                return []
            try:
                lines = parse_lines(text)
                valid = cosignatures(note + "".join(lines), [witness])
            except NoteError as exc:
                log.warning("the witness %s answered with a bad cosignature: %s", url, exc)
                return []
            if witness.vkey not in valid:
                log.warning("the witness %s answered without a cosignature by its key", url)
                return []
            self._sizes[witness.vkey] = size
            return [line for line in lines if line.startswith(f"\u2014 {witness.name} ")]
        return []
