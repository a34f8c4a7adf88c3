"""Stage 2a: machine-readable opt-out signals for one sample. Every function returns reasons; none raises.

Signals, and where they are read from:

- TDMRep: `tdm-reservation` / `tdm-policy` in captured HTTP headers, then in captured HTML `<meta>`
  (resource level), then the site's `/.well-known/tdmrep.json` snapshot (path patterns, first match wins).
  The first of these that says anything decides; `tdm-reservation: 1` is an opt-out.
- `X-Robots-Tag` header / `<meta name="robots">` carrying `noai` or `noimageai`.
- robots.txt and ai.txt snapshots, read with protego for the AI training agents in `AI_AGENTS`
  (a disallow for any of them, including the `*` group they fall back to, is an opt-out).
- IPTC/PLUS `plus:DataMining` in the image's embedded XMP packet: any `DMI-PROHIBITED*` value.
- C2PA `cawg.training-mining` (or the older `c2pa.training-mining`) assertion: `notAllowed` or
  `constrained` for (generative) AI training. Read offline; no manifest or an unreadable one is no signal.

Snapshot folder layout (`--snapshots DIR`), one folder per host name as it appears in sample URLs:

    DIR/<host>/robots.txt
    DIR/<host>/ai.txt
    DIR/<host>/.well-known/tdmrep.json      (DIR/<host>/tdmrep.json is read too)
"""

from __future__ import annotations

import io
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mamori.datasets.model import OPT_OUT, Sample

AI_AGENTS = ("GPTBot", "CCBot", "Google-Extended", "anthropic-ai", "ClaudeBot", "img2dataset", "*")
NOAI = ("noai", "noimageai")
PLUS_NS = "http://ns.useplus.org/ldf/xmp/1.0/"


def _reason(signal: str, **detail: Any) -> dict[str, Any]:
    return {"kind": OPT_OUT, "signal": signal, **{k: v for k, v in detail.items() if v is not None}}


# --- snapshots --------------------------------------------------------------------------------------------


class Snapshots:
    """Per-host robots.txt, ai.txt and tdmrep.json captured at crawl time; parsed once per host."""

    def __init__(self, root: str | Path | None, agents: tuple[str, ...] = AI_AGENTS) -> None:
        self.root = Path(root) if root else None
        self.agents = agents
        self.robots = lru_cache(maxsize=8192)(self._load_robots)
        self.tdmrep = lru_cache(maxsize=8192)(self._load_tdmrep)

    def _file(self, host: str, *names: str) -> str | None:
        if self.root is None or not host or "/" in host or host.startswith("."):
            return None
        for name in names:
            p = self.root / host / name
            try:
                return p.read_text(encoding="utf-8", errors="replace")
            except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
                continue
        return None

    def has(self, host: str) -> bool:
        return self.root is not None and (self.root / host).is_dir()

    def _load_robots(self, host: str, name: str) -> Any:
        from protego import Protego

        text = self._file(host, name)
        return None if text is None else Protego.parse(text)

    def _load_tdmrep(self, host: str) -> list[dict[str, Any]] | None:
        text = self._file(host, ".well-known/tdmrep.json", "tdmrep.json")
        if text is None:
            return None
        try:
            rules = json.loads(text)
        except ValueError:
            return None
        if isinstance(rules, dict):
            rules = [rules]
        return [r for r in rules if isinstance(r, dict)] if isinstance(rules, list) else None


# --- TDMRep and X-Robots-Tag ------------------------------------------------------------------------------


def _pattern(location: str) -> re.Pattern[str]:
    """A robots.txt-style path pattern (`*` any run, trailing `$` anchors) as a regex."""
    anchored = location.endswith("$")
    body = location[:-1] if anchored else location
    rx = ".*".join(re.escape(part) for part in body.split("*"))
    return re.compile(rx + ("$" if anchored else ""))


def _reserved(value: Any) -> bool | None:
    if value is None:
        return None
    text = str(value).strip()
    return {"1": True, "0": False, "true": True, "false": False}.get(text.lower())


def tdm_signals(sample: Sample, snapshots: Snapshots) -> list[dict[str, Any]]:
    for source, fields in (("http-header", sample.headers), ("html-meta", sample.html_meta)):
        reserved = _reserved(fields.get("tdm-reservation"))
        if reserved is not None:
            return (
                [_reason("tdm-reservation", source=source, policy=fields.get("tdm-policy"))]
                if reserved
                else []
            )
    host = sample.domain
    if not host or not sample.url:
        return []
    rules = snapshots.tdmrep(host)
    if not rules:
        return []
    parts = urlsplit(sample.url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    for rule in rules:
        location = str(rule.get("location", ""))
        if location and _pattern(location).match(path):
            if _reserved(rule.get("tdm-reservation")):
                return [
                    _reason(
                        "tdm-reservation",
                        source="tdmrep.json",
                        location=location,
                        policy=rule.get("tdm-policy"),
                    )
                ]
            return []
    return []


def noai_signals(sample: Sample) -> list[dict[str, Any]]:
    out = []
    for source, value in (
        ("x-robots-tag", sample.headers.get("x-robots-tag")),
        ("html-meta", sample.html_meta.get("robots")),
    ):
        if not value:
            continue
        directives = {d.strip().lower() for chunk in value.split(",") for d in chunk.split(":")[-1:]}
        hit = sorted(directives & set(NOAI))
        if hit:
            out.append(_reason("noai", source=source, directives=hit))
    return out


# --- robots.txt and ai.txt --------------------------------------------------------------------------------


def robots_signals(sample: Sample, snapshots: Snapshots) -> list[dict[str, Any]]:
    host = sample.domain
    if not host or not sample.url:
        return []
    out = []
    for name in ("robots.txt", "ai.txt"):
        parser = snapshots.robots(host, name)
        if parser is None:
            continue
        agents = [a for a in snapshots.agents if not parser.can_fetch(sample.url, a)]
        if agents:
            out.append(_reason(name, agents=agents))
    return out


# --- embedded XMP (IPTC / PLUS) ---------------------------------------------------------------------------

_XMP_START = (b"<x:xmpmeta", b"<x:xapmeta")
_DATAMINING = re.compile(
    r"""(?P<prefix>[\w.-]+):DataMining\s*(?:=\s*["'](?P<attr>[^"']*)["']|>\s*(?P<elem>[^<]*)<|[^>]*?rdf:resource\s*=\s*["'](?P<res>[^"']*)["'])""",
    re.S,
)


def xmp_packet(data: bytes) -> str | None:
    for marker in _XMP_START:
        start = data.find(marker)
        if start >= 0:
            end = data.find(marker.replace(b"<", b"</"), start)
            chunk = data[start : end + len(marker) + 2] if end >= 0 else data[start : start + (1 << 20)]
            return chunk.decode("utf-8", errors="replace")
    if data.startswith(b"\x89PNG") and b"XML:com.adobe.xmp" in data:  # compressed iTXt: let Pillow inflate it
        try:
            from PIL import Image

            with Image.open(io.BytesIO(data)) as im:
                value = im.info.get("XML:com.adobe.xmp")
            return value if isinstance(value, str) else None
        except Exception:  # noqa: BLE001 - a broken image is reported by the visual stage, not here
            return None
    return None


def xmp_signals(data: bytes | None) -> list[dict[str, Any]]:
    if not data:
        return []
    packet = xmp_packet(data)
    if not packet or "DataMining" not in packet:
        return []
    plus_prefixes = set(re.findall(r'xmlns:([\w.-]+)\s*=\s*["\']' + re.escape(PLUS_NS), packet)) or {"plus"}
    for m in _DATAMINING.finditer(packet):
        if m.group("prefix") not in plus_prefixes:
            continue
        value = (m.group("attr") or m.group("elem") or m.group("res") or "").strip()
        code = value.rsplit("/", 1)[-1].upper()
        if code.startswith("DMI-PROHIBITED"):
            return [_reason("xmp:plus:DataMining", value=value)]
    return []


# --- C2PA -------------------------------------------------------------------------------------------------

TRAINING_LABELS = ("cawg.training-mining", "c2pa.training-mining")
TRAINING_USES = ("ai_generative_training", "ai_training")


def c2pa_signals(data: bytes | None) -> list[dict[str, Any]]:
    """The active manifest's training-mining assertion, read offline; never raises."""
    if (
        not data or b"c2pa" not in data
    ):  # every manifest store carries the JUMBF label; skip the SDK otherwise
        return []
    try:
        import c2pa

        from mamori.mediatype import sniff_mime
        from mamori.provenance import sdk

        mime = sniff_mime(data[:64])
        if mime is None or mime not in sdk.reader_mime_types():
            return []
        with sdk.make_context(None) as ctx:
            reader = c2pa.Reader.try_create(mime, io.BytesIO(data), None, ctx)
            if reader is None:
                return []
            with reader:
                manifest = reader.get_active_manifest() or {}
    except Exception:  # noqa: BLE001 - a broken manifest is no signal, never a failed sample
        return []
    out = []
    for assertion in manifest.get("assertions") or []:
        if assertion.get("label") not in TRAINING_LABELS:
            continue
        entries = (assertion.get("data") or {}).get("entries") or {}
        for name, entry in entries.items():
            use = (entry or {}).get("use") if isinstance(entry, dict) else None
            if name.split(".", 1)[-1] in TRAINING_USES and use in ("notAllowed", "constrained"):
                out.append(_reason("c2pa:" + assertion["label"], entry=name, use=use))
    return out


def sample_signals(sample: Sample, data: bytes | None, snapshots: Snapshots) -> list[dict[str, Any]]:
    """All opt-out reasons for one sample (data: its media bytes, if any)."""
    return (
        tdm_signals(sample, snapshots)
        + noai_signals(sample)
        + robots_signals(sample, snapshots)
        + xmp_signals(data)
        + c2pa_signals(data)
    )
