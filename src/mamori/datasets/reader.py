"""Stage 1: find shards in the inputs and read samples from them.

Inputs are WebDataset / img2dataset tar shards (`KEY.jpg|png|webp|mp4` + `KEY.json` + `KEY.txt`, with the
img2dataset `NNNNN.parquet` beside a tar read as extra metadata for its keys), standalone img2dataset parquet
files (url, caption, status, captured headers; no pixels), and folders of images and videos (with optional
`NAME.txt` / `NAME.json` sidecars), cut into shards of `shard_size` files. Readers are looked up in `READERS`.
"""

from __future__ import annotations

import hashlib
import json
import os
import tarfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from mamori.datasets.model import Sample, ShardSpec, error_reason, safe_name

IMAGE_EXTS = frozenset({"jpg", "jpeg", "png", "webp", "gif", "bmp", "tif", "tiff"})
VIDEO_EXTS = frozenset({"mp4", "m4v", "mov", "mkv", "webm", "avi"})
AUDIO_EXTS = frozenset({"wav", "flac", "mp3", "ogg", "opus", "m4a"})
MEDIA_EXTS = IMAGE_EXTS | VIDEO_EXTS | AUDIO_EXTS
TDM_HEADERS = ("tdm-reservation", "tdm-policy", "x-robots-tag")


# --- discovery --------------------------------------------------------------------------------------------


def _stat_print(paths: Iterable[str], root: str | None = None) -> str:
    h = hashlib.sha1()
    for p in paths:
        st = os.stat(p)
        name = os.path.relpath(p, root) if root else os.path.abspath(p)
        h.update(f"{name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:16]


def discover(
    inputs: Iterable[str | os.PathLike[str]],
    shard_size: int = 1000,
    categories: dict[str, tuple[str, str | None]] | None = None,
) -> list[ShardSpec]:
    """Every shard in the inputs, in a stable order; shard ids are unique.

    `categories` maps an input path (as given, resolved) to (source category, dataset name) for disclosure.
    """
    categories = {str(Path(k).resolve()): v for k, v in (categories or {}).items()}
    inputs = list(inputs)
    given = {Path(p).resolve() for p in inputs}
    found: list[tuple[str, str, tuple[str, ...], str, str | None, str, str | None]] = []
    for raw in inputs:
        path = Path(raw)
        if not path.exists():
            raise FileNotFoundError(f"input {raw} does not exist")
        category, dataset = categories.get(str(path.resolve()), ("other", None))
        if path.is_file():
            files = [path]
            media: list[Path] = []
            root = path.parent
        else:
            files, media = [], []
            root = path
            for d, dirs, names in os.walk(path):
                dirs.sort()
                for n in sorted(names):
                    if n.startswith("."):
                        continue
                    p = Path(d) / n
                    ext = n.rsplit(".", 1)[-1].lower() if "." in n else ""
                    if ext in ("tar", "parquet"):
                        files.append(p)
                    elif ext in MEDIA_EXTS:
                        media.append(p)
        tars = {p.with_suffix("") for p in files if p.suffix == ".tar"}
        for p in files:
            if p.suffix == ".tar":
                pq = p.with_suffix(".parquet")
                paths = (str(p), str(pq)) if pq.is_file() else (str(p),)
                found.append((p.stem, "tar", paths, _stat_print(paths), None, category, dataset))
            elif p.suffix == ".parquet" and p.with_suffix("") not in tars:
                if p.with_suffix(".tar").resolve() in given:
                    continue  # its tar is an input too: the parquet is read with it
                found.append((p.stem, "parquet", (str(p),), _stat_print([str(p)]), None, category, dataset))
            elif path.is_file() and p.suffix.lstrip(".").lower() in MEDIA_EXTS:
                media.append(p)
        for i in range(0, len(media), max(1, shard_size)):
            chunk = tuple(str(p) for p in media[i : i + shard_size])
            name = f"{path.name or 'media'}-{i // max(1, shard_size):05d}"
            found.append((name, "folder", chunk, _stat_print(chunk, str(root)), str(root), category, dataset))
    seen: dict[str, int] = {}
    for stem, *_ in found:
        seen[safe_name(stem)] = seen.get(safe_name(stem), 0) + 1
    specs = []
    for stem, kind, shard_paths, fp, root_s, category, dataset in found:
        sid = safe_name(stem)
        if seen[sid] > 1:  # two inputs hold a 00000.tar: tell them apart by where they are
            sid = f"{sid}-{hashlib.sha1(os.path.abspath(shard_paths[0]).encode()).hexdigest()[:8]}"
        specs.append(ShardSpec(sid, kind, shard_paths, fp, category, root_s, dataset))
    return specs


# --- metadata helpers -------------------------------------------------------------------------------------


def _as_dict(value: Any) -> dict[str, str]:
    """Headers/meta as stored by crawlers: a dict, a JSON string, or a list of (name, value) pairs."""
    if value is None:
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list | tuple):
        items = (
            tuple(v) if not isinstance(v, dict) else (v.get("name") or v.get("key"), v.get("value"))
            for v in value
        )  # type: ignore[assignment]
    else:
        return {}
    out: dict[str, str] = {}
    for k, v in items:
        if k is None or v is None:
            continue
        if isinstance(v, list | tuple):
            v = ", ".join(str(x) for x in v)
        out[str(k).strip().lower()] = str(v)
    return out


def apply_metadata(sample: Sample, meta: dict[str, Any]) -> None:
    """Fill url, caption, status, headers and HTML meta from a json sidecar or a parquet row."""
    for k, v in meta.items():
        sample.meta.setdefault(k, v)
    sample.url = sample.url or (meta.get("url") if isinstance(meta.get("url"), str) else None)
    if sample.caption is None and isinstance(meta.get("caption"), str):
        sample.caption = meta["caption"]
    if sample.status is None and isinstance(meta.get("status"), str):
        sample.status = meta["status"]
    for name in ("fetched_at", "download_time", "date", "crawl_date"):
        if sample.collected_at is None and meta.get(name):
            sample.collected_at = str(meta[name])
    for name in ("headers", "http_headers", "response_headers"):
        for k, v in _as_dict(meta.get(name)).items():
            sample.headers.setdefault(k, v)
    for k, v in meta.items():  # img2dataset-style columns named after a header: tdm_reservation, x_robots_tag
        norm = str(k).lower().replace("_", "-")
        if norm in TDM_HEADERS and v is not None and norm not in sample.headers:
            sample.headers[norm] = str(v)
    for name in ("html_meta", "meta"):
        for k, v in _as_dict(meta.get(name)).items():
            sample.html_meta.setdefault(k, v)


def _load_json(sample: Sample, name: str, data: bytes) -> None:
    try:
        meta = json.loads(data.decode("utf-8"))
        if not isinstance(meta, dict):
            raise ValueError(f"expected an object, got {type(meta).__name__}")
    except (ValueError, UnicodeDecodeError) as exc:
        sample.errors.append(error_reason("sidecar", f"{name} is not a valid JSON object: {exc}"))
        return
    apply_metadata(sample, meta)


# --- readers ----------------------------------------------------------------------------------------------


def _split_member(name: str) -> tuple[str, str]:
    """WebDataset convention: the key is the path up to the first dot of the file name."""
    head, _, base = name.rpartition("/")
    stem, _, ext = base.partition(".")
    return (f"{head}/{stem}" if head else stem), ext.lower()


def _assemble(shard: str, key: str, parts: dict[str, bytes], extra: dict[str, Any] | None) -> Sample:
    sample = Sample(key=key, shard=shard)
    for ext, data in parts.items():
        last = ext.rsplit(".", 1)[-1]
        if last in MEDIA_EXTS and sample.media is None:
            sample.media, sample.media_name = data, f"{key}.{ext}"
        elif last == "txt":
            sample.caption = data.decode("utf-8", errors="replace").strip()
        elif last == "json":
            _load_json(sample, f"{key}.{ext}", data)
    if extra:
        apply_metadata(sample, extra)
    return sample


def _parquet_rows(path: str) -> Iterator[dict[str, Any]]:
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    for batch in pf.iter_batches(batch_size=4096):
        yield from batch.to_pylist()


def read_tar(spec: ShardSpec) -> Iterator[Sample]:
    extra: dict[str, dict[str, Any]] = {}
    if len(spec.paths) > 1:  # img2dataset writes NNNNN.parquet beside NNNNN.tar: url, status, headers
        for row in _parquet_rows(spec.paths[1]):
            if row.get("key") is not None:
                extra[str(row["key"])] = row
    key: str | None = None
    parts: dict[str, bytes] = {}
    # Streaming mode: one pass, constant memory; members of one key are contiguous (WebDataset rule).
    with tarfile.open(spec.paths[0], mode="r|*") as tf:
        for member in tf:
            if not member.isfile():
                continue
            k, ext = _split_member(member.name)
            if k != key and key is not None:
                yield _assemble(spec.id, key, parts, extra.get(key.rsplit("/", 1)[-1]))
                parts = {}
            key = k
            fh = tf.extractfile(member)
            parts[ext] = fh.read() if fh else b""
    if key is not None:
        yield _assemble(spec.id, key, parts, extra.get(key.rsplit("/", 1)[-1]))


def read_parquet(spec: ShardSpec) -> Iterator[Sample]:
    for i, row in enumerate(_parquet_rows(spec.paths[0])):
        key = str(row["key"]) if row.get("key") is not None else f"{i:09d}"
        sample = Sample(key=key, shard=spec.id)
        apply_metadata(sample, row)
        yield sample


def read_folder(spec: ShardSpec) -> Iterator[Sample]:
    root = spec.root or os.path.dirname(spec.paths[0])
    for path in spec.paths:
        rel = Path(os.path.relpath(path, root)).as_posix()
        sample = Sample(key=rel, shard=spec.id, media_name=rel, media_path=path)
        base = Path(path).with_suffix("")
        try:
            txt = base.with_suffix(".txt")
            if txt.is_file():
                sample.caption = txt.read_text(encoding="utf-8", errors="replace").strip()
            js = base.with_suffix(".json")
            if js.is_file():
                _load_json(sample, js.name, js.read_bytes())
        except OSError as exc:
            sample.errors.append(
                error_reason("sidecar", f"cannot read a sidecar of {rel}: {exc.strerror or exc}")
            )
        yield sample


READERS: dict[str, Callable[[ShardSpec], Iterator[Sample]]] = {
    "tar": read_tar,
    "parquet": read_parquet,
    "folder": read_folder,
}


def read_shard(spec: ShardSpec) -> Iterator[Sample]:
    return READERS[spec.kind](spec)
