"""Shard discovery and reading: tars with their parquet, standalone parquet, folders, bad sidecars."""

from __future__ import annotations

from pathlib import Path

from mamori.datasets.reader import discover, read_shard
from tests.unit.datasets.shards import drawing, write_parquet, write_tar


def test_tar_reads_sidecars_and_its_parquet(tmp_path: Path) -> None:
    write_tar(
        tmp_path / "d" / "00000.tar",
        [
            {
                "key": "001",
                "image": drawing(1),
                "caption": "a kite",
                "meta": {"url": "https://A.Example/1.jpg"},
            },
            {"key": "002", "image": drawing(2), "ext": "png", "json_raw": b"[1, 2"},
        ],
    )
    write_parquet(
        tmp_path / "d" / "00000.parquet",
        [
            {
                "key": "001",
                "url": "https://a.example/1.jpg",
                "status": "success",
                "tdm_reservation": "1",
                "headers": None,
            },
            {
                "key": "002",
                "url": "https://b.example/2.png",
                "status": "success",
                "tdm_reservation": None,
                "headers": '{"X-Robots-Tag": "noai"}',
            },
        ],
    )
    [spec] = discover([tmp_path / "d"])
    assert spec.kind == "tar" and len(spec.paths) == 2 and spec.id == "00000"
    a, b = list(read_shard(spec))
    assert (a.key, a.caption, a.domain, a.headers) == ("001", "a kite", "a.example", {"tdm-reservation": "1"})
    assert a.media_name == "001.jpg" and a.media
    assert b.errors and b.errors[0]["stage"] == "sidecar" and "002.json" in b.errors[0]["message"]
    assert b.url == "https://b.example/2.png" and b.headers == {"x-robots-tag": "noai"}


def test_standalone_parquet_and_status(tmp_path: Path) -> None:
    write_parquet(
        tmp_path / "meta.parquet",
        [
            {"url": "https://c.example/x.jpg", "caption": "hello", "status": "success", "key": "k1"},
            {"url": "https://c.example/y.jpg", "caption": None, "status": "failed_to_download", "key": "k2"},
        ],
    )
    [spec] = discover([tmp_path / "meta.parquet"])
    samples = list(read_shard(spec))
    assert spec.kind == "parquet" and [s.status for s in samples] == ["success", "failed_to_download"]
    assert samples[0].caption == "hello" and samples[0].media is None


def test_folder_is_cut_into_shards_with_sidecars(tmp_path: Path) -> None:
    media = tmp_path / "pics"
    for i in range(5):
        (media / "sub").mkdir(parents=True, exist_ok=True)
        (media / "sub" / f"p{i}.jpg").write_bytes(drawing(i))
    (media / "sub" / "p0.txt").write_text("caption zero")
    specs = discover([media], shard_size=2)
    assert [s.id for s in specs] == ["pics-00000", "pics-00001", "pics-00002"]
    first = next(read_shard(specs[0]))
    assert first.key == "sub/p0.jpg" and first.caption == "caption zero" and first.media_path


def test_same_stem_in_two_inputs_gets_distinct_ids(tmp_path: Path) -> None:
    for d in ("x", "y"):
        write_tar(tmp_path / d / "00000.tar", [{"key": "1", "caption": "c"}])
    ids = [s.id for s in discover([tmp_path / "x", tmp_path / "y"])]
    assert len(set(ids)) == 2 and all(i.startswith("00000-") for i in ids)


def test_fingerprint_changes_with_the_input(tmp_path: Path) -> None:
    p = write_tar(tmp_path / "00000.tar", [{"key": "1", "caption": "c"}])
    before = discover([p])[0].fingerprint
    write_tar(p, [{"key": "1", "caption": "c"}, {"key": "2", "caption": "d"}])
    assert discover([p])[0].fingerprint != before
