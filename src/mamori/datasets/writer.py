"""Stage 4: write outputs. Each shard writes its own part files, then its statistics file, atomically, last:
a shard whose `shards/<id>.json` exists (complete, same input fingerprint) is finished and is not redone.
The run's `exclusions.jsonl` and `kept.jsonl` are the shard parts concatenated in shard-id order, so every
engine writes the same bytes.

    OUT/shards/<id>.exclusions.jsonl   excluded samples of one shard
    OUT/shards/<id>.kept.jsonl         kept samples of one shard
    OUT/shards/<id>.json               the shard's statistics (written last)
    OUT/exclusions.jsonl  OUT/kept.jsonl  OUT/disclosure.json  OUT/disclosure.md  OUT/scan.json
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

from mamori.datasets.model import ShardSpec


def shard_dir(out: str | Path) -> Path:
    return Path(out) / "shards"


def write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=False, separators=(",", ":"))


class ShardWriter:
    """Part files go to temporary names and are renamed into place only in finish()."""

    def __init__(self, out: str | Path, shard: str) -> None:
        self.dir = shard_dir(out)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.shard = shard
        self._files: dict[bool, tuple[Path, Path, TextIO]] = {}
        for excluded, name in ((True, "exclusions"), (False, "kept")):
            final = self.dir / f"{shard}.{name}.jsonl"
            tmp = self.dir / f".{shard}.{name}.jsonl.{os.getpid()}.tmp"
            self._files[excluded] = (tmp, final, open(tmp, "w", encoding="utf-8"))  # noqa: SIM115

    def write(self, record: dict[str, Any], excluded: bool) -> None:
        self._files[excluded][2].write(dumps(record) + "\n")

    def finish(self, stats: dict[str, Any]) -> None:
        for tmp, final, fh in self._files.values():
            fh.flush()
            os.fsync(fh.fileno())
            fh.close()
            os.replace(tmp, final)
        write_atomic(self.dir / f"{self.shard}.json", json.dumps(stats, ensure_ascii=False, indent=1) + "\n")

    def __enter__(self) -> ShardWriter:
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        for tmp, _, fh in self._files.values():  # an interrupted shard leaves nothing that looks finished
            if not fh.closed:
                fh.close()
                tmp.unlink(missing_ok=True)


def finished_stats(out: str | Path, spec: ShardSpec) -> dict[str, Any] | None:
    """The shard's statistics if it finished on the same input; None if it must be (re)done."""
    path = shard_dir(out) / f"{spec.id}.json"
    try:
        stats = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if stats.get("fingerprint") != spec.fingerprint or not stats.get("complete", False):
        return None
    return stats


def merge(out: str | Path, shards: Iterable[str]) -> None:
    """exclusions.jsonl and kept.jsonl from the shard parts, in the given (sorted) shard order."""
    out = Path(out)
    ids = list(shards)
    for name in ("exclusions", "kept"):
        final = out / f"{name}.jsonl"
        tmp = out / f".{name}.jsonl.tmp"
        with open(tmp, "wb") as dst:
            for sid in ids:
                part = shard_dir(out) / f"{sid}.{name}.jsonl"
                if part.is_file():
                    with open(part, "rb") as src:
                        shutil.copyfileobj(src, dst)
        os.replace(tmp, final)
