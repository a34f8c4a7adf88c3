"""SQL for the service operations' own tables: API keys, generations, the review queue, and single-object registry
deletes. No policy here: mamori.ops decides, this module only reads and writes rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select, text, update

from mamori.storage import schema as t


def now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes for timezone-aware columns; everything we store is UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


@dataclass(frozen=True)
class KeyRow:
    id: str
    role: str
    rightsholder: str | None
    platform: str | None
    label: str | None
    created_at: datetime
    revoked_at: datetime | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "role": self.role,
            "rightsholder": self.rightsholder,
            "platform": self.platform,
            "label": self.label,
            "created_at": self.created_at.isoformat(),
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
        }


def _key(r: Any) -> KeyRow:
    created = _aware(r.created_at)
    assert created is not None  # NOT NULL column
    return KeyRow(r.id, r.role, r.rightsholder_id, r.platform_id, r.label, created, _aware(r.revoked_at))


class OpsStore:
    def __init__(self, engine: Engine):
        self.engine = engine

    # --- health ------------------------------------------------------------------------------------------

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def ledger_page(self, after: int, limit: int) -> list[dict[str, Any]]:
        """Ledger rows with seq > after, as stored, in chain order."""
        lg = t.ledger
        q = (
            select(lg.c.seq, lg.c.prev_hash, lg.c.hash, lg.c.payload)
            .where(lg.c.seq > after)
            .order_by(lg.c.seq)
        )
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(q.limit(limit)).mappings()]

    # --- API keys ----------------------------------------------------------------------------------------

    def insert_key(
        self,
        ident: str,
        key_hash: str,
        role: str,
        rightsholder: str | None,
        platform: str | None,
        label: str | None,
    ) -> KeyRow:
        created = now()
        with self.engine.begin() as conn:
            conn.execute(
                insert(t.api_keys).values(
                    id=ident,
                    key_hash=key_hash,
                    role=role,
                    rightsholder_id=rightsholder,
                    platform_id=platform,
                    label=label,
                    created_at=created,
                )
            )
        return KeyRow(ident, role, rightsholder, platform, label, created, None)

    def key_by_hash(self, key_hash: str) -> KeyRow | None:
        with self.engine.connect() as conn:
            r = conn.execute(select(t.api_keys).where(t.api_keys.c.key_hash == key_hash)).first()
        return _key(r) if r is not None else None

    def key(self, ident: str) -> KeyRow | None:
        with self.engine.connect() as conn:
            r = conn.execute(select(t.api_keys).where(t.api_keys.c.id == ident)).first()
        return _key(r) if r is not None else None

    def keys(self) -> list[KeyRow]:
        with self.engine.connect() as conn:
            return [
                _key(r)
                for r in conn.execute(select(t.api_keys).order_by(t.api_keys.c.created_at, t.api_keys.c.id))
            ]

    def revoke_key(self, ident: str) -> bool:
        with self.engine.begin() as conn:
            res = conn.execute(
                update(t.api_keys)
                .where(t.api_keys.c.id == ident, t.api_keys.c.revoked_at.is_(None))
                .values(revoked_at=now())
            )
        return bool(res.rowcount)

    # --- generations -------------------------------------------------------------------------------------

    def insert_generation(
        self,
        ident: str,
        platform: str | None,
        territory: str | None,
        prompt: str,
        price: tuple[str, str] | None,
        status: str,
        decision: dict[str, Any],
        ledger_hash: str | None,
    ) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                insert(t.generations).values(
                    id=ident,
                    platform_id=platform,
                    territory=territory,
                    prompt=prompt,
                    price_amount=price[0] if price else None,
                    price_currency=price[1] if price else None,
                    status=status,
                    decision=decision,
                    ledger_hash=ledger_hash,
                    created_at=now(),
                )
            )

    def generation(self, ident: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            r = conn.execute(select(t.generations).where(t.generations.c.id == ident)).mappings().first()
        if r is None:
            return None
        out = dict(r)
        out["created_at"] = _aware(out["created_at"])
        out["settled_at"] = _aware(out["settled_at"])
        return out

    def close_generation(
        self, ident: str, status: str, output_decision: dict[str, Any], ledger_hash: str | None
    ) -> bool:
        """Move an open generation to its final status; False when it was not open (a concurrent close won)."""
        with self.engine.begin() as conn:
            res = conn.execute(
                update(t.generations)
                .where(t.generations.c.id == ident, t.generations.c.status == "open")
                .values(
                    status=status, output_decision=output_decision, ledger_hash=ledger_hash, settled_at=now()
                )
            )
        return bool(res.rowcount)

    # --- reviews and disputes ----------------------------------------------------------------------------

    def insert_review(
        self,
        kind: str,
        character: str | None,
        work: str | None,
        rightsholder: str | None,
        generation: str | None,
        subject: dict[str, Any],
        reason: str | None,
        filed_by: str | None,
        deadline: datetime,
    ) -> int:
        with self.engine.begin() as conn:
            return int(
                conn.execute(
                    insert(t.reviews)
                    .values(
                        kind=kind,
                        status="open",
                        character_id=character,
                        work_id=work,
                        rightsholder_id=rightsholder,
                        generation_id=generation,
                        subject=subject,
                        reason=reason,
                        filed_by=filed_by,
                        created_at=now(),
                        deadline=deadline,
                    )
                    .returning(t.reviews.c.id)
                ).scalar_one()
            )

    def reviews(
        self,
        status: str | None = None,
        rightsholder: str | None = None,
        work: str | None = None,
        limit: int = 1000,
    ) -> list[dict[str, Any]]:
        r = t.reviews
        q = select(r).order_by(r.c.id).limit(limit)
        if status is not None:
            q = q.where(r.c.status == status)
        if rightsholder is not None:
            q = q.where(r.c.rightsholder_id == rightsholder)
        if work is not None:
            q = q.where(r.c.work_id == work)
        with self.engine.connect() as conn:
            return [_review(row) for row in conn.execute(q).mappings()]

    def review(self, ident: int) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.reviews).where(t.reviews.c.id == ident)).mappings().first()
        return _review(row) if row is not None else None

    def resolve_review(self, ident: int, status: str, resolution: dict[str, Any]) -> bool:
        with self.engine.begin() as conn:
            res = conn.execute(
                update(t.reviews)
                .where(t.reviews.c.id == ident, t.reviews.c.status == "open")
                .values(status=status, resolution=resolution, resolved_at=now())
            )
        return bool(res.rowcount)

    # --- registry deletes (the store's import path covers upserts) ----------------------------------------

    def delete_character(self, ident: str) -> bool:
        with self.engine.begin() as conn:
            conn.execute(delete(t.reference_images).where(t.reference_images.c.character_id == ident))
            conn.execute(delete(t.policy_versions).where(t.policy_versions.c.character_id == ident))
            res = conn.execute(delete(t.characters).where(t.characters.c.id == ident))
        return bool(res.rowcount)

    def count_characters_of_work(self, work: str) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).where(t.characters.c.work_id == work)).scalar_one())

    def count_works_of(self, rightsholder: str) -> int:
        with self.engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.count()).where(t.works.c.rightsholder_id == rightsholder)
                ).scalar_one()
            )

    def delete_work(self, ident: str) -> bool:
        with self.engine.begin() as conn:
            return bool(conn.execute(delete(t.works).where(t.works.c.id == ident)).rowcount)

    def delete_rightsholder(self, ident: str) -> bool:
        with self.engine.begin() as conn:
            return bool(conn.execute(delete(t.rightsholders).where(t.rightsholders.c.id == ident)).rowcount)

    def delete_reference(self, character: str, ref_id: int) -> str | None:
        """Delete one of the character's references; its path, or None when it has no such reference."""
        ref = t.reference_images
        with self.engine.begin() as conn:
            return conn.execute(  # type: ignore[no-any-return]
                delete(ref).where(ref.c.id == ref_id, ref.c.character_id == character).returning(ref.c.path)
            ).scalar()


def _review(row: Any) -> dict[str, Any]:
    out = dict(row)
    for k in ("created_at", "deadline", "resolved_at"):
        v = _aware(out.get(k))
        out[k] = v.isoformat() if v else None
    return out
