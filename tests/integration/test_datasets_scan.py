"""`mamori datasets scan` end to end on tiny invented training sets: a real registry in SQLite."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from mamori.cli.main import app
from mamori.datasets import ScreenerSpec, lookup, scan
from mamori.datasets.reader import discover
from mamori.registry.model import Registry
from tests.unit.datasets.shards import (
    drawing,
    mascot,
    plus_xmp,
    read_jsonl,
    write_parquet,
    write_registry,
    write_snapshot,
    write_tar,
)


@dataclass(frozen=True)
class Env:
    db: str
    registry: Registry
    data: Path
    snapshots: Path


def _shard(n: int) -> list[dict[str, Any]]:
    return [
        {
            "key": f"{n}{i:04d}",
            "image": drawing(n * 10 + i),
            "caption": f"scenery {n}-{i}",
            "meta": {"url": f"https://free.example/{n}/{i}.jpg"},
        }
        for i in range(3)
    ]


@pytest.fixture
def env(tmp_path: Path, sqlite_url: str) -> Env:
    from mamori.service import Mamori

    svc = Mamori.open(sqlite_url)
    svc.import_registry(write_registry(tmp_path / "reg"))
    registry = svc.registry()
    svc.close()
    data = tmp_path / "data"
    samples = [
        {
            "key": "000",
            "image": drawing(1),
            "caption": "a cat on a sofa",
            "meta": {"url": "https://free.example/a.jpg", "status": "success"},
        },
        {
            "key": "001",
            "image": drawing(2),
            "caption": "Ponta Pinecone fan art",
            "meta": {"url": "https://free.example/b.jpg"},
        },
        {
            "key": "002",
            "image": mascot(),
            "caption": "a drawing",
            "meta": {"url": "https://free.example/c.jpg"},
        },
        {
            "key": "003",
            "image": drawing(3),
            "caption": "Lumi Lanternfly at night",
            "meta": {"url": "https://free.example/d.jpg"},
        },
        {
            "key": "004",
            "image": drawing(4),
            "caption": "a bridge",
            "meta": {"url": "https://free.example/e.jpg"},
        },
        {"key": "005", "image": b"\xff\xd8\xff\xe0 truncated jpeg", "caption": "a lake"},
        {"key": "006", "image": drawing(6), "json_raw": b'{"url": "https://free.example/f.jpg",'},
        {
            "key": "007",
            "image": drawing(7, fmt="PNG", xmp=plus_xmp("DMI-PROHIBITED")),
            "ext": "png",
            "caption": "a tree",
        },
        {
            "key": "008",
            "image": drawing(8),
            "caption": "a dog",
            "meta": {"url": "https://walled.example/gallery/g.jpg"},
        },
        {
            "key": "009",
            "image": drawing(9),
            "caption": "a boat",
            "meta": {"url": "https://reserved.example/h.jpg"},
        },
        {
            "key": "010",
            "image": drawing(10),
            "caption": "Lumi Lanternfly again",
            "meta": {"url": "https://free.example/i.jpg"},
        },
    ]
    write_tar(data / "00000.tar", samples)
    write_parquet(  # img2dataset's metadata beside the tar: captured headers and download status
        data / "00000.parquet",
        [
            {"key": s["key"], "status": "success", "tdm_reservation": "1" if s["key"] == "004" else None}
            for s in samples
        ],
    )
    write_tar(data / "00001.tar", _shard(1))
    write_parquet(
        data / "extra.parquet",
        [
            {
                "key": "p1",
                "url": "https://free.example/p1.jpg",
                "caption": "Ponta Pinecone plush",
                "status": "success",
            },
            {
                "key": "p2",
                "url": "https://free.example/p2.jpg",
                "caption": "a chair",
                "status": "failed_to_download",
            },
        ],
    )
    snaps = tmp_path / "snapshots"
    write_snapshot(snaps, "walled.example", robots_txt="User-agent: CCBot\nDisallow: /gallery/\n")
    write_snapshot(snaps, "reserved.example", tdmrep_json='[{"location": "/*", "tdm-reservation": 1}]')
    write_snapshot(snaps, "free.example", robots_txt="User-agent: *\nAllow: /\n")
    return Env(sqlite_url, registry, data, snaps)


def _by_key(path: Path) -> dict[str, dict[str, Any]]:
    return {r["key"]: r for r in read_jsonl(path)}


def test_scan_excludes_characters_opt_outs_and_errors(env: Env, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = scan(
        [env.data], out, ScreenerSpec(env.db), env.registry, snapshots=env.snapshots, progress=False
    )
    ex, kept = _by_key(out / "exclusions.jsonl"), _by_key(out / "kept.jsonl")

    def kinds(key: str) -> set[str]:
        return {r["kind"] if r["kind"] != "opt-out" else r["signal"] for r in ex[key]["reasons"]}

    assert kinds("001") == {"character"} and ex["001"]["reasons"][0]["via"] == ["caption"]
    assert ex["001"]["reasons"][0]["character"] == "ponta" and ex["001"]["reasons"][0]["training"] == "block"
    assert kinds("002") == {"character"} and ex["002"]["reasons"][0]["via"] == [
        "image"
    ]  # reference art, no name
    assert kinds("004") == {"tdm-reservation"}
    assert kinds("005") == {"error"} and ex["005"]["reasons"][0]["stage"] == "image"
    assert kinds("006") == {"error"} and ex["006"]["reasons"][0]["stage"] == "sidecar"
    assert kinds("007") == {"xmp:plus:DataMining"}
    assert kinds("008") == {"robots.txt"}
    assert kinds("009") == {"tdm-reservation"} and ex["009"]["reasons"][0]["source"] == "tdmrep.json"
    assert kinds("p1") == {"character"}
    # training: allow -> kept, and still reported as found
    assert kept["003"]["found"][0]["character"] == "lumi" and "003" not in ex
    assert {"000", "003", "010", "10000", "10001", "10002"} == set(kept)
    assert "p2" not in ex and "p2" not in kept  # not downloaded: never training content

    totals = result.totals
    assert (totals["samples"], totals["kept"], totals["excluded"], totals["not_downloaded"]) == (15, 6, 9, 1)
    stats = json.loads((out / "shards" / "00000.json").read_text())
    assert stats["complete"] and stats["opt_out"] == {
        "tdm-reservation": 2,
        "xmp:plus:DataMining": 1,
        "robots.txt": 1,
    }

    d = json.loads((out / "disclosure.json").read_text())
    assert set(d) >= {"general_information", "data_sources", "data_processing"}
    assert d["general_information"]["modalities"]["image"]["kept"] == 6
    web = d["data_sources"]["web_crawled"]
    assert web["top_domains"][0] == {"domain": "free.example", "samples": 6, "share": 1.0}
    assert d["data_processing"]["tdm_opt_outs"]["samples_excluded_for_opt_out"] == 4
    assert d["data_processing"]["tdm_opt_outs"]["domains_with_snapshots"] == 3
    ponta = next(f for f in d["data_processing"]["registered_works"]["findings"] if f["character"] == "ponta")
    assert (ponta["found"], ponta["excluded"], ponta["rightsholder"]) == (3, 3, "donguri-works")
    md = (out / "disclosure.md").read_text()
    assert "3.1 Reservations of rights" in md and "free.example" in md and "ponta" in md

    r = lookup(out, "acorn-saga")
    assert (r["found"], r["excluded"], r["kept"]) == (3, 3, 0)
    assert {e["key"] for e in r["excluded_keys"]} == {"001", "002", "p1"}
    lumi = lookup(out, "lantern-tales")
    assert (lumi["found"], lumi["kept"]) == (2, 2)


def test_media_folder_with_sidecars(env: Env, tmp_path: Path) -> None:
    media = tmp_path / "media"
    media.mkdir()
    (media / "hero.png").write_bytes(mascot())
    (media / "calm.jpg").write_bytes(drawing(3))
    (media / "calm.txt").write_text("Ponta Pinecone in the rain")
    (media / "ok.jpg").write_bytes(drawing(4))
    out = tmp_path / "out"
    scan([media], out, ScreenerSpec(env.db), env.registry, progress=False)
    assert set(_by_key(out / "exclusions.jsonl")) == {"hero.png", "calm.jpg"}
    assert set(_by_key(out / "kept.jsonl")) == {"ok.jpg"}


class _Interrupt(Exception):
    pass


@dataclass(frozen=True)
class _StopOn:
    """A screener spec that breaks off the run when it reaches one shard (an interruption)."""

    inner: ScreenerSpec
    shard_marker: str

    def build(self) -> Any:
        inner = self.inner.build()
        marker = self.shard_marker

        class Screener:
            visual = inner.visual

            def screen_caption(self, text: str) -> list[Any]:
                if marker in text:
                    raise KeyboardInterrupt  # not an Exception: escapes the per-sample guard like Ctrl-C
                return inner.screen_caption(text)

            def screen_image(self, data: bytes) -> list[Any]:
                return inner.screen_image(data)

            def screen_video(self, path: str) -> list[Any]:
                return inner.screen_video(path)

        return Screener()


def test_resume_skips_finished_shards(env: Env, tmp_path: Path) -> None:
    out = tmp_path / "out"
    spec = ScreenerSpec(env.db)
    with pytest.raises(KeyboardInterrupt):  # 00000 finishes, 00001 is interrupted mid-shard
        scan([env.data], out, _StopOn(spec, "scenery 1-1"), env.registry, progress=False)
    shards = out / "shards"
    assert (shards / "00000.json").is_file() and not (shards / "00001.json").exists()
    assert not (shards / "00001.kept.jsonl").exists() and not list(shards.glob(".*tmp"))
    finished = (shards / "00000.json").stat().st_mtime_ns

    result = scan([env.data], out, spec, env.registry, progress=False)
    assert result.skipped == 1 and result.shards == 3
    assert (shards / "00000.json").stat().st_mtime_ns == finished  # not redone
    assert {"10000", "10001", "10002"} <= set(_by_key(out / "kept.jsonl"))

    # a changed input is redone
    write_tar(env.data / "00001.tar", _shard(1)[:2])
    os.utime(env.data / "00001.tar", ns=(1, 1))
    assert scan([env.data], out, spec, env.registry, progress=False).skipped == 2
    assert len([s for s in discover([env.data])]) == 3


def test_cli_scan_and_lookup(env: Env, tmp_path: Path) -> None:
    out = tmp_path / "cli-out"
    runner = CliRunner()
    res = runner.invoke(
        app,
        [
            "datasets",
            "scan",
            str(env.data),
            "--out",
            str(out),
            "--db",
            env.db,
            "--snapshots",
            str(env.snapshots),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "kept 6, excluded 9" in res.output
    res = runner.invoke(app, ["datasets", "lookup", "--work", "acorn-saga", str(out)])
    assert res.exit_code == 0, res.output
    assert "found in 3 samples; excluded 3, kept 0" in res.output and "00000/001" in res.output
    res = runner.invoke(
        app, ["datasets", "scan", str(env.data), "--out", str(out), "--db", env.db, "--engine", "spark"]
    )
    assert res.exit_code == 2 and "unknown engine" in res.output
