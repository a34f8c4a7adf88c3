"""The composition root: wires settings, stores, detectors and the policy. CLI, HTTP API and console are thin
adapters over this class; it is the only module that knows all the parts."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mamori.config import Settings
from mamori.policy.decide import PolicyBook, decide
from mamori.registry.fileformat import Problem, RegistryFileError, load_file
from mamori.registry.model import Registry
from mamori.screening.base import Corpus
from mamori.screening.text import TextMatcher, detect_themes
from mamori.storage.db import make_engine, migrate
from mamori.storage.ledger_store import LedgerStore
from mamori.storage.registry_store import ImportReport, ReferenceBlob, RegistryStore
from mamori.types import Decision, RequestContext, Verdict

log = logging.getLogger("mamori")

MAX_REFERENCE_BYTES = 50 * 1024 * 1024
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"\x1a\x45\xdf\xa3", "video/webm"),
)


def sniff_mime(data: bytes) -> str | None:
    for magic, mime in _MAGIC:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp":
        return "video/mp4"
    return None


@dataclass
class _Indexes:
    stamp: tuple[Any, ...]
    registry: Registry
    book: PolicyBook
    text: TextMatcher
    policy_versions: dict[str, int]


class Mamori:
    """One instance per process; thread-safe for screening."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.engine = make_engine(settings.db)
        migrate(self.engine)
        self.registry_store = RegistryStore(self.engine)
        self.ledger = LedgerStore(self.engine)
        self._lock = threading.Lock()
        self._indexes: _Indexes | None = None
        self._checked_at = 0.0

    @classmethod
    def open(cls, db: str | None = None, **overrides: Any) -> Mamori:
        return cls(Settings.from_env(db=db, **overrides))

    def close(self) -> None:
        self.engine.dispose()

    # --- registry ---------------------------------------------------------------------------------------

    def read_registry_file(self, path: str | Path) -> tuple[Registry, list[ReferenceBlob]]:
        """Validate a registry file and read its reference files; every problem is reported at once."""
        reg = load_file(path)
        base = Path(reg.base_dir or ".")
        blobs: list[ReferenceBlob] = []
        problems: list[Problem] = []
        for i, c in enumerate(reg.characters):
            for j, ref in enumerate(c.references):
                where = f"characters[{i}].references[{j}]"
                try:
                    data = (base / ref).read_bytes()
                except OSError as exc:
                    problems.append(Problem(where, f"cannot read {ref}: {exc.strerror or exc}"))
                    continue
                mime = sniff_mime(data)
                if len(data) > MAX_REFERENCE_BYTES:
                    problems.append(Problem(where, f"{ref} is larger than {MAX_REFERENCE_BYTES // 2**20} MiB"))
                elif mime is None:
                    problems.append(Problem(where, f"{ref} is not a PNG, JPEG, GIF, WebP, MP4 or WebM file"))
                else:
                    blobs.append(ReferenceBlob(c.id, ref, data, mime))
        if problems:
            raise RegistryFileError(str(path), problems)
        return reg, blobs

    def import_registry(self, path: str | Path) -> ImportReport:
        reg, blobs = self.read_registry_file(path)
        report = self.registry_store.import_registry(reg, blobs)
        events: list[tuple[str, dict[str, Any]]] = [("registry.import", {"source": Path(path).name, **report.to_json()})]
        events += [("policy.change", change) for change in report.policy_changes]
        self.ledger.append_many(events)
        self.invalidate()
        return report

    def registry(self) -> Registry:
        return self.indexes().registry

    # --- indexes ----------------------------------------------------------------------------------------

    def invalidate(self) -> None:
        with self._lock:
            self._indexes = None

    def _stamp(self) -> tuple[Any, ...]:
        from sqlalchemy import func, select

        from mamori.storage import schema as t

        with self.engine.connect() as conn:
            chars = conn.execute(select(func.count(), func.max(t.characters.c.updated_at))).one()
            works = conn.execute(select(func.count()).select_from(t.works)).scalar()
            allow = conn.execute(select(func.count()).select_from(t.allowlist)).scalar()
        return (tuple(chars), works, allow)

    def indexes(self) -> _Indexes:
        """Built once, rebuilt when the registry changes (checked at most every registry_refresh_seconds)."""
        now = time.monotonic()
        current = self._indexes
        if current is not None and now - self._checked_at < self.settings.registry_refresh_seconds:
            return current
        with self._lock:
            stamp = self._stamp()
            self._checked_at = now
            if self._indexes is not None and self._indexes.stamp == stamp:
                return self._indexes
            reg = self.registry_store.load()
            allow = [(c, p) for c, p, _ in self.registry_store.allowlist() if p]
            text = TextMatcher.build(Corpus(registry=reg, allowlist=allow, settings=self.settings))
            versions = self.registry_store.current_policy_versions()
            self._indexes = _Indexes(stamp, reg, PolicyBook.from_registry(reg), text, versions)
            return self._indexes

    # --- screening --------------------------------------------------------------------------------------

    def context(self, platform: str | None, territory: str | None, at: datetime | None = None) -> RequestContext:
        return RequestContext(platform or None, territory.upper() if territory else None, at or datetime.now(UTC))

    def decide_prompt(self, text: str, ctx: RequestContext) -> Decision:
        """Screen one prompt and decide; records nothing."""
        if len(text) > self.settings.max_prompt_chars:
            raise PromptError(
                f"prompt is {len(text):,} characters; the limit is {self.settings.max_prompt_chars:,} (MAMORI_MAX_PROMPT_CHARS)"
            )
        idx = self.indexes()
        matches = idx.text.detect(text)
        themes = detect_themes(text)
        return decide(matches, themes, ctx, idx.book)

    def screen_prompt(self, text: str, ctx: RequestContext, record: bool = True, request_id: str | None = None) -> Decision:
        decision = self.decide_prompt(text, ctx)
        if record:
            self.ledger.append("decision.prompt", self.decision_event(decision, ctx, text, request_id))
        return decision

    def decision_event(self, d: Decision, ctx: RequestContext, text: str | None, request_id: str | None) -> dict[str, Any]:
        idx = self.indexes()
        reg = idx.registry
        chars = sorted({m.character for m in d.matches if m.character})
        return {
            "request_id": request_id,
            "platform": ctx.platform,
            "territory": ctx.territory,
            "prompt": text,
            "language": prompt_language(text or ""),
            "decision": d.to_json(),
            "works": sorted({m.work for m in d.matches}),
            "rightsholders": sorted(
                {w.rightsholder for w in reg.works if w.id in {m.work for m in d.matches}}
            ),
            "policy_versions": {c: idx.policy_versions.get(c) for c in chars},
        }


class PromptError(ValueError):
    """A prompt that cannot be screened (too long); the caller reports it per request."""


def prompt_language(text: str) -> str:
    """A coarse script-based language tag for audit summaries: ja, zh, ko, en/latin, other."""
    kana = sum(1 for ch in text if "\u3040" <= ch <= "\u30ff")
    han = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    hangul = sum(1 for ch in text if "\uac00" <= ch <= "\ud7af")
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    if kana:
        return "ja"
    if hangul:
        return "ko"
    if han:
        return "zh"
    if latin:
        return "en"
    return "other"


def verdict_counts(decisions: list[Decision]) -> dict[str, int]:
    out = {v.value: 0 for v in Verdict}
    for d in decisions:
        out[d.verdict.value] += 1
    return out
