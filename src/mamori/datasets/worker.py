"""Stage 3: screen every sample of one shard and write that shard's outputs. This is what a Ray task runs.

A sample is excluded when it has any reason: a registered character whose `training` policy is `block`
(the default), an opt-out signal, or an error (a sample that could not be screened is not cleared: fail
closed). Characters whose policy allows training are kept and listed under `found`.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any

from mamori.datasets.model import CHARACTER, ERROR, OPT_OUT, Sample, ShardSpec, error_reason
from mamori.datasets.optout import AI_AGENTS, Snapshots, sample_signals
from mamori.datasets.reader import AUDIO_EXTS, VIDEO_EXTS, read_shard
from mamori.datasets.screen import SampleScreener
from mamori.datasets.writer import ShardWriter
from mamori.registry.model import Registry
from mamori.types import Match

MAX_VIDEO_READ = 256 * 1024 * 1024  # larger videos in folders are screened from their path; XMP/C2PA unread
MAX_EVIDENCE = 3


@dataclass(frozen=True)
class ScanJob:
    """Everything a worker needs besides the shard: picklable, no connections."""

    out: str
    screener: Any  # an object with build() -> SampleScreener (ScreenerSpec in production)
    registry: Registry  # the snapshot taken when the scan started: training policies come from here
    snapshots: str | None = None
    agents: tuple[str, ...] = AI_AGENTS

    def training_mode(self, m: Match) -> str:
        """The character's `training` policy; a work-level match blocks unless every character allows."""
        if m.character:
            c = next((c for c in self.registry.characters if c.id == m.character), None)
            return c.effective_policy.training if c else "block"  # unknown now: fail closed
        chars = self.registry.characters_of(m.work)
        return "allow" if chars and all(c.effective_policy.training == "allow" for c in chars) else "block"


@dataclass
class ShardStats:
    spec: ShardSpec
    samples: int = 0
    kept: int = 0
    excluded: int = 0
    not_downloaded: int = 0
    media_missing: int = 0
    excluded_by: dict[str, int] = field(default_factory=dict)
    opt_out: dict[str, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    modalities: dict[str, dict[str, int]] = field(default_factory=dict)
    categories: dict[str, dict[str, int]] = field(default_factory=dict)
    domains: dict[str, dict[str, int]] = field(default_factory=dict)
    characters: dict[str, dict[str, Any]] = field(default_factory=dict)
    collected: list[str] = field(default_factory=list)  # [first, last]
    shard_errors: list[str] = field(default_factory=list)

    def add(
        self,
        sample: Sample,
        modality: str,
        size: int,
        record: dict[str, Any],
        excluded: bool,
        has_snapshot: bool,
    ) -> None:
        self.samples += 1
        outcome = "excluded" if excluded else "kept"
        setattr(self, outcome, getattr(self, outcome) + 1)
        for bucket, name in (
            (self.modalities, modality),
            (self.categories, self._category(sample)),
            (self.domains, sample.domain or "(none)"),
        ):
            row = bucket.setdefault(name, {"samples": 0, "kept": 0, "excluded": 0})
            row["samples"] += 1
            row[outcome] += 1
        self.modalities[modality]["bytes"] = self.modalities[modality].get("bytes", 0) + size
        if sample.domain and has_snapshot:
            self.domains[sample.domain]["snapshot"] = 1
        kinds = {r["kind"] for r in record.get("reasons", ())}
        for k in kinds:
            self.excluded_by[k] = self.excluded_by.get(k, 0) + 1
        for signal in {r["signal"] for r in record.get("reasons", ()) if r["kind"] == OPT_OUT}:
            self.opt_out[signal] = self.opt_out.get(signal, 0) + 1
        for stage in {r["stage"] for r in record.get("reasons", ()) if r["kind"] == ERROR}:
            self.errors[stage] = self.errors.get(stage, 0) + 1
        for f in [r for r in record.get("reasons", ()) if r["kind"] == CHARACTER] + record.get("found", []):
            ident = f["character"] or f"work:{f['work']}"
            row = self.characters.setdefault(
                ident,
                {
                    "character": f["character"],
                    "work": f["work"],
                    "training": f["training"],
                    "found": 0,
                    "excluded": 0,
                    "kept": 0,
                },
            )
            row["found"] += 1
            row[outcome] += 1
        if sample.collected_at:
            ts = sample.collected_at
            self.collected = (
                [min(self.collected[0], ts), max(self.collected[1], ts)] if self.collected else [ts, ts]
            )

    def _category(self, sample: Sample) -> str:
        if self.spec.category != "other":
            return self.spec.category
        return "web_crawled" if sample.url else "other"

    def to_json(self, seconds: float, visual: bool) -> dict[str, Any]:
        return {
            "shard": self.spec.id,
            "input": {"kind": self.spec.kind, "paths": list(self.spec.paths), "dataset": self.spec.dataset},
            "fingerprint": self.spec.fingerprint,
            "complete": not self.shard_errors,
            "shard_errors": self.shard_errors,
            "samples": self.samples,
            "kept": self.kept,
            "excluded": self.excluded,
            "not_downloaded": self.not_downloaded,
            "media_missing": self.media_missing,
            "excluded_by": self.excluded_by,
            "opt_out": self.opt_out,
            "errors": self.errors,
            "modalities": self.modalities,
            "categories": self.categories,
            "domains": self.domains,
            "characters": self.characters,
            "collected": self.collected,
            "visual_screening": visual,
            "seconds": round(seconds, 3),
        }


def _modality(sample: Sample) -> str:
    name = sample.media_name or ""
    if sample.media is None and sample.media_path is None:
        return "image"  # img2dataset metadata without pixels still describes an image sample
    ext = name.rsplit(".", 1)[-1].lower()
    return "video" if ext in VIDEO_EXTS else "audio" if ext in AUDIO_EXTS else "image"


def _finding(m: Match, via: list[str], training: str) -> dict[str, Any]:
    return {
        "character": m.character,
        "work": m.work,
        "score": round(m.score, 4),
        "via": via,
        "training": training,
        "evidence": [e.to_json() for e in m.evidence[:MAX_EVIDENCE]],
    }


def screen_sample(
    sample: Sample, screener: SampleScreener, snapshots: Snapshots, job: ScanJob
) -> tuple[dict[str, Any], bool, str, int]:
    """(record, excluded, modality, media size) for one sample; never raises."""
    reasons: list[dict[str, Any]] = list(sample.errors)
    modality = _modality(sample)
    data = sample.media
    size = len(data) if data is not None else 0
    matches: dict[tuple[str, str | None], tuple[Match, list[str]]] = {}

    def add(ms: list[Match], via: str) -> None:
        for m in ms:
            k = (m.work, m.character)
            best, vias = matches.get(k, (m, []))
            matches[k] = (m if m.score > best.score else best, vias + [via])

    try:
        if sample.media_path is not None:
            size = os.path.getsize(sample.media_path)
            if modality == "image" or size <= MAX_VIDEO_READ:
                with open(sample.media_path, "rb") as fh:
                    data = fh.read()
        if modality == "image" and data is not None:
            add(screener.screen_image(data), "image")
        elif modality in ("video", "audio") and sample.media_path is not None:
            # screen_video goes through the media gate, which reads an audio file (and a video's sound) too
            add(screener.screen_video(sample.media_path), modality)
        elif modality in ("video", "audio") and data is not None:
            screen_bytes = getattr(screener, "screen_video_bytes", None)
            if screen_bytes is not None:
                add(screen_bytes(data, sample.media_name or f"{modality}.bin"), modality)
    except Exception as exc:  # noqa: BLE001 - one bad sample is recorded with the sample, never fatal
        reasons.append(error_reason(modality, str(exc) or type(exc).__name__))
    if sample.caption:
        try:
            add(screener.screen_caption(sample.caption), "caption")
        except Exception as exc:  # noqa: BLE001
            reasons.append(error_reason("caption", f"{type(exc).__name__}: {exc}"))
    try:
        reasons.extend(sample_signals(sample, data, snapshots))
    except Exception as exc:  # noqa: BLE001
        reasons.append(error_reason("opt-out", f"{type(exc).__name__}: {exc}"))

    found = []
    for m, via in sorted(matches.values(), key=lambda mv: (mv[0].work, mv[0].character or "")):
        training = job.training_mode(m)
        finding = _finding(m, via, training)
        if training == "allow":
            found.append(finding)
        else:
            reasons.append({"kind": CHARACTER, **finding})
    record: dict[str, Any] = {"key": sample.key, "shard": sample.shard}
    if sample.url:
        record["url"] = sample.url
    if sample.media_name:
        record["media"] = sample.media_name
    if reasons:
        record["reasons"] = reasons
    if found:
        record["found"] = found
    return record, bool(reasons), modality, size


_SNAPSHOTS: dict[tuple[str | None, tuple[str, ...]], Snapshots] = {}


def scan_shard(spec: ShardSpec, job: ScanJob) -> dict[str, Any]:
    """Screen one shard; writes shards/<id>.{exclusions,kept}.jsonl, then shards/<id>.json last."""
    started = time.perf_counter()
    screener = job.screener.build()
    snapshots = _SNAPSHOTS.setdefault((job.snapshots, job.agents), Snapshots(job.snapshots, job.agents))
    stats = ShardStats(spec)
    with ShardWriter(job.out, spec.id) as writer:
        try:
            for sample in read_shard(spec):
                if sample.status not in (None, "success"):
                    stats.not_downloaded += 1  # img2dataset failures: never part of the training set
                    continue
                if sample.media is None and sample.media_path is None:
                    stats.media_missing += 1
                record, excluded, modality, size = screen_sample(sample, screener, snapshots, job)
                writer.write(record, excluded)
                stats.add(
                    sample,
                    modality,
                    size,
                    record,
                    excluded,
                    bool(sample.domain and snapshots.has(sample.domain)),
                )
        except Exception as exc:  # noqa: BLE001 - a truncated tar: keep what was read, redo on resume
            stats.shard_errors.append(f"{type(exc).__name__}: {exc}")
        result = stats.to_json(time.perf_counter() - started, screener.visual)
        writer.finish(result)
    return result
