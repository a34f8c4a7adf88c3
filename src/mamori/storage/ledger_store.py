"""The append-only ledger on SQLAlchemy: a hash chain and an RFC 6962 Merkle tree over the same entries.

Appends never fork: prev_hash and the leaf index are UNIQUE, so of two writers that read the same head only one can
insert; the other rolls back and retries on the new head. On PostgreSQL a transaction-scoped advisory lock
serialises appenders first, so retries are rare. Each append also writes the tree nodes its leaves complete
(`ledger_nodes`), in the same transaction, so a committed tree size always has every node its proofs read."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, and_, bindparam, func, insert, or_, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from mamori.ledger import merkle
from mamori.ledger.chain import GENESIS, LedgerRow, VerifyResult, canonical_json, row_hash, verify_rows
from mamori.ledger.commitment import PRIVATE
from mamori.storage import schema as t

_LOCK_KEY = 0x6D616D6F  # "mamo": the advisory lock id for ledger appends on PostgreSQL
# Built once: SQLAlchemy caches their compiled form, so an append does not rebuild and recompile them.
_INSERT_ROWS = insert(t.ledger)
_SEQS = select(t.ledger.c.idx, t.ledger.c.seq).where(
    t.ledger.c.idx >= bindparam("lo"), t.ledger.c.idx < bindparam("hi")
)
_INSERT_NODES = insert(t.ledger_nodes)


@dataclass(frozen=True)
class Appended:
    seq: int
    hash: str
    ts: datetime
    index: int  # leaf index in the Merkle tree
    leaf_hash: str  # hex SHA-256(0x00 ‖ entry bytes)

    def receipt(self) -> dict[str, Any]:
        """What a response carries so its caller can later ask for the entry and its inclusion proof."""
        return {"ledger_index": self.index, "leaf_hash": self.leaf_hash, "chain_hash": self.hash}


class LedgerStore:
    def __init__(
        self,
        engine: Engine,
        max_retries: int = 200,
        after_commit: Callable[[list[Appended]], None] | None = None,
    ):
        self.engine = engine
        self.max_retries = max_retries
        self._pg = engine.dialect.name == "postgresql"
        # Runs after each committed append (cuts checkpoints when due); it never sees an uncommitted entry.
        self.after_commit = after_commit
        # Prompt plaintext rides along with its entry (in the same transaction) unless retention is 0 days.
        self.keep_prompts = True

    def append(self, kind: str, data: dict[str, Any]) -> Appended:
        return self.append_many([(kind, data)])[-1]

    def append_many(self, events: Sequence[tuple[str, dict[str, Any]]]) -> list[Appended]:
        """Append events in order, in one transaction: all of them or none."""
        if not events:
            return []
        for attempt in range(self.max_retries):
            try:
                out = self._try_append(events)
            except (IntegrityError, OperationalError, DBAPIError) as exc:
                if not _retryable(exc) or attempt == self.max_retries - 1:
                    raise
                time.sleep(random.uniform(0.001, 0.01) * min(attempt + 1, 20))
                continue
            if self.after_commit is not None:
                self.after_commit(out)
            return out
        raise RuntimeError("unreachable")

    def _try_append(self, events: Sequence[tuple[str, dict[str, Any]]]) -> list[Appended]:
        out: list[Appended] = []
        with self.engine.begin() as conn:
            if self._pg:
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
            head = conn.execute(
                select(t.ledger.c.hash, t.ledger.c.idx).order_by(t.ledger.c.seq.desc()).limit(1)
            ).first()
            prev, size = (head.hash, head.idx + 1) if head else (GENESIS, 0)
            front = _fetch(conn, merkle.frontier(size))
            rows = []
            private: list[dict[str, Any]] = []
            for kind, data in events:
                ts = datetime.now(UTC)
                if PRIVATE in data:
                    private += data[PRIVATE].get("prompt_texts", [])
                    data = {k: v for k, v in data.items() if k != PRIVATE}
                payload = canonical_json({"kind": kind, "ts": ts.isoformat(), "data": data})
                h = row_hash(prev, payload)
                rows.append((ts, kind, payload, h, prev))
                prev = h
            leaves = [merkle.leaf_hash(r[2].encode("utf-8")) for r in rows]
            nodes, _ = merkle.append_nodes(size, [front[k] for k in merkle.frontier(size)], leaves)
            # The batch as one executemany, and its seqs read back by leaf index in one query: two statements per
            # batch instead of a round trip and a statement compilation per row (nobody else can write meanwhile:
            # the lock above, SQLite's single writer, and the UNIQUE idx/prev_hash if they could).
            conn.execute(
                _INSERT_ROWS,
                [
                    {"ts": ts, "kind": kind, "payload": payload, "prev_hash": p, "hash": h, "idx": size + i}
                    for i, (ts, kind, payload, h, p) in enumerate(rows)
                ],
            )
            seqs = {r.idx: r.seq for r in conn.execute(_SEQS, {"lo": size, "hi": size + len(rows)})}
            for i, (ts, _kind, _payload, h, _p) in enumerate(rows):
                out.append(Appended(int(seqs[size + i]), h, ts, size + i, leaves[i].hex()))
            conn.execute(_INSERT_NODES, [{"level": lv, "idx": ix, "hash": hh} for lv, ix, hh in nodes])
            if private and self.keep_prompts:
                conn.execute(insert(t.prompt_texts), [{"created_at": ts, **r} for r in private])
        return out

    # --- the tree ------------------------------------------------------------------------------------------------

    def size(self) -> int:
        """The committed tree size (entries 0 … size-1)."""
        with self.engine.connect() as conn:
            top = conn.execute(select(func.max(t.ledger.c.idx))).scalar()
        return 0 if top is None else int(top) + 1

    def _with_nodes(self, fn: Callable[[merkle.NodeGetter], Any]) -> Any:
        """Run a tree function after fetching every node it reads in one query."""
        wanted = merkle.nodes_needed(fn)
        with self.engine.connect() as conn:
            got = _fetch(conn, wanted)
        missing = wanted - set(got)
        if missing:
            raise merkle.ProofError(
                f"{len(missing)} tree node(s) missing from the store, e.g. {min(missing)}"
            )
        return fn(lambda level, index: got[(level, index)])

    def _check_size(self, size: int) -> None:
        current = self.size()
        if size > current:
            raise merkle.ProofError(f"tree size {size} is larger than the log ({current} entries)")

    def root(self, size: int | None = None) -> bytes:
        size = self.size() if size is None else size
        self._check_size(size)
        return bytes(self._with_nodes(lambda get: merkle.root(size, get)))

    def inclusion(self, index: int, size: int) -> list[bytes]:
        merkle.inclusion_proof(index, size, lambda lv, ix: b"")  # validates the pair before any query
        self._check_size(size)
        return list(self._with_nodes(lambda get: merkle.inclusion_proof(index, size, get)))

    def consistency(self, first: int, second: int) -> list[bytes]:
        merkle.consistency_proof(first, second, lambda lv, ix: b"")
        self._check_size(second)
        return list(self._with_nodes(lambda get: merkle.consistency_proof(first, second, get)))

    def entry(self, index: int) -> str:
        """The entry bytes (canonical JSON) of leaf `index`; KeyError when there is none."""
        with self.engine.connect() as conn:
            payload = conn.execute(select(t.ledger.c.payload).where(t.ledger.c.idx == index)).scalar()
        if payload is None:
            raise KeyError(index)
        return str(payload)

    def leaf_index(self, seq: int) -> int | None:
        with self.engine.connect() as conn:
            return conn.execute(select(t.ledger.c.idx).where(t.ledger.c.seq == seq)).scalar()

    def head(self) -> str:
        with self.engine.connect() as conn:
            return (
                conn.execute(select(t.ledger.c.hash).order_by(t.ledger.c.seq.desc()).limit(1)).scalar()
                or GENESIS
            )

    def count(self, kind: str | None = None) -> int:
        q = select(func.count()).select_from(t.ledger)
        if kind is not None:
            q = q.where(t.ledger.c.kind == kind)
        with self.engine.connect() as conn:
            return int(conn.execute(q).scalar_one())

    def rows(
        self,
        kinds: Sequence[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        batch: int = 5000,
    ) -> Iterator[LedgerRow]:
        """Rows in chain order, streamed in batches by seq."""
        last = 0
        while True:
            q = select(t.ledger).where(t.ledger.c.seq > last).order_by(t.ledger.c.seq).limit(batch)
            if kinds:
                q = q.where(t.ledger.c.kind.in_(kinds))
            if since is not None:
                q = q.where(t.ledger.c.ts >= since)
            if until is not None:
                q = q.where(t.ledger.c.ts < until)
            with self.engine.connect() as conn:
                chunk = conn.execute(q).all()
            if not chunk:
                return
            for r in chunk:
                yield LedgerRow(r.seq, r.prev_hash, r.hash, r.payload, r.idx)
            last = chunk[-1].seq

    def verify(self, checkpoints: dict[int, bytes] | None = None) -> VerifyResult:
        """Recompute the chain and the tree from every entry; the tree must match the stored nodes' root and the
        root of each given checkpoint {size: root}. Reads the log once, holding O(log n) hashes."""
        leaves: list[bytes] = []
        size, front = 0, list[bytes]()
        tree_problem: str | None = None
        checkpoints = checkpoints or {}

        def rows() -> Iterator[LedgerRow]:
            nonlocal size, front, tree_problem
            for row in self.rows():
                yield row
                if row.index != size + len(leaves) and tree_problem is None:
                    tree_problem = f"row {row.seq} has leaf index {row.index}, expected {size + len(leaves)} (gap or fork)"
                leaves.append(merkle.leaf_hash(row.payload.encode("utf-8")))
                if len(leaves) >= 4096:
                    _, front = merkle.append_nodes(size, front, leaves)
                    size += len(leaves)
                    leaves.clear()
                if size + len(leaves) in checkpoints:
                    _, f2 = merkle.append_nodes(size, front, leaves)
                    if (
                        merkle.root_from_frontier(f2) != checkpoints[size + len(leaves)]
                        and tree_problem is None
                    ):
                        tree_problem = (
                            f"the first {size + len(leaves)} entries do not hash to the signed checkpoint's root "
                            "(history rewritten)"
                        )

        result = verify_rows(rows())
        _, front = merkle.append_nodes(size, front, leaves)
        size += len(leaves)
        computed = merkle.root_from_frontier(front)
        result = replace(result, size=size, root=computed.hex())
        if not result.ok:
            return result
        if tree_problem is None and any(s > size for s in checkpoints):
            tree_problem = (
                f"a signed checkpoint covers {max(checkpoints)} entries; the log holds {size} (truncated)"
            )
        if tree_problem is None:
            try:
                if self.root(size) != computed:
                    tree_problem = "the stored tree nodes do not match the entries"
            except merkle.ProofError as exc:
                tree_problem = str(exc)
        if tree_problem is not None:
            return replace(result, ok=False, reason=tree_problem)
        return result


def _fetch(conn: Any, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    """The nodes (level, index) asked for, in one query that walks the primary key (a row-value IN would scan)."""
    by_level: dict[int, list[int]] = {}
    for level, index in keys:
        by_level.setdefault(level, []).append(index)
    out: dict[tuple[int, int], bytes] = {}
    if not by_level:
        return out
    n = t.ledger_nodes.c
    cond = or_(*(and_(n.level == lv, n.idx.in_(ix)) for lv, ix in by_level.items()))
    for r in conn.execute(select(n.level, n.idx, n.hash).where(cond)):
        out[(int(r.level), int(r.idx))] = bytes(r.hash)
    return out


def _retryable(exc: Exception) -> bool:
    msg = str(exc).lower()
    return (
        isinstance(exc, IntegrityError)
        or "locked" in msg
        or "busy" in msg
        or "deadlock" in msg
        or "serializ" in msg
    )
