"""The hash chain, as pure functions: canonical JSON, the row hash, and verification of a sequence of rows.

Each row stores sha256(previous hash + canonical JSON of the event); the first row's previous hash is GENESIS.
Changing, removing or reordering any row changes every hash after it, so `verify` names the first bad row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

GENESIS = "0" * 64


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"not JSON-serialisable in a ledger event: {type(value).__name__}")


# json.dumps with these arguments builds this encoder on every call (a quarter of the call on a screening
# entry); `encode` keeps no state between calls, so one serves every thread
_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default, allow_nan=False
)


def canonical_json(event: Any) -> str:
    """One spelling per value: sorted keys, no spaces, UTF-8 kept, Decimals and dates as strings."""
    return _CANONICAL.encode(event)


def row_hash(prev_hash: str, canonical: str) -> str:
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class LedgerRow:
    seq: int
    prev_hash: str
    hash: str
    payload: str  # canonical JSON of {"kind", "ts", "data"}: the entry bytes of the Merkle leaf
    index: int = -1  # leaf index in the Merkle tree

    @property
    def event(self) -> dict[str, Any]:
        return json.loads(self.payload)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    rows: int
    first_bad: int | None = None
    reason: str | None = None
    head: str = GENESIS
    size: int = 0  # Merkle tree size and root recomputed from the entries (set by the store)
    root: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "ok": self.ok,
            "rows": self.rows,
            "first_bad": self.first_bad,
            "head": self.head,
            "tree_size": self.size,
            "root": self.root,
        }
        if self.reason:
            out["reason"] = self.reason
        return out


def verify_rows(rows: Iterable[LedgerRow], start_hash: str = GENESIS) -> VerifyResult:
    prev = start_hash
    n = 0
    for row in rows:
        n += 1
        if row.prev_hash != prev:
            return VerifyResult(
                False, n, row.seq, f"row {row.seq} does not follow the row before it (chain broken)", prev
            )
        try:
            canonical = canonical_json(json.loads(row.payload))
        except ValueError:
            return VerifyResult(False, n, row.seq, f"row {row.seq} payload is not JSON", prev)
        if canonical != row.payload:
            return VerifyResult(
                False, n, row.seq, f"row {row.seq} payload is not in canonical form (edited)", prev
            )
        if row_hash(prev, row.payload) != row.hash:
            return VerifyResult(
                False, n, row.seq, f"row {row.seq} hash does not match its contents (edited)", prev
            )
        prev = row.hash
    return VerifyResult(True, n, None, None, prev)
