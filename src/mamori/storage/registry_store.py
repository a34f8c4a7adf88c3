"""RegistryStore on SQLAlchemy: rightsholders, works, characters, versioned policies, reference images,
cached detector signals and the reviewers' allowlist. Every import is one transaction."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, bindparam, delete, insert, select, update
from sqlalchemy.engine import Connection

from mamori.registry.fileformat import policy_from_json, policy_to_json
from mamori.registry.model import Character, Policy, Registry, Rightsholder, Work
from mamori.storage import schema as t


def now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ReferenceBlob:
    character: str
    path: str
    data: bytes
    mime: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class ImportReport:
    rightsholders: int = 0
    works: int = 0
    characters: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    policy_changes: list[dict[str, Any]] = field(default_factory=list)  # {character, version, policy}
    references_added: int = 0
    references_unchanged: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "rightsholders": self.rightsholders,
            "works": self.works,
            "characters": self.characters,
            "created": self.created,
            "updated": self.updated,
            "unchanged": len(self.unchanged),
            "policy_changes": self.policy_changes,
            "references_added": self.references_added,
            "references_unchanged": self.references_unchanged,
        }


def _row_to_character(r: Any) -> Character:
    return Character(
        id=r.id,
        work=r.work_id,
        names=tuple(r.names),
        traits=tuple(r.traits),
        references=tuple(r.reference_paths),
        policy=policy_from_json(r.policy) if r.policy is not None else None,
        ambiguous=(r.senses or {}).get("ambiguous"),
        other_senses=tuple((r.senses or {}).get("other_senses") or ()),
        voices=tuple(r.voice_paths or ()),
    )


def _senses_json(c: Character) -> dict[str, Any] | None:
    """What the rightsholder said about a name's other senses; None when they left it to the data."""
    if c.ambiguous is None and not c.other_senses:
        return None
    return {"ambiguous": c.ambiguous, "other_senses": list(c.other_senses)}


class RegistryStore:
    def __init__(self, engine: Engine):
        self.engine = engine

    # --- import / export -------------------------------------------------------------------------------

    def import_registry(self, reg: Registry, refs: list[ReferenceBlob] | None = None) -> ImportReport:
        """Upsert everything by id in one transaction; a failure leaves the store as it was."""
        report = ImportReport(len(reg.rightsholders), len(reg.works), len(reg.characters))
        with self.engine.begin() as conn:
            self._upsert_many(
                conn,
                t.rightsholders,
                {rh.id: {"name": rh.name, "country": rh.country} for rh in reg.rightsholders},
            )
            self._upsert_many(
                conn,
                t.works,
                {w.id: {"rightsholder_id": w.rightsholder, "titles": list(w.titles)} for w in reg.works},
            )
            self._put_characters(conn, reg.characters, report)
            for blob in refs or []:
                self._put_reference(conn, blob, report)
        return report

    # Bulk paths for imports: existing rows are read in chunks of ids and written with executemany, so 60,000
    # characters cost a few hundred statements instead of three per character.
    _CHUNK = 500

    def _existing(self, conn: Connection, table: Any, ids: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for i in range(0, len(ids), self._CHUNK):
            part = ids[i : i + self._CHUNK]
            out.update((r.id, r) for r in conn.execute(select(table).where(table.c.id.in_(part))))
        return out

    @staticmethod
    def _update_many(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        keys = [k for k in rows[0] if k != "id"]
        stmt = (
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values({k: bindparam(f"v_{k}") for k in keys})
        )
        conn.execute(stmt, [{"b_id": r["id"], **{f"v_{k}": r[k] for k in keys}} for r in rows])

    def _upsert_many(self, conn: Connection, table: Any, rows: dict[str, dict[str, Any]]) -> None:
        existing = self._existing(conn, table, list(rows))
        inserts, updates = [], []
        for ident, values in rows.items():
            row = existing.get(ident)
            if row is None:
                inserts.append({"id": ident, **values})
            elif any(getattr(row, k) != v for k, v in values.items()):
                updates.append({"id": ident, **values})
        if inserts:
            conn.execute(insert(table), inserts)
        self._update_many(conn, table, updates)

    def _put_characters(self, conn: Connection, chars: tuple[Character, ...], report: ImportReport) -> None:
        stamp = now()
        for i in range(0, len(chars), self._CHUNK):  # a chunk at a time: memory stays flat at any size
            self._put_chunk(conn, chars[i : i + self._CHUNK], report, stamp)

    def _put_chunk(
        self, conn: Connection, chars: tuple[Character, ...], report: ImportReport, stamp: datetime
    ) -> None:
        existing = self._existing(conn, t.characters, [c.id for c in chars])
        inserts, updates, versions = [], [], []
        for c in chars:
            policy_json = policy_to_json(c.policy)
            values = {
                "work_id": c.work,
                "names": list(c.names),
                "traits": list(c.traits),
                "reference_paths": list(c.references),
                "senses": _senses_json(c),
                "voice_paths": list(c.voices) or None,
            }
            row = existing.get(c.id)
            if row is None:
                inserts.append(
                    {"id": c.id, "policy": policy_json, "policy_version": 1, "updated_at": stamp, **values}
                )
                versions.append(
                    {"character_id": c.id, "version": 1, "policy": policy_json, "created_at": stamp}
                )
                report.created.append(c.id)
                report.policy_changes.append({"character": c.id, "version": 1, "policy": policy_json})
                continue
            changed = any(getattr(row, k) != v for k, v in values.items())
            version = row.policy_version
            if row.policy != policy_json:
                version += 1
                versions.append(
                    {"character_id": c.id, "version": version, "policy": policy_json, "created_at": stamp}
                )
                report.policy_changes.append({"character": c.id, "version": version, "policy": policy_json})
                changed = True
            if changed:
                updates.append(
                    {
                        "id": c.id,
                        "policy": policy_json,
                        "policy_version": version,
                        "updated_at": stamp,
                        **values,
                    }
                )
                report.updated.append(c.id)
            else:
                report.unchanged.append(c.id)
        if inserts:
            conn.execute(insert(t.characters), inserts)
        if versions:
            conn.execute(insert(t.policy_versions), versions)
        self._update_many(conn, t.characters, updates)

    def _put_reference(self, conn: Connection, blob: ReferenceBlob, report: ImportReport) -> None:
        ref = t.reference_images
        row = conn.execute(
            select(ref.c.id, ref.c.sha256).where(
                ref.c.character_id == blob.character, ref.c.path == blob.path
            )
        ).first()
        if row is not None and row.sha256 == blob.sha256:
            report.references_unchanged += 1
            return
        if row is not None:
            conn.execute(delete(ref).where(ref.c.id == row.id))
        conn.execute(
            insert(ref).values(
                character_id=blob.character,
                path=blob.path,
                sha256=blob.sha256,
                mime=blob.mime,
                data=blob.data,
                created_at=now(),
            )
        )
        report.references_added += 1

    def load(self) -> Registry:
        with self.engine.connect() as conn:
            holders = [
                Rightsholder(r.id, r.name, r.country)
                for r in conn.execute(select(t.rightsholders).order_by(t.rightsholders.c.id))
            ]
            works = [
                Work(r.id, r.rightsholder_id, tuple(r.titles))
                for r in conn.execute(select(t.works).order_by(t.works.c.id))
            ]
            chars = [
                _row_to_character(r) for r in conn.execute(select(t.characters).order_by(t.characters.c.id))
            ]
        return Registry(tuple(holders), tuple(works), tuple(chars))

    # --- single-object edits (API, console) ------------------------------------------------------------

    def get_character(self, ident: str) -> Character | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.characters).where(t.characters.c.id == ident)).first()
        return _row_to_character(row) if row is not None else None

    def rightsholder_of_work(self, work_id: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(select(t.works.c.rightsholder_id).where(t.works.c.id == work_id)).scalar()

    def set_policy(self, character: str, policy: Policy | None) -> int:
        """Replace a character's policy; returns the new policy version."""
        report = ImportReport()
        with self.engine.begin() as conn:
            row = conn.execute(select(t.characters).where(t.characters.c.id == character)).first()
            if row is None:
                raise KeyError(character)
            self._put_characters(conn, (replace(_row_to_character(row), policy=policy),), report)
        return report.policy_changes[0]["version"] if report.policy_changes else int(row.policy_version)

    def policy_version(self, character: str, at: datetime | None = None) -> int | None:
        """The policy version in force for a character at a time (newest when `at` is None)."""
        pv = t.policy_versions
        q = select(pv.c.version).where(pv.c.character_id == character)
        if at is not None:
            q = q.where(pv.c.created_at <= at)
        with self.engine.connect() as conn:
            return conn.execute(q.order_by(pv.c.version.desc()).limit(1)).scalar()

    def current_policy_versions(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {
                r.id: r.policy_version
                for r in conn.execute(select(t.characters.c.id, t.characters.c.policy_version))
            }

    def policy_history(self, character: str) -> list[dict[str, Any]]:
        pv = t.policy_versions
        with self.engine.connect() as conn:
            rows = conn.execute(select(pv).where(pv.c.character_id == character).order_by(pv.c.version))
            return [
                {"version": r.version, "policy": r.policy, "created_at": r.created_at.isoformat()}
                for r in rows
            ]

    # --- references and their signals -------------------------------------------------------------------

    def add_reference(self, blob: ReferenceBlob) -> bool:
        report = ImportReport()
        with self.engine.begin() as conn:
            self._put_reference(conn, blob, report)
        return report.references_added == 1

    def iter_references(self) -> Iterator[tuple[int, str, str, str, bytes]]:
        """(ref id, character, work, sha256, bytes) for every stored reference image."""
        ref, ch = t.reference_images, t.characters
        q = select(ref.c.id, ref.c.character_id, ch.c.work_id, ref.c.sha256, ref.c.data).join(
            ch, ch.c.id == ref.c.character_id
        )
        with self.engine.connect() as conn:
            yield from (
                (r.id, r.character_id, r.work_id, r.sha256, r.data)
                for r in conn.execute(q.order_by(ref.c.id))
            )

    def iter_sound_references(self) -> Iterator[tuple[int, str, str, str, str, bytes]]:
        """(ref id, character, work, sha256, path, bytes) for every stored audio or video reference (the ones that
        may carry sound); images are not read."""
        ref, ch = t.reference_images, t.characters
        q = (
            select(ref.c.id, ref.c.character_id, ch.c.work_id, ref.c.sha256, ref.c.path, ref.c.data)
            .join(ch, ch.c.id == ref.c.character_id)
            .where(ref.c.mime.like("audio/%") | ref.c.mime.like("video/%"))
        )
        with self.engine.connect() as conn:
            yield from (
                (r.id, r.character_id, r.work_id, r.sha256, r.path, r.data)
                for r in conn.execute(q.order_by(ref.c.id))
            )

    def reference_summaries(self, character: str) -> list[dict[str, Any]]:
        ref = t.reference_images
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(ref.c.id, ref.c.path, ref.c.sha256, ref.c.mime).where(ref.c.character_id == character)
            )
            return [{"id": r.id, "path": r.path, "sha256": r.sha256, "mime": r.mime} for r in rows]

    def reference_data(self, ref_id: int) -> tuple[str, bytes] | None:
        ref = t.reference_images
        with self.engine.connect() as conn:
            row = conn.execute(select(ref.c.mime, ref.c.data).where(ref.c.id == ref_id)).first()
        return (row.mime, row.data) if row is not None else None

    def get_signal(self, sha256: str, detector: str, version: str) -> bytes | None:
        s = t.signals
        with self.engine.connect() as conn:
            return conn.execute(
                select(s.c.payload).where(
                    s.c.sha256 == sha256, s.c.detector == detector, s.c.version == version
                )
            ).scalar()

    def put_signal(self, sha256: str, detector: str, version: str, payload: bytes) -> None:
        s = t.signals
        with self.engine.begin() as conn:
            conn.execute(
                delete(s).where(s.c.sha256 == sha256, s.c.detector == detector, s.c.version == version)
            )
            conn.execute(insert(s).values(sha256=sha256, detector=detector, version=version, payload=payload))

    def drop_signals(self, detector: str, keep: str) -> int:
        """Delete `detector`'s entries under every key but `keep`: for a signal of which only the newest counts (an
        index's trained state, keyed by a digest of the registry it was built from), so old ones do not pile up."""
        s = t.signals
        with self.engine.begin() as conn:
            return int(conn.execute(delete(s).where(s.c.detector == detector, s.c.sha256 != keep)).rowcount)

    # --- allowlist ---------------------------------------------------------------------------------------

    def add_allowlist(
        self, character: str | None, phrase: str | None, reference_sha256: str | None, review_id: int | None
    ) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                insert(t.allowlist).values(
                    character_id=character,
                    phrase=phrase,
                    reference_sha256=reference_sha256,
                    review_id=review_id,
                    created_at=now(),
                )
            )

    def allowlist(self) -> list[tuple[str | None, str | None, str | None]]:
        with self.engine.connect() as conn:
            return [
                (r.character_id, r.phrase, r.reference_sha256)
                for r in conn.execute(select(t.allowlist).order_by(t.allowlist.c.id))
            ]
