"""A small, independent transparency-log witness (C2SP tlog-witness, https://c2sp.org/tlog-witness).

Run by someone other than the log's operator (`mamori witness serve`), with its own key and its own state folder —
never the log's database. For each log origin it trusts it keeps the latest checkpoint it cosigned; a new checkpoint
is cosigned only when its signature checks with the log's vkey(s) and a consistency proof leads from the kept one to
it, so the witness refuses a fork (another root for a size it has seen, or a tree that does not extend it) and a
rollback (a smaller tree). Checking the old size and persisting the new checkpoint happen under one lock (a file lock
across processes), as the spec requires. Refused requests whose log signature checked are kept in `evidence/`: a
fork signed by the log is proof of its misbehaviour.

add-checkpoint answers (tlog-witness §add-checkpoint): 200 with cosignature lines; 400 malformed or old size above
the checkpoint's; 403 no valid signature by a trusted key; 404 unknown origin; 409 old size not the latest cosigned
(body: that size, `text/x.tlog.size`) or same size with another root; 422 the consistency proof does not verify.
"""

from __future__ import annotations

import base64
import binascii
import fcntl
import hashlib
import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mamori.ledger import merkle
from mamori.ledger.cosignature import Cosigner
from mamori.ledger.note import Checkpoint, NoteError, Verifier, signed_by, split_note

MAX_PROOF_LINES = 63
MAX_BODY_BYTES = 64 * 1024
SIZE_TYPE = "text/x.tlog.size"


@dataclass
class WitnessError(Exception):
    status: int
    message: str
    content_type: str = "text/plain; charset=utf-8"

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Request:
    old: int
    proof: list[bytes]
    note: str


def parse_request(body: bytes) -> Request:
    """The add-checkpoint body: `old N`, up to 63 base64 hash lines, an empty line, then the checkpoint note."""
    if len(body) > MAX_BODY_BYTES:
        raise WitnessError(400, f"the request is larger than {MAX_BODY_BYTES} bytes")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise WitnessError(400, "the request is not UTF-8") from None
    head, sep, note = text.partition("\n\n")
    if not sep:
        raise WitnessError(400, "no empty line between the old size and proof lines and the checkpoint")
    lines = head.split("\n")
    first = lines[0]
    num = first[4:]
    if (
        not first.startswith("old ")
        or not num.isascii()
        or not num.isdigit()
        or (num != "0" and num[0] == "0")
    ):
        raise WitnessError(400, "the first line must be `old <size>` (decimal, no leading zeroes)")
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise WitnessError(400, f"more than {MAX_PROOF_LINES} consistency proof lines")
    proof: list[bytes] = []
    for line in lines[1:]:
        try:
            raw = base64.b64decode(line, validate=True)
        except (binascii.Error, ValueError):
            raise WitnessError(400, f"proof line {line!r} is not base64") from None
        if len(raw) != 32:
            raise WitnessError(400, "a proof line is not a 32-byte hash")
        proof.append(raw)
    return Request(int(num), proof, note)


class Witness:
    def __init__(
        self,
        cosigner: Cosigner,
        logs: list[str],
        state_dir: Path,
        clock: Callable[[], float] = time.time,
    ):
        """`logs`: the vkeys of the logs it witnesses (several for one origin across a key rotation)."""
        self.cosigner, self.clock = cosigner, clock
        self.logs: dict[str, list[Verifier]] = {}
        for vkey in logs:
            v = Verifier.parse(vkey)
            self.logs.setdefault(v.name, []).append(v)
        self.state_dir = Path(state_dir)
        (self.state_dir / "evidence").mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def _path(self, origin: str) -> Path:
        return self.state_dir / f"{hashlib.sha256(origin.encode()).hexdigest()[:32]}.json"

    def latest(self, origin: str) -> Checkpoint | None:
        """The latest checkpoint cosigned for `origin`, from the state folder."""
        try:
            doc = json.loads(self._path(origin).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        return Checkpoint(doc["origin"], int(doc["size"]), base64.b64decode(doc["root"]))

    def _persist(self, cp: Checkpoint, note: str) -> None:
        doc = {"origin": cp.origin, "size": cp.size, "root": base64.b64encode(cp.root).decode(), "note": note}
        path = self._path(cp.origin)
        tmp = path.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(doc))
            fh.flush()
            os.fsync(fh.fileno())
        tmp.replace(path)
        dir_fd = os.open(self.state_dir, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def _evidence(self, req_body: bytes, why: str) -> None:
        name = f"{int(self.clock())}-{hashlib.sha256(req_body).hexdigest()[:16]}"
        try:
            (self.state_dir / "evidence" / f"{name}.req").write_bytes(req_body)
            (self.state_dir / "evidence" / f"{name}.why").write_text(why + "\n", encoding="utf-8")
        except OSError:
            pass

    def add_checkpoint(self, body: bytes) -> str:
        """Check a submission and return the cosignature line(s); WitnessError with the spec's status otherwise."""
        req = parse_request(body)
        try:
            text, _ = split_note(req.note)
            cp = Checkpoint.parse(text)
        except NoteError as exc:
            raise WitnessError(400, f"the checkpoint is malformed: {exc}") from None
        keys = self.logs.get(cp.origin)
        if not keys:
            raise WitnessError(404, f"unknown log origin {cp.origin!r}")
        try:
            found = signed_by(req.note, keys)[1]
        except NoteError as exc:
            raise WitnessError(403, str(exc)) from None
        if not found:
            raise WitnessError(403, "the checkpoint carries no valid signature by a trusted key of its log")
        if req.old > cp.size:
            raise WitnessError(400, f"old size {req.old} is larger than the checkpoint's size {cp.size}")
        with self._lock, open(self.state_dir / ".lock", "a+") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            prev = self.latest(cp.origin)
            have = prev.size if prev is not None else 0
            if req.old != have:
                raise WitnessError(409, f"{have}\n", SIZE_TYPE)
            if prev is None or req.old == 0:
                if req.proof:
                    raise WitnessError(422, "the consistency proof must be empty when the old size is 0")
            elif prev.size == cp.size:
                if prev.root != cp.root:
                    self._evidence(body, f"fork: size {cp.size} with another root")
                    raise WitnessError(409, f"the log signed another root for size {cp.size}: a fork")
            else:
                try:
                    merkle.verify_consistency(prev.size, cp.size, prev.root, cp.root, req.proof)
                except merkle.ProofError as exc:
                    self._evidence(body, f"not consistent with size {prev.size}: {exc}")
                    raise WitnessError(422, f"the consistency proof does not verify: {exc}") from None
            if prev is None or cp.size >= prev.size:
                self._persist(cp, req.note)
            return self.cosigner.cosign(text, int(self.clock()))
