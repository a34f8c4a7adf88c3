"""The append-only ledger on SQLAlchemy. Appends never fork the chain: prev_hash is UNIQUE, so of two writers
that read the same head only one can insert; the other rolls back and retries on the new head. On PostgreSQL a
transaction-scoped advisory lock serialises appenders first, so retries are rare."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, insert, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from mamori.ledger.chain import GENESIS, LedgerRow, VerifyResult, canonical_json, row_hash, verify_rows
from mamori.storage import schema as t

_LOCK_KEY = 0x6D616D6F  # "mamo": the advisory lock id for ledger appends on PostgreSQL


@dataclass(frozen=True)
class Appended:
    seq: int
    hash: str
    ts: datetime


class LedgerStore:
    def __init__(self, engine: Engine, max_retries: int = 200):
        self.engine = engine
        self.max_retries = max_retries
        self._pg = engine.dialect.name == "postgresql"

    def append(self, kind: str, data: dict[str, Any]) -> Appended:
        return self.append_many([(kind, data)])[-1]

    def append_many(self, events: Sequence[tuple[str, dict[str, Any]]]) -> list[Appended]:
        """Append events in order, in one transaction: all of them or none."""
        if not events:
            return []
        for attempt in range(self.max_retries):
            try:
                return self._try_append(events)
            except (IntegrityError, OperationalError, DBAPIError) as exc:
                if not _retryable(exc) or attempt == self.max_retries - 1:
                    raise
                time.sleep(random.uniform(0.001, 0.01) * min(attempt + 1, 20))
        raise RuntimeError("unreachable")

    def _try_append(self, events: Sequence[tuple[str, dict[str, Any]]]) -> list[Appended]:
        out: list[Appended] = []
        with self.engine.begin() as conn:
            if self._pg:
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
            head = conn.execute(select(t.ledger.c.hash).order_by(t.ledger.c.seq.desc()).limit(1)).scalar()
            prev = head or GENESIS
            for kind, data in events:
                ts = datetime.now(UTC)
                payload = canonical_json({"kind": kind, "ts": ts.isoformat(), "data": data})
                h = row_hash(prev, payload)
                seq = conn.execute(
                    insert(t.ledger)
                    .values(ts=ts, kind=kind, payload=payload, prev_hash=prev, hash=h)
                    .returning(t.ledger.c.seq)
                ).scalar_one()
                out.append(Appended(seq, h, ts))
                prev = h
        return out

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
                yield LedgerRow(r.seq, r.prev_hash, r.hash, r.payload)
            last = chunk[-1].seq

    def verify(self) -> VerifyResult:
        return verify_rows(self.rows())


def _retryable(exc: Exception) -> bool:
    msg = str(exc).lower()
    return (
        isinstance(exc, IntegrityError)
        or "locked" in msg
        or "busy" in msg
        or "deadlock" in msg
        or "serializ" in msg
    )
