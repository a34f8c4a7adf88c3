"""C2SP `tlog-proof@v1` (https://c2sp.org/tlog-proof): one self-contained text holding an entry's index, its inclusion
proof and the checkpoint (with its cosignatures) it is proven against — verifiable offline with the log's and the
witnesses' public keys. Pure: no I/O.

    c2sp.org/tlog-proof@v1
    [extra <base64>]
    index <decimal>
    <base64 hash>          (zero or more: leaf's sibling first, RFC 6962 §2.1.1)

    <checkpoint note, verbatim>
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from mamori.ledger.note import NoteError, unb64

HEADER = "c2sp.org/tlog-proof@v1"


@dataclass(frozen=True)
class TlogProof:
    index: int
    inclusion: tuple[bytes, ...]
    checkpoint: str
    extra: bytes | None = None

    def text(self) -> str:
        lines = [HEADER]
        if self.extra is not None:
            lines.append("extra " + base64.b64encode(self.extra).decode("ascii"))
        lines.append(f"index {self.index}")
        lines.extend(base64.b64encode(h).decode("ascii") for h in self.inclusion)
        return "\n".join(lines) + "\n\n" + self.checkpoint

    @classmethod
    def parse(cls, text: str) -> TlogProof:
        head, sep, checkpoint = text.partition("\n\n")
        if not sep or not checkpoint:
            raise NoteError("a tlog-proof has an empty line before its checkpoint")
        lines = head.split("\n")
        if lines[0] != HEADER:
            raise NoteError(f"a tlog-proof starts with {HEADER!r}")
        rest = lines[1:]
        extra = None
        if rest and rest[0].startswith("extra "):
            extra = unb64(rest[0][6:], "the proof's extra data")
            rest = rest[1:]
        if not rest or not rest[0].startswith("index "):
            raise NoteError("a tlog-proof names the entry's `index`")
        num = rest[0][6:]
        if not (num.isascii() and num.isdigit()) or (num != "0" and num.startswith("0")):
            raise NoteError(f"the tlog-proof's index {num!r} is not a decimal number")
        hashes = tuple(unb64(line, "an inclusion proof line") for line in rest[1:])
        if any(len(h) != 32 for h in hashes):
            raise NoteError("an inclusion proof line is not a 32-byte hash")
        return cls(int(num), hashes, checkpoint, extra)
