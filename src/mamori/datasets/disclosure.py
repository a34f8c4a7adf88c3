"""Stage 6: the public training-content summary, from the shards' statistics.

Fields follow the EU AI Office's "Template for the Public Summary of Training Content for general-purpose AI
models" (July 2025): 1 general information (provider, model, modalities and sizes), 2 data sources by category
(2.1 publicly available datasets, 2.2 private/licensed, 2.3 crawled with the most relevant domains, 2.4 user
data, 2.5 synthetic, 2.6 other), 3 data processing (3.1 TDM opt-outs honoured, 3.2 illegal content). What the
scan cannot know (provider, model, crawler description) comes from the `--meta` file, or is left null.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from mamori import __version__
from mamori.datasets.optout import AI_AGENTS
from mamori.registry.model import Registry

TEMPLATE = "EU AI Office - Template for the Public Summary of Training Content for general-purpose AI models (July 2025)"
OPT_OUT_MEASURES = {
    "tdm-reservation": "TDMRep tdm-reservation=1 (HTTP header, HTML meta, or /.well-known/tdmrep.json snapshot)",
    "noai": "X-Robots-Tag / robots meta noai, noimageai",
    "robots.txt": "robots.txt disallow for an AI training user agent (snapshot taken at crawl time)",
    "ai.txt": "ai.txt disallow (snapshot taken at crawl time)",
    "xmp:plus:DataMining": "IPTC/PLUS plus:DataMining DMI-PROHIBITED* in embedded XMP",
    "c2pa:cawg.training-mining": "C2PA cawg.training-mining notAllowed/constrained for AI training",
    "c2pa:c2pa.training-mining": "C2PA c2pa.training-mining notAllowed/constrained for AI training",
}


def _add(dst: dict[str, Any], src: dict[str, Any]) -> None:
    for k, v in src.items():
        if isinstance(v, dict):
            _add(dst.setdefault(k, {}), v)
        elif isinstance(v, int | float) and not isinstance(v, bool):
            dst[k] = dst.get(k, 0) + v
        else:
            dst.setdefault(k, v)


def aggregate(shards: Iterable[dict[str, Any]]) -> dict[str, Any]:
    total: dict[str, Any] = {"shards": 0, "incomplete_shards": [], "collected": [], "visual_screening": True}
    for s in shards:
        total["shards"] += 1
        if not s.get("complete", True):
            total["incomplete_shards"].append({"shard": s["shard"], "errors": s.get("shard_errors", [])})
        total["visual_screening"] = total["visual_screening"] and bool(s.get("visual_screening"))
        for k in ("samples", "kept", "excluded", "not_downloaded", "media_missing"):
            total[k] = total.get(k, 0) + s.get(k, 0)
        for k in ("excluded_by", "opt_out", "errors", "modalities", "categories", "domains", "characters"):
            _add(total.setdefault(k, {}), s.get(k, {}))
        if s.get("collected"):
            c = total["collected"]
            total["collected"] = (
                [min(c[0], s["collected"][0]), max(c[1], s["collected"][1])] if c else list(s["collected"])
            )
    return total


def _image_band(n: int) -> str:
    if n < 1_000_000:
        return "less than 1 million images"
    return "1 million to 1 billion images" if n <= 1_000_000_000 else "more than 1 billion images"


def top_domains(
    domains: dict[str, dict[str, int]], top_n: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    """(top 10% of domains by kept content, top N, number of domains), shares of kept samples."""
    real = {d: v for d, v in domains.items() if d != "(none)" and v.get("kept", 0) > 0}
    kept = sum(v["kept"] for v in real.values()) or 1
    ranked = sorted(real.items(), key=lambda dv: (-dv[1]["kept"], dv[0]))
    rows = [{"domain": d, "samples": v["kept"], "share": round(v["kept"] / kept, 6)} for d, v in ranked]
    ten = math.ceil(len(rows) * 0.10) if rows else 0
    return rows[:ten], rows[:top_n], len(rows)


def build(
    stats: list[dict[str, Any]], registry: Registry, meta: dict[str, Any] | None = None, top_n: int = 20
) -> dict[str, Any]:
    meta = meta or {}
    t = aggregate(stats)
    cats = t.get("categories", {})

    def cat(name: str, **extra: Any) -> dict[str, Any]:
        c = cats.get(name, {})
        return {
            "used": c.get("kept", 0) > 0,
            "samples": c.get("samples", 0),
            "kept": c.get("kept", 0),
            **extra,
        }

    datasets: dict[str, dict[str, Any]] = {}
    for s in stats:
        name = (s.get("input") or {}).get("dataset")
        if name:
            row = datasets.setdefault(name, {"name": name, "samples": 0, "kept": 0})
            row["samples"] += s.get("samples", 0)
            row["kept"] += s.get("kept", 0)
    described = {d.get("name"): d for d in meta.get("datasets", []) if isinstance(d, dict)}
    for name, row in datasets.items():
        for k in ("category", "description", "url", "licence"):
            if described.get(name, {}).get(k) is not None:
                row[k] = described[name][k]

    def datasets_of(category: str) -> list[dict[str, Any]]:
        return [d for d in datasets.values() if d.get("category") == category]

    top10, topn, n_domains = top_domains(t.get("domains", {}), top_n)
    with_snapshot = sum(1 for v in t.get("domains", {}).values() if v.get("snapshot"))
    seen = sum(1 for d in t.get("domains", {}) if d != "(none)")
    rightsholder_of = {w.id: w.rightsholder for w in registry.works}
    characters = sorted(
        ({**c, "rightsholder": rightsholder_of.get(c["work"])} for c in t.get("characters", {}).values()),
        key=lambda c: (c["work"], c["character"] or ""),
    )
    modalities = {
        name: {
            "samples": m.get("samples", 0),
            "kept": m.get("kept", 0),
            "bytes": m.get("bytes", 0),
            **({"size_band": _image_band(m.get("kept", 0))} if name == "image" else {}),
        }
        for name, m in sorted(t.get("modalities", {}).items())
    }
    return {
        "template": TEMPLATE,
        "generated_by": f"mamori {__version__} datasets scan",
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "general_information": {
            "provider": meta.get("provider"),
            "model": meta.get("model"),
            "modalities": modalities,
            "totals": {
                "samples_screened": t.get("samples", 0),
                "kept": t.get("kept", 0),
                "excluded": t.get("excluded", 0),
                "not_downloaded": t.get("not_downloaded", 0),
                "metadata_only": t.get("media_missing", 0),
            },
            "acquisition_period": t["collected"] or meta.get("acquisition_period"),
            "latest_acquisition": (t["collected"] or [None, None])[1] or meta.get("latest_acquisition"),
            "content_description": meta.get("content_description"),
            "languages": meta.get("languages"),
        },
        "data_sources": {
            "publicly_available_datasets": cat(
                "publicly_available", datasets=datasets_of("publicly_available")
            ),
            "private_datasets": {
                "licensed": cat("licensed", datasets=datasets_of("licensed")),
                "other": cat("private", datasets=datasets_of("private")),
            },
            "web_crawled": cat(
                "web_crawled",
                crawlers=meta.get("crawlers"),
                collection_period=t["collected"] or None,
                domains=n_domains,
                top_domains_10_percent=top10,
                top_domains=topn,
            ),
            "user_data": cat("user_data", description=meta.get("user_data")),
            "synthetic_data": cat("synthetic", description=meta.get("synthetic_data")),
            "other": cat("other", datasets=datasets_of("other")),
        },
        "data_processing": {
            "tdm_opt_outs": {
                "measures": [OPT_OUT_MEASURES.get(k, k) for k in OPT_OUT_MEASURES],
                "ai_agents_checked": list(AI_AGENTS),
                "samples_excluded_for_opt_out": t.get("excluded_by", {}).get("opt-out", 0),
                "by_signal": dict(sorted(t.get("opt_out", {}).items())),
                "domains_with_snapshots": with_snapshot,
                "domains_seen": seen,
            },
            "registered_works": {
                "registry_characters": len(registry.characters),
                "samples_excluded_for_registered_characters": t.get("excluded_by", {}).get("character", 0),
                "visual_screening": t["visual_screening"],
                "findings": characters,
            },
            "errors": {
                "samples_excluded_unscreenable": t.get("excluded_by", {}).get("error", 0),
                "by_stage": t.get("errors", {}),
                "incomplete_shards": t["incomplete_shards"],
            },
            "illegal_content": meta.get("illegal_content"),
        },
    }


def _table(headers: list[str], rows: list[list[Any]]) -> list[str]:
    if not rows:
        return ["_none_", ""]
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join("" if v is None else str(v) for v in r) + " |" for r in rows]
    return out + [""]


def markdown(d: dict[str, Any]) -> str:
    g, s, p = d["general_information"], d["data_sources"], d["data_processing"]
    name = lambda v: (v.get("name") if isinstance(v, dict) else v) or "_not stated_"  # noqa: E731
    lines = [
        "# Public summary of training content",
        "",
        f"Following: {d['template']}. Generated by {d['generated_by']} at {d['generated_at']}.",
        "",
        "## 1. General information",
        "",
        f"- Provider: {name(g['provider'])}",
        f"- Model: {name(g['model'])}",
        f"- Acquisition period: {' to '.join(g['acquisition_period']) if isinstance(g['acquisition_period'], list) else g['acquisition_period'] or '_not stated_'}",
        f"- Samples screened: {g['totals']['samples_screened']:,}; kept for training: {g['totals']['kept']:,}; "
        f"excluded: {g['totals']['excluded']:,}",
        "",
        "### Modalities and size",
        "",
    ]
    lines += _table(
        ["modality", "kept", "screened", "bytes", "size band"],
        [
            [k, f"{v['kept']:,}", f"{v['samples']:,}", f"{v['bytes']:,}", v.get("size_band", "")]
            for k, v in g["modalities"].items()
        ],
    )
    lines += ["## 2. Data sources", ""]
    for title, c in (
        ("2.1 Publicly available datasets", s["publicly_available_datasets"]),
        ("2.2.1 Licensed from rightsholders", s["private_datasets"]["licensed"]),
        ("2.2.2 Other private datasets", s["private_datasets"]["other"]),
        ("2.3 Crawled and scraped from online sources", s["web_crawled"]),
        ("2.4 User data", s["user_data"]),
        ("2.5 Synthetic data", s["synthetic_data"]),
        ("2.6 Other sources", s["other"]),
    ):
        lines += [
            f"### {title}",
            "",
            f"Used: {'yes' if c['used'] else 'no'} ({c['kept']:,} samples kept of {c['samples']:,})",
            "",
        ]
        for ds in c.get("datasets") or []:
            lines.append(
                f"- {ds['name']}: {ds['kept']:,} kept"
                + (f" - {ds['description']}" if ds.get("description") else "")
            )
        if c.get("datasets"):
            lines.append("")
    w = s["web_crawled"]
    lines += [f"#### Most relevant domains (top 10% of {w['domains']:,} domains by kept content)", ""]
    lines += _table(
        ["domain", "samples", "share"],
        [[r["domain"], f"{r['samples']:,}", f"{r['share']:.2%}"] for r in w["top_domains_10_percent"]],
    )
    lines += [f"#### Top {len(w['top_domains'])} domains", ""]
    lines += _table(
        ["domain", "samples", "share"],
        [[r["domain"], f"{r['samples']:,}", f"{r['share']:.2%}"] for r in w["top_domains"]],
    )
    t = p["tdm_opt_outs"]
    lines += [
        "## 3. Data processing",
        "",
        "### 3.1 Reservations of rights (TDM opt-outs) honoured",
        "",
        *[f"- {m}" for m in t["measures"]],
        "",
        f"AI agents checked in robots.txt / ai.txt: {', '.join(t['ai_agents_checked'])}. "
        f"Snapshots were available for {t['domains_with_snapshots']:,} of {t['domains_seen']:,} domains.",
        "",
        f"Samples excluded for an opt-out: {t['samples_excluded_for_opt_out']:,}",
        "",
    ]
    lines += _table(["signal", "samples"], [[k, f"{v:,}"] for k, v in t["by_signal"].items()])
    r = p["registered_works"]
    lines += [
        "### Registered works (mamori registry)",
        "",
        f"Samples excluded because a registered character's training policy is `block`: "
        f"{r['samples_excluded_for_registered_characters']:,} (visual screening: {'on' if r['visual_screening'] else 'off'}).",
        "",
    ]
    lines += _table(
        ["character", "work", "rightsholder", "training", "found", "excluded", "kept"],
        [
            [
                c["character"] or "(work)",
                c["work"],
                c["rightsholder"],
                c["training"],
                c["found"],
                c["excluded"],
                c["kept"],
            ]
            for c in r["findings"]
        ],
    )
    e = p["errors"]
    lines += [
        "### Samples that could not be screened",
        "",
        f"Excluded (fail closed): {e['samples_excluded_unscreenable']:,}; by stage: "
        + (", ".join(f"{k} {v}" for k, v in sorted(e["by_stage"].items())) or "none"),
        "",
        "### 3.2 Illegal content",
        "",
        str(p["illegal_content"] or "_not stated_"),
        "",
    ]
    return "\n".join(lines)
