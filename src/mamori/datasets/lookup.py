"""`lookup`: was a registered work (or one character) in the scanned data, and what happened to it?"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def _records(path: Path) -> Iterator[dict[str, Any]]:
    if not path.is_file():
        return
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def lookup(out: str | Path, ident: str) -> dict[str, Any]:
    """Samples where `ident` (a work id, or a character id) was found: counts and keys, excluded and kept."""
    out = Path(out)
    result: dict[str, Any] = {
        "work": ident,
        "found": 0,
        "excluded": 0,
        "kept": 0,
        "excluded_keys": [],
        "kept_keys": [],
    }
    for name, excluded in (("exclusions.jsonl", True), ("kept.jsonl", False)):
        for rec in _records(out / name):
            hits = [r for r in rec.get("reasons", []) if r.get("kind") == "character"] + rec.get("found", [])
            if not any(h.get("work") == ident or h.get("character") == ident for h in hits):
                continue
            result["found"] += 1
            entry = {"shard": rec["shard"], "key": rec["key"]}
            if excluded:
                result["excluded"] += 1
                entry["reasons"] = sorted(
                    {
                        r["kind"] if r["kind"] != "opt-out" else f"opt-out:{r['signal']}"
                        for r in rec["reasons"]
                    }
                )
                result["excluded_keys"].append(entry)
            else:
                result["kept"] += 1
                result["kept_keys"].append(entry)
    return result
