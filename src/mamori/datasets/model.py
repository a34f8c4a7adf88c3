"""The values that flow between the scan stages: a shard to read, a sample read from it, and reasons.

Everything here is plain data and picklable, because a shard spec and its result cross process boundaries
(Ray tasks) unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

# Source categories of the EU AI Office training-content summary template (section 2).
CATEGORIES = (
    "publicly_available",  # 2.1 publicly available datasets
    "licensed",  # 2.2.1 commercial licensing agreements with rightsholders
    "private",  # 2.2.2 other private datasets obtained from third parties
    "web_crawled",  # 2.3 data crawled and scraped from online sources
    "user_data",  # 2.4 user data
    "synthetic",  # 2.5 synthetic data
    "other",  # 2.6 other sources
)

CHARACTER = "character"
OPT_OUT = "opt-out"
ERROR = "error"


@dataclass(frozen=True)
class ShardSpec:
    """One unit of work: read by the reader named `kind`, written as `shards/<id>.json` when done."""

    id: str
    kind: str  # a key of reader.READERS: "tar", "parquet", "folder"
    paths: tuple[str, ...]  # the tar (first) and its parquet, one parquet, or a folder chunk's media files
    fingerprint: str  # changes when the input changes; a finished shard with another fingerprint is redone
    category: str = "other"  # default source category for samples without a URL
    root: str | None = None  # folder shards: keys are relative to this
    dataset: str | None = None  # the named dataset this shard belongs to (disclosure), if any


@dataclass
class Sample:
    """One training sample as read from a shard; nothing is screened yet."""

    key: str
    shard: str
    media: bytes | None = None
    media_name: str | None = None  # "KEY.jpg" in a tar, the relative path in a folder
    media_path: str | None = None  # folder inputs: the file itself (videos are not read into memory)
    caption: str | None = None
    url: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)  # json sidecar or parquet row
    headers: dict[str, str] = field(default_factory=dict)  # captured HTTP response headers, lower-case names
    html_meta: dict[str, str] = field(
        default_factory=dict
    )  # captured <meta name=... content=...>, lower-case
    errors: list[dict[str, Any]] = field(default_factory=list)  # problems met while reading (malformed json)
    status: str | None = None  # img2dataset download status; only "success" samples are training content
    collected_at: str | None = None  # when it was fetched, if the metadata says

    @property
    def domain(self) -> str | None:
        return domain_of(self.url)


def domain_of(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    return host.lower().rstrip(".") if host else None


_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(name: str) -> str:
    """A shard id usable as a file name."""
    return _SAFE.sub("_", name).strip("._") or "shard"


def error_reason(stage: str, message: str) -> dict[str, Any]:
    return {"kind": ERROR, "stage": stage, "message": message}
