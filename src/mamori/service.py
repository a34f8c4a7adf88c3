"""The composition root: wires settings, stores, detectors and the policy. CLI, HTTP API and console are thin
adapters over this class; it is the only module that knows all the parts."""

from __future__ import annotations

import gc
import logging
import threading
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from mamori.config import Settings
from mamori.mediatype import SNIFF_BYTES, kind_of, sniff_mime
from mamori.policy.decide import PolicyBook, decide
from mamori.registry.fileformat import Problem, RegistryFileError, load_file
from mamori.registry.model import Registry
from mamori.screening.base import Corpus
from mamori.screening.text import TextMatcher, detect_themes
from mamori.screening.text.persist import cache_folder, load_or_build
from mamori.screening.text.persist import digest as text_digest
from mamori.storage.db import make_engine, migrate, normalise_url
from mamori.storage.grouped_ledger import GroupCommitLedgerStore
from mamori.storage.registry_store import ImportReport, ReferenceBlob, RegistryStore
from mamori.storage.tlog_store import CheckpointStore, KeyStore, PromptStore
from mamori.storage.wal import WalCheckpointer
from mamori.textsafe import SafeText, prompt_language, safe_text
from mamori.types import Decision, RequestContext, Verdict

log = logging.getLogger("mamori")

MAX_REFERENCE_BYTES = 50 * 1024 * 1024
POLICY_CHANGES_PER_EVENT = 1000


def reference_mime(data: bytes) -> str | None:
    """The MIME type of a reference file when it is an image, a video or audio (the kinds references can be)."""
    mime = sniff_mime(data[:SNIFF_BYTES])
    return mime if kind_of(mime) in ("image", "video", "audio") else None


NOT_A_REFERENCE = "is not an image, video or audio file (PNG, JPEG, GIF, WebP, TIFF, BMP, MP4, WebM, WAV, FLAC, MP3, Ogg, M4A, …)"
NOT_A_VOICE = "is not a voice sample: an audio file (WAV, FLAC, MP3, Ogg, M4A, …) or a video with sound"


def _audio_problem(data: bytes, settings: Settings) -> str | None:
    from mamori.screening.audio import service_gate

    return service_gate.check_reference(data, settings)


def read_registry_file(path: str | Path, settings: Settings) -> tuple[Registry, list[ReferenceBlob]]:
    """Validate a registry file and read its reference files (content checked: images/videos by their bytes,
    audio decoded); every problem is reported at once."""
    reg = load_file(path)
    base = Path(reg.base_dir or ".")
    blobs: list[ReferenceBlob] = []
    problems: list[Problem] = []
    for i, c in enumerate(reg.characters):
        voices = set(c.voices)
        read = [(f"references[{j}]", ref) for j, ref in enumerate(c.references)]
        read += [(f"voices[{j}]", ref) for j, ref in enumerate(c.voices) if ref not in c.references]
        for field, ref in read:
            where = f"characters[{i}].{field}"
            try:
                data = (base / ref).read_bytes()
            except OSError as exc:
                problems.append(Problem(where, f"cannot read {ref}: {exc.strerror or exc}"))
                continue
            mime = reference_mime(data)
            if len(data) > MAX_REFERENCE_BYTES:
                problems.append(Problem(where, f"{ref} is larger than {MAX_REFERENCE_BYTES // 2**20} MiB"))
            elif mime is None:
                problems.append(Problem(where, f"{ref} {NOT_A_REFERENCE}"))
            elif ref in voices and kind_of(mime) not in ("audio", "video"):
                problems.append(Problem(where, f"{ref} {NOT_A_VOICE}"))
            elif (kind_of(mime) == "audio" or ref in voices) and (bad := _audio_problem(data, settings)):
                problems.append(Problem(where, f"{ref}: {bad}"))
            else:
                blobs.append(ReferenceBlob(c.id, ref, data, mime))
    if problems:
        raise RegistryFileError(str(path), problems)
    return reg, blobs


@dataclass
class _Indexes:
    stamp: tuple[Any, ...]
    registry: Registry
    book: PolicyBook
    text: TextMatcher
    policy_versions: dict[str, int]
    text_key: str = ""  # persist.digest of what the prompt index was built from
    text_source: str = "built"  # the prompt index: 'loaded' from the cache, 'built' (and cached), 'kept', ...

    @cached_property
    def work_owner(self) -> dict[str, str]:
        return {w.id: w.rightsholder for w in self.registry.works}

    @cached_property
    def characters(self) -> dict[str, Any]:
        return {c.id: c for c in self.registry.characters}


class Mamori:
    """One instance per process; thread-safe for screening."""

    def __init__(self, settings: Settings):
        self.settings = settings
        background_wal = settings.sqlite_wal_checkpoint_seconds > 0 and normalise_url(settings.db).startswith(
            "sqlite"
        )
        self.engine = make_engine(settings.db, sqlite_autocheckpoint=not background_wal)
        migrate(self.engine)
        # SQLite WAL checkpoints off the ledger's committing writer (a server's setting; storage.wal): started last
        self.wal_checkpointer = (
            WalCheckpointer(self.engine, settings.sqlite_wal_checkpoint_seconds) if background_wal else None
        )
        self.registry_store = RegistryStore(self.engine)
        # Concurrent requests' ledger appends share one transaction; each returns only after its commit.
        self.ledger = GroupCommitLedgerStore(
            self.engine, settings.ledger_group_commit_ms / 1000.0, settings.ledger_group_commit_max
        )
        self.checkpoints = CheckpointStore(self.engine)
        self.ledger_keys = KeyStore(self.engine)
        self.prompts = PromptStore(self.engine)
        try:
            self.transparency = self._make_transparency(settings)
        except BaseException:
            self.engine.dispose()  # a refused key must not leave connections behind
            raise
        self._lock = threading.Lock()
        self.key_cache: dict[str, tuple[float, Any]] = {}  # API key digest -> (until, principal), ops.keys
        self._indexes: _Indexes | None = None
        self._last_text: tuple[str, TextMatcher] | None = None
        self._checked_at = 0.0
        self._visual: tuple[tuple[Any, ...], Any] | None = None
        self._audio: tuple[tuple[Any, ...], Any] | None = None
        self.signer = self._make_signer(settings)
        if self.wal_checkpointer is not None:
            self.wal_checkpointer.start()

    @staticmethod
    def _make_signer(settings: Settings) -> Any:
        """The C2PA signer, checked at start-up: an unusable certificate fails here, not at the first request."""
        if not settings.c2pa_cert and not settings.c2pa_key:
            return None
        from mamori.provenance import ProvenanceConfigError, ProvenanceSigner

        if not (settings.c2pa_cert and settings.c2pa_key):
            raise ProvenanceConfigError("set both MAMORI_C2PA_CERT and MAMORI_C2PA_KEY (or neither)")
        return ProvenanceSigner.from_files(Path(settings.c2pa_cert), Path(settings.c2pa_key))

    def _make_transparency(self, settings: Settings) -> Any:
        """The checkpoint signer, checked at start-up: a missing, malformed or foreign key fails here."""
        from mamori.ops.transparency import Checkpointer, load_signers

        self.ledger_signers = load_signers(settings)
        self.ledger_signer = self.ledger_signers[0] if self.ledger_signers else None
        cp = Checkpointer(
            self.ledger,
            self.checkpoints,
            self.ledger_signers,
            settings.ledger_checkpoint_seconds,
            settings.ledger_witness_dir,
            settings.ledger_witness_url,
            key_history=self.ledger_keys.all,
        )
        cp.check_key()
        if settings.ledger_witnesses:
            from mamori.ops.cosigning import WitnessPool

            cp.witness_pool = WitnessPool.from_setting(
                settings.ledger_witnesses, self.ledger, self.checkpoints
            )
        from mamori.ops.ledger_keys import record_configured

        record_configured(self)
        self.ledger.after_commit = cp.after_commit
        self.ledger.keep_prompts = settings.prompt_retention_days > 0
        if settings.prompt_retention_days > 0:
            from mamori.ops.prompts import purge_expired

            cp.housekeeping = lambda: purge_expired(self)
        return cp

    @classmethod
    def open(cls, db: str | None = None, **overrides: Any) -> Mamori:
        return cls(Settings.from_env(db=db, **overrides))

    def close(self) -> None:
        self.ledger.close()
        if self.wal_checkpointer is not None:
            self.wal_checkpointer.close()
        self.engine.dispose()

    # --- registry ---------------------------------------------------------------------------------------

    def read_registry_file(self, path: str | Path) -> tuple[Registry, list[ReferenceBlob]]:
        """Validate a registry file and read its reference files; every problem is reported at once."""
        return read_registry_file(path, self.settings)

    def import_registry(self, path: str | Path) -> ImportReport:
        reg, blobs = self.read_registry_file(path)
        report = self.registry_store.import_registry(reg, blobs)
        events: list[tuple[str, dict[str, Any]]] = [
            # the policies themselves are in the policy.change events below; here only how many
            (
                "registry.import",
                {"source": Path(path).name, **report.to_json(), "policy_changes": len(report.policy_changes)},
            )
        ]
        # An import's policy changes are recorded in groups (one `policy.changes` event per 1,000): 60,000 one-row
        # events would cost the import ~20 s of ledger appends; every change is still in the ledger, in order.
        changes = report.policy_changes
        events += [
            (
                "policy.changes",
                {"source": Path(path).name, "changes": changes[i : i + POLICY_CHANGES_PER_EVENT]},
            )
            for i in range(0, len(changes), POLICY_CHANGES_PER_EVENT)
        ]
        self.ledger.append_many(events)
        self.invalidate()
        return report

    def registry(self) -> Registry:
        return self.indexes().registry

    # --- indexes ----------------------------------------------------------------------------------------

    def invalidate(self) -> None:
        with self._lock:
            self._indexes = None
            self._visual = None
            self._audio = None

    def _stamp(self) -> tuple[Any, ...]:
        from sqlalchemy import func, select

        from mamori.storage import schema as t

        with self.engine.connect() as conn:
            chars = conn.execute(select(func.count(), func.max(t.characters.c.updated_at))).one()
            works = conn.execute(select(func.count()).select_from(t.works)).scalar()
            allow = conn.execute(select(func.count()).select_from(t.allowlist)).scalar()
            refs = conn.execute(select(func.count(), func.max(t.reference_images.c.id))).one()
        return (tuple(chars), works, allow, tuple(refs))

    def indexes(self) -> _Indexes:
        """Built once, rebuilt when the registry changes (checked at most every registry_refresh_seconds)."""
        now = time.monotonic()
        current = self._indexes
        if current is not None and now - self._checked_at < self.settings.registry_refresh_seconds:
            return current
        # While one thread checks or rebuilds, the others keep screening with the indexes they have: no request
        # waits for (or is dropped during) a rebuild, and the new indexes take over once built.
        if current is not None and not self._lock.acquire(blocking=False):
            return current
        if current is None:
            self._lock.acquire()
        try:
            return self._refresh(now)
        finally:
            self._lock.release()

    def check_registry(self) -> None:
        """Check the registry now (and rebuild the indexes if it changed), unless a check is already running: a
        server calls this from a background task more often than `registry_refresh_seconds`, so requests find
        `indexes_ready()` and never do the check (a database query) themselves."""
        if self._indexes is None or not self._lock.acquire(blocking=False):
            return
        try:
            self._refresh(time.monotonic())
        finally:
            self._lock.release()

    def warm(self) -> None:
        """For a long-running server, before its first request: build the indexes, load what the prompt gate loads
        lazily on its first prompts (pykakasi's and MeCab's dictionaries: seconds), then `settle_heap`, so neither
        the first requests nor the garbage collector pay for them later."""
        idx = self.indexes()
        for sample in WARM_PROMPTS:
            idx.text.detect(sample)
            detect_themes(sample)
        settle_heap()

    def indexes_ready(self) -> bool:
        """Whether `indexes()` answers without a query or a build for at least the next 0.1 s (the registry
        check is not due), so a caller on an event loop may screen a short prompt there."""
        return (
            self._indexes is not None
            and time.monotonic() - self._checked_at < self.settings.registry_refresh_seconds - 0.1
        )

    def _refresh(self, now: float) -> _Indexes:
        stamp = self._stamp()
        self._checked_at = now
        if self._indexes is not None and self._indexes.stamp == stamp:
            return self._indexes
        reg = self.registry_store.load()
        allow = [(c, p) for c, p, _ in self.registry_store.allowlist() if p]
        key = text_digest(reg, allow)
        previous = self._last_text  # kept across invalidate(): an import that changed only terms
        if previous is not None and previous[0] == key:
            text, how = previous[1], "kept"
            text.registry = reg
        else:
            text, how = load_or_build(reg, allow, cache_folder(self.settings.index_cache), key)
        self._last_text = (key, text)
        log.info("prompt index for %d characters: %s", len(reg.characters), how)
        versions = self.registry_store.current_policy_versions()
        self._indexes = _Indexes(stamp, reg, PolicyBook.from_registry(reg), text, versions, key, how)
        settle_heap()
        return self._indexes

    def media_limits(self) -> Any:
        from mamori.screening.media import ImageLimits, MediaLimits, VideoLimits

        return MediaLimits(
            image=ImageLimits(
                max_bytes=self.settings.max_upload_bytes, max_pixels=self.settings.max_image_pixels
            ),
            video=VideoLimits(
                max_bytes=self.settings.max_upload_bytes, max_duration_s=self.settings.max_video_seconds
            ),
        )

    def visual_gate(self) -> Any:
        """The visual gate over every stored reference image; built on first use, rebuilt when references change.

        Detector signals are cached in the store by content hash, so a rebuild recomputes only new references."""
        idx = self.indexes()
        current = self._visual
        if current is not None and current[0] == idx.stamp:
            return current[1]
        from mamori.screening.image.fusion import VisualGate
        from mamori.screening.image.loading import release_pixels

        with self._lock:
            if self._visual is not None and self._visual[0] == idx.stamp:
                return self._visual[1]
            refs = list(self._reference_images(idx.registry))
            corpus = Corpus(
                registry=idx.registry,
                references=refs,
                cache=self.registry_store,
                settings=self.settings,
                text_screen=idx.text.detect,  # text read in frames (OCR) goes through the prompt gate
            )
            gate = VisualGate(corpus)
            # the gate keeps signals, never pixels: the references' decoded pixels (~3 MB per 1,024 px picture,
            # 6 MB per sampled 1080p video frame) and encoded bytes go, and the freed heap goes back to the system
            release_pixels(refs)
            del refs, corpus
            return_free_memory()
            self._visual = (idx.stamp, gate)
            return gate

    def _reference_images(self, reg: Registry) -> Any:
        from mamori.screening.base import ReferenceImage
        from mamori.screening.image.loading import LazyPixels

        limits = self.media_limits().image
        for ref_id, character, work, sha, data in self.registry_store.iter_references():
            if kind_of(sniff_mime(data[:SNIFF_BYTES])) == "audio":
                continue  # sound: the audio gate's
            if kind_of(sniff_mime(data[:SNIFF_BYTES])) == "video":
                yield from self._video_reference_frames(ref_id, character, work, sha, data)
                continue
            # decoded only if a detector's signal for these bytes is not cached yet (a bad image is then skipped
            # by that detector's build, with a log line)
            yield ReferenceImage(str(ref_id), character, work, sha, LazyPixels(data, limits))

    def _video_reference_frames(self, ref_id: int, character: str, work: str, sha: str, data: bytes) -> Any:
        """A video reference is sampled into frames (about one a second, at most 30)."""
        import hashlib
        import io

        import av

        from mamori.screening.base import ReferenceImage
        from mamori.screening.image.loading import LazyPixels

        try:
            with av.open(io.BytesIO(data), mode="r") as container:
                stream = container.streams.video[0]
                last = -1.0
                n = 0
                for frame in container.decode(stream):
                    t = float(frame.time or 0.0)
                    if t - last < 1.0:
                        continue
                    last = t
                    pixels = frame.to_ndarray(format="rgb24")
                    frame_sha = hashlib.sha256(sha.encode() + f"@{t:.3f}".encode()).hexdigest()
                    yield ReferenceImage(
                        f"{ref_id}@{t:.1f}s", character, work, frame_sha, LazyPixels.decoded_from(pixels)
                    )
                    n += 1
                    if n >= 30:
                        break
        except (av.error.FFmpegError, IndexError) as exc:
            log.warning("video reference %s of %s skipped: %s", ref_id, character, exc)

    def audio_gate(self) -> Any:
        """The audio gate over every stored audio reference and video reference's sound; rebuilt like the visual
        gate, with signals cached by content hash."""
        idx = self.indexes()
        current = self._audio
        if current is not None and current[0] == idx.stamp:
            return current[1]
        from mamori.screening.audio import service_gate

        with self._lock:
            if self._audio is not None and self._audio[0] == idx.stamp:
                return self._audio[1]
            voices = {(c.id, path) for c in idx.registry.characters for path in c.voices}
            refs = service_gate.reference_audio(self.registry_store.iter_sound_references(), voices)
            corpus = Corpus(
                registry=idx.registry,
                cache=self.registry_store,
                settings=self.settings,
                audio_references=refs,
            )
            gate = service_gate.build(corpus, self.settings)
            self._audio = (idx.stamp, gate)
            return gate

    def screen_media_path(
        self, path: str | Path, ctx: RequestContext, record: bool = True, label: str | None = None
    ) -> dict[str, Any]:
        """Screen one image, video or audio file and decide; errors are reported in the result, never raised.

        A file that cannot be screened is a decision too (fail closed: `block`, with the error), and with `record`
        every decision is in the ledger before it is returned."""
        from mamori.screening.media import MediaResult, screen_media_path

        try:
            result = screen_media_path(
                str(path), self.visual_gate(), self.media_limits(), audio=self.audio_gate()
            )
        except Exception as exc:  # a decoder bug must cost one file, not the run; logged with its traceback
            log.exception("screening %s failed", label or path)
            result = MediaResult(
                str(path), None, error=f"internal error while screening ({type(exc).__name__})"
            )
        released = self._released_for(path, result.matches)
        if released:  # a rightsholder released this very file for these characters (console: media matches)
            result.matches = [m for m in result.matches if m.character not in released]
        # A file name need not be UTF-8 (undecodable bytes arrive as lone surrogates): made storable like prompts.
        out: dict[str, Any] = {"path": safe_text(label or str(path)).text, "kind": result.kind}
        if result.signals:
            out["signals"] = result.signals
        if result.error:
            result.error = safe_text(result.error).text
        if result.error and not result.matches:
            out.update(
                verdict=Verdict.BLOCK.value,
                matches=[],
                reasons=[f"not screened: {result.error}"],
                error=result.error,
            )
            d = Decision(Verdict.BLOCK, reasons=(out["reasons"][0],))
        else:
            d = decide(result.matches, result.themes, ctx, self.indexes().book)
            out.update(
                verdict=d.verdict.value, matches=[m.to_json() for m in d.matches], reasons=list(d.reasons)
            )
            if result.themes:
                out["themes"] = list(result.themes)
            if result.notes:  # a detector failed on some frame; the others ran
                out["notes"] = list(result.notes)
            if d.obligations:
                out["obligations"] = d.obligations
            if result.error:  # partial: e.g. a truncated video screened up to the damage
                out["error"] = result.error
        if record:
            event = self.decision_event(d, ctx, None, None)
            event.update(media={"name": out["path"], "kind": result.kind})
            if "error" in out:
                event["error"] = out["error"]
            self.ledger.append("decision.media", event)
        return out

    def _released_for(self, path: str | Path, matches: list[Any]) -> set[str]:
        """Characters whose match on this file (by sha256) a rightsholder released; read only when something
        matched, so clean files cost nothing."""
        if not matches:
            return set()
        allowed = {(c, sha) for c, phrase, sha in self.registry_store.allowlist() if c and sha and not phrase}
        if not allowed:
            return set()
        import hashlib

        h = hashlib.sha256()
        try:
            with open(path, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
        except OSError:
            return set()
        sha = h.hexdigest()
        return {m.character for m in matches if (m.character, sha) in allowed}

    def screen_media_bytes(
        self, data: bytes, filename: str, ctx: RequestContext, record: bool = True
    ) -> dict[str, Any]:
        import os
        import tempfile

        suffix = Path(filename).suffix[:10] if filename else ""
        fd, tmp = tempfile.mkstemp(prefix="mamori-", suffix=suffix)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            return self.screen_media_path(tmp, ctx, record=record, label=filename or "upload")
        finally:
            os.unlink(tmp)

    # --- provenance -------------------------------------------------------------------------------------

    def sign_output(
        self, data: bytes, filename: str, decision: dict[str, Any], generation_id: str
    ) -> bytes | None:
        """C2PA-sign a passed output: AI-generated, by which generator, under which licences, proven by which
        ledger row. Returns None when no signer is configured or the format cannot carry a manifest."""
        if self.signer is None:
            return None
        from mamori.provenance import ProvenanceInfo, UnsupportedFormat

        info = ProvenanceInfo(
            generation_id=generation_id,
            verdict=decision["verdict"],
            reasons=list(decision.get("reasons", [])),
            licensed=self.licensed_terms(decision),
            ledger_hash=self.generation_ledger_hash(generation_id),
            generator=self.settings.generator_name,
        )
        try:
            return bytes(self.signer.sign_bytes(data, None, info))
        except UnsupportedFormat as exc:
            log.warning("generation %s output not signed: %s", generation_id, exc)
            return None

    def licensed_terms(self, decision: dict[str, Any]) -> list[dict[str, Any]]:
        """Each matched character with its rightsholder and the licence terms it was allowed under."""
        from mamori.registry.fileformat import policy_to_json

        idx = self.indexes()
        reg = idx.registry
        out = []
        for m in decision.get("matches", []):
            cid = m.get("character")
            char = idx.characters.get(cid) if cid else None
            if char is None:
                continue
            work = reg.work(char.work)
            out.append(
                {
                    "character": cid,
                    "work": char.work,
                    "rightsholder": work.rightsholder if work else None,
                    "terms": policy_to_json(char.policy) or {"generation": "block"},
                }
            )
        return out

    def generation_ledger_hash(self, generation_id: str) -> str | None:
        from sqlalchemy import select

        from mamori.storage import schema as t

        with self.engine.connect() as conn:
            return conn.execute(
                select(t.generations.c.ledger_hash).where(t.generations.c.id == generation_id)
            ).scalar()

    # --- screening --------------------------------------------------------------------------------------

    def context(
        self, platform: str | None, territory: str | None, at: datetime | None = None
    ) -> RequestContext:
        return RequestContext(
            platform or None, territory.upper() if territory else None, at or datetime.now(UTC)
        )

    def decide_prompt(self, text: str, ctx: RequestContext) -> Decision:
        """Screen one prompt and decide; records nothing. Entry points make the text storable first (`safe_text`)
        and add its note to the reasons (`noted`); text that skipped that is made safe here too (a cheap check)."""
        if len(text) > self.settings.max_prompt_chars:
            raise PromptError(
                f"prompt is {len(text):,} characters; the limit is {self.settings.max_prompt_chars:,} (MAMORI_MAX_PROMPT_CHARS)"
            )
        safe = safe_text(text)
        idx = self.indexes()
        matches, aside = idx.text.screen(safe.text)
        themes = detect_themes(safe.text)
        d = decide(matches, themes, ctx, idx.book)
        if aside:  # why a registered name in the prompt was not taken as its character
            d = replace(d, reasons=(*d.reasons, *dict.fromkeys(ev.detail for ev in aside)))
        return noted(d, safe)

    def screen_prompt(
        self, text: str, ctx: RequestContext, record: bool = True, request_id: str | None = None
    ) -> Decision:
        """Decide and (write-ahead) record one prompt: the decision is returned only once its entry is stored."""
        safe = safe_text(text)
        decision = noted(self.decide_prompt(safe.text, ctx), safe)
        if record:
            self.ledger.append("decision.prompt", self.decision_event(decision, ctx, safe.text, request_id))
        return decision

    def decision_event(
        self, d: Decision, ctx: RequestContext, text: str | None, request_id: str | None
    ) -> dict[str, Any]:
        from mamori.ledger.commitment import prompt_fields

        idx = self.indexes()
        chars = sorted({m.character for m in d.matches if m.character})
        return {
            "request_id": request_id,
            "platform": ctx.platform,
            "territory": ctx.territory,
            **(prompt_fields(text, ctx.platform) if text is not None else {}),
            "language": prompt_language(text or ""),
            "decision": d.to_json(),
            "works": sorted({m.work for m in d.matches}),
            "rightsholders": sorted({idx.work_owner[m.work] for m in d.matches if m.work in idx.work_owner}),
            "policy_versions": {c: idx.policy_versions.get(c) for c in chars},
        }


# One prompt per script the prompt gate reads differently (Latin, kana and kanji, full-width), for `Mamori.warm`.
WARM_PROMPTS = ("a courier on a rooftop at night", "星野ミライがロケットスケートで走る", "ｍｉｒａｉ　ほしの")


def settle_heap() -> None:
    """After the indexes are (re)built: collect the build's garbage, then move every object alive now out of the
    cyclic garbage collector's sight (`gc.freeze`). The registry and the automata are some 400,000 long-lived
    objects; without this every full collection walks them all, a few times a second under load (measured: about a
    third of an API server's CPU). Objects frozen by an earlier call are unfrozen first, so the previous indexes'
    cycles are collected once nothing uses them."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


@cache
def _malloc_trim() -> Any:
    """glibc's `malloc_trim`, or None where the C library has none (musl, macOS)."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None
    except OSError:
        return None


def return_free_memory() -> None:
    """Give the heap's free pages back to the system after a build that freed a lot (the visual gate's decoded
    references). glibc keeps freed blocks of that size in its arenas, one per thread that built, so without this a
    process stays at its build-time peak (measured: 160 references of 1024x768, 621 MB after the build; released
    and trimmed, 184 MB)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def noted(d: Decision, safe: SafeText) -> Decision:
    """The decision with the reason saying which characters of the prompt were replaced (when any were)."""
    note = safe.note
    return replace(d, reasons=(*d.reasons, note)) if note and note not in d.reasons else d


class PromptError(ValueError):
    """A prompt that cannot be screened (too long); the caller reports it per request."""


def verdict_counts(decisions: list[Decision]) -> dict[str, int]:
    out = {v.value: 0 for v in Verdict}
    for d in decisions:
        out[d.verdict.value] += 1
    return out
