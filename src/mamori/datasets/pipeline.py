"""The scan, stage by stage: discover shards -> skip finished ones -> distribute -> merge -> disclose."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mamori.datasets import disclosure
from mamori.datasets.distributor import DISTRIBUTORS
from mamori.datasets.model import CATEGORIES
from mamori.datasets.optout import AI_AGENTS
from mamori.datasets.reader import discover
from mamori.datasets.worker import ScanJob
from mamori.datasets.writer import finished_stats, merge, write_atomic
from mamori.registry.model import Registry


@dataclass
class ScanResult:
    out: Path
    shards: int
    skipped: int  # finished before this run (resumed)
    stats: list[dict[str, Any]] = field(default_factory=list)

    @property
    def totals(self) -> dict[str, Any]:
        return disclosure.aggregate(self.stats)


def categories_from_meta(meta: dict[str, Any], base: Path | None = None) -> dict[str, tuple[str, str | None]]:
    """Input path -> (category, dataset name) from the meta file's `datasets:` list."""
    out: dict[str, tuple[str, str | None]] = {}
    for d in meta.get("datasets", []) or []:
        category = d.get("category", "other")
        if category not in CATEGORIES:
            raise ValueError(f"dataset {d.get('name')!r}: category must be one of {', '.join(CATEGORIES)}")
        for p in d.get("inputs", []) or []:
            path = Path(p) if base is None or Path(p).is_absolute() else base / p
            out[str(path)] = (category, d.get("name"))
    return out


def scan(
    inputs: Sequence[str | os.PathLike[str]],
    out: str | os.PathLike[str],
    screener: Any,
    registry: Registry,
    *,
    engine: str = "local",
    workers: int = 1,
    snapshots: str | os.PathLike[str] | None = None,
    shard_size: int = 1000,
    meta: dict[str, Any] | None = None,
    meta_base: Path | None = None,
    agents: tuple[str, ...] = AI_AGENTS,
    top_domains: int = 20,
    progress: bool | None = True,
) -> ScanResult:
    """Scan the inputs into `out`. `screener` is picklable and has build() -> SampleScreener (ScreenerSpec)."""
    from tqdm import tqdm

    if engine not in DISTRIBUTORS:
        raise ValueError(f"unknown engine {engine!r}; choose from {', '.join(DISTRIBUTORS)}")
    meta = meta or {}
    outp = Path(out)
    outp.mkdir(parents=True, exist_ok=True)
    specs = discover(inputs, shard_size, categories_from_meta(meta, meta_base))
    done: dict[str, dict[str, Any]] = {}
    for spec in specs:
        stats = finished_stats(outp, spec)
        if stats is not None:
            done[spec.id] = stats
    todo = [s for s in specs if s.id not in done]
    job = ScanJob(
        out=str(outp.resolve()),
        screener=screener,
        registry=registry,
        snapshots=str(Path(snapshots).resolve()) if snapshots else None,
        agents=agents,
    )
    write_atomic(
        outp / "scan.json",
        json.dumps(
            {
                "inputs": [str(Path(p).resolve()) for p in inputs],
                "engine": engine,
                "workers": workers,
                "snapshots": job.snapshots,
                "shards": len(specs),
                "resumed": len(done),
                "agents": list(agents),
            },
            indent=1,
        )
        + "\n",
    )
    results = dict(done)
    with tqdm(
        total=len(specs),
        initial=len(done),
        unit="shard",
        desc="scanning",
        file=sys.stderr,
        disable=None if progress is None else not progress,
    ) as bar:
        samples = sum(s.get("samples", 0) for s in done.values())
        for stats in DISTRIBUTORS[engine](todo, job, workers):
            results[stats["shard"]] = stats
            samples += stats.get("samples", 0)
            bar.set_postfix(samples=samples, refresh=False)
            bar.update(1)
    ordered = sorted(results)
    merge(outp, ordered)
    all_stats = [results[sid] for sid in ordered]
    summary = disclosure.build(all_stats, registry, meta, top_domains)
    write_atomic(outp / "disclosure.json", json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    write_atomic(outp / "disclosure.md", disclosure.markdown(summary))
    return ScanResult(outp, len(specs), len(done), all_stats)
