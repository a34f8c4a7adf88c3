"""SQL for the transparency log's side tables: signed checkpoints, and prompt text kept outside the ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, delete, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from mamori.storage import schema as t


@dataclass(frozen=True)
class StoredCheckpoint:
    size: int
    root: str
    note: str
    created_at: datetime


class CheckpointStore:
    def __init__(self, engine: Engine):
        self.engine = engine

    def save(self, size: int, root: str, note: str) -> None:
        """Keep a signed checkpoint; another process having cut the same size already is fine."""
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(t.ledger_checkpoints).values(
                        size=size, root=root, note=note, created_at=datetime.now(UTC)
                    )
                )
        except IntegrityError:
            pass

    def latest(self) -> StoredCheckpoint | None:
        c = t.ledger_checkpoints.c
        with self.engine.connect() as conn:
            r = conn.execute(select(t.ledger_checkpoints).order_by(c.size.desc()).limit(1)).first()
        return StoredCheckpoint(r.size, r.root, r.note, r.created_at) if r else None

    def roots(self) -> dict[int, bytes]:
        """{size: root} of every stored checkpoint, for verifying the log against what was signed."""
        c = t.ledger_checkpoints.c
        with self.engine.connect() as conn:
            return {int(r.size): bytes.fromhex(r.root) for r in conn.execute(select(c.size, c.root))}

    def recent(self, limit: int) -> list[StoredCheckpoint]:
        """The newest `limit` checkpoints, newest first."""
        c = t.ledger_checkpoints.c
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.ledger_checkpoints).order_by(c.size.desc()).limit(limit)).all()
        return [StoredCheckpoint(r.size, r.root, r.note, r.created_at) for r in rows]

    def get(self, size: int) -> StoredCheckpoint | None:
        with self.engine.connect() as conn:
            r = conn.execute(select(t.ledger_checkpoints).where(t.ledger_checkpoints.c.size == size)).first()
        return StoredCheckpoint(r.size, r.root, r.note, r.created_at) if r else None

    def add_signatures(self, size: int, merge: Any) -> str | None:
        """Replace the note of `size` by `merge(note)` (witness cosignatures added) in one transaction."""
        c = t.ledger_checkpoints.c
        with self.engine.begin() as conn:
            q = select(c.note).where(c.size == size)
            if conn.dialect.name == "postgresql":
                q = q.with_for_update()
            note = conn.execute(q).scalar()
            if note is None:
                return None
            new = merge(note)
            if new != note:
                conn.execute(update(t.ledger_checkpoints).where(c.size == size).values(note=new))
            return str(new)

    def notes(self) -> list[str]:
        c = t.ledger_checkpoints.c
        with self.engine.connect() as conn:
            return [r.note for r in conn.execute(select(c.note).order_by(c.size))]


@dataclass(frozen=True)
class StoredKey:
    vkey: str
    added_at: datetime
    retired_at: datetime | None
    last_size: int | None


class KeyStore:
    """The log's checkpoint keys over time: what `GET /v1/ledger/keys` publishes."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def all(self) -> list[StoredKey]:
        c = t.ledger_keys.c
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.ledger_keys).order_by(c.added_at, c.vkey)).all()
        return [StoredKey(r.vkey, r.added_at, r.retired_at, r.last_size) for r in rows]

    def add(self, vkey: str) -> bool:
        """Record a key (once); True when it was new."""
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(t.ledger_keys).values(vkey=vkey, added_at=datetime.now(UTC)))
        except IntegrityError:
            return False
        return True

    def retire(self, vkey: str, last_size: int | None) -> bool:
        c = t.ledger_keys.c
        with self.engine.begin() as conn:
            n = conn.execute(
                update(t.ledger_keys)
                .where(c.vkey == vkey, c.retired_at.is_(None))
                .values(retired_at=datetime.now(UTC), last_size=last_size)
            ).rowcount
        return bool(n)


class PromptStore:
    """Prompt plaintext and the salt of its commitment, keyed by the commitment the ledger entry holds."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._sqlite = engine.dialect.name == "sqlite"

    def put(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            now = datetime.now(UTC)
            with self.engine.begin() as conn:
                conn.execute(insert(t.prompt_texts), [{"created_at": now, **r} for r in rows])

    def get(self, commitment: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            r = conn.execute(select(t.prompt_texts).where(t.prompt_texts.c.commitment == commitment)).first()
        return dict(r._mapping) if r else None

    def get_many(self, commitments: list[str]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        pt = t.prompt_texts
        with self.engine.connect() as conn:
            for i in range(0, len(commitments), 400):
                part = commitments[i : i + 400]
                for r in conn.execute(select(pt).where(pt.c.commitment.in_(part))):
                    out[r.commitment] = dict(r._mapping)
        return out

    @staticmethod
    def _where(
        before: datetime | None, commitments: list[str] | None, platform_user: str | None
    ) -> list[Any]:
        pt = t.prompt_texts
        cond: list[Any] = []
        if before is not None:
            cond.append(pt.c.created_at < before)
        if commitments is not None:
            cond.append(pt.c.commitment.in_(commitments))
        if platform_user is not None:
            cond.append(pt.c.platform_user == platform_user)
        if not cond:
            raise ValueError("say what to erase")
        return cond

    def texts_matching(
        self, before: datetime | None, commitments: list[str] | None, platform_user: str | None
    ) -> list[dict[str, Any]]:
        pt = t.prompt_texts
        q = select(pt.c.text).where(*self._where(before, commitments, platform_user))
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def erase(
        self,
        before: datetime | None = None,
        commitments: list[str] | None = None,
        platform_user: str | None = None,
        keep_texts: set[str] | None = None,
    ) -> tuple[int, int]:
        """Delete matching texts except those in `keep_texts` (open reviews need them); returns (erased, kept).
        SQLite overwrites freed content (secure_delete, set per connection in storage/db.py) and the WAL is folded
        back and truncated, so the text leaves the database files."""
        pt = t.prompt_texts
        cond = self._where(before, commitments, platform_user)
        kept = 0
        with self.engine.begin() as conn:
            if keep_texts:
                keep = list(keep_texts)
                kept = len(conn.execute(select(pt.c.commitment).where(*cond, pt.c.text.in_(keep))).all())
                cond.append(pt.c.text.not_in(keep))
            erased = conn.execute(delete(pt).where(*cond)).rowcount
        if self._sqlite and erased:
            with self.engine.connect() as conn:
                conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        return int(erased or 0), kept
