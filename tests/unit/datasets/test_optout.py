"""Each opt-out signal on its own, without a database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mamori.datasets.model import Sample
from mamori.datasets.optout import (
    Snapshots,
    c2pa_signals,
    noai_signals,
    robots_signals,
    sample_signals,
    tdm_signals,
    xmp_signals,
)
from tests.unit.datasets.shards import drawing, plus_xmp, write_snapshot


def sample(url: str = "https://art.example/gallery/a.jpg", **kw: object) -> Sample:
    return Sample(key="k", shard="s", url=url, **kw)  # type: ignore[arg-type]


@pytest.fixture
def snaps(tmp_path: Path) -> Snapshots:
    write_snapshot(
        tmp_path,
        "art.example",
        robots_txt="User-agent: GPTBot\nDisallow: /gallery/\n\nUser-agent: *\nAllow: /\n",
        ai_txt="User-Agent: *\nDisallow: *.png\n",
        tdmrep_json=json.dumps(
            [
                {"location": "/public/*", "tdm-reservation": 0},
                {"location": "/*", "tdm-reservation": 1, "tdm-policy": "https://art.example/policy.json"},
            ]
        ),
    )
    write_snapshot(tmp_path, "open.example", robots_txt="User-agent: *\nDisallow: /private/\n")
    return Snapshots(tmp_path)


def test_tdm_reservation_header_and_policy() -> None:
    s = sample(headers={"tdm-reservation": "1", "tdm-policy": "https://p.example/tdm"})
    [r] = tdm_signals(s, Snapshots(None))
    assert r == {
        "kind": "opt-out",
        "signal": "tdm-reservation",
        "source": "http-header",
        "policy": "https://p.example/tdm",
    }


def test_tdm_html_meta() -> None:
    [r] = tdm_signals(sample(html_meta={"tdm-reservation": "1"}), Snapshots(None))
    assert r["source"] == "html-meta"


def test_tdmrep_json_first_matching_location(snaps: Snapshots) -> None:
    [r] = tdm_signals(sample("https://art.example/gallery/a.jpg"), snaps)
    assert r["source"] == "tdmrep.json" and r["location"] == "/*" and r["policy"].endswith("policy.json")
    assert tdm_signals(sample("https://art.example/public/b.jpg"), snaps) == []


def test_resource_header_overrides_site_tdmrep(snaps: Snapshots) -> None:
    assert tdm_signals(sample(headers={"tdm-reservation": "0"}), snaps) == []


def test_noai_x_robots_tag_and_meta() -> None:
    [r] = noai_signals(sample(headers={"x-robots-tag": "googlebot: noindex, noimageai"}))
    assert r["directives"] == ["noimageai"]
    [m] = noai_signals(sample(html_meta={"robots": "noai"}))
    assert m["source"] == "html-meta"
    assert noai_signals(sample(headers={"x-robots-tag": "noindex"})) == []


def test_robots_txt_for_ai_agents(snaps: Snapshots) -> None:
    [r] = robots_signals(sample("https://art.example/gallery/a.jpg"), snaps)
    assert r["signal"] == "robots.txt" and r["agents"] == ["GPTBot"]
    # the `*` group applies to every AI agent that has no group of its own
    [p] = robots_signals(sample("https://open.example/private/x.jpg"), snaps)
    assert "CCBot" in p["agents"] and "*" in p["agents"]
    assert robots_signals(sample("https://open.example/ok/x.jpg"), snaps) == []
    assert robots_signals(sample("https://nosnapshot.example/x.jpg"), snaps) == []


def test_ai_txt(snaps: Snapshots) -> None:
    reasons = robots_signals(sample("https://art.example/other/pic.png"), snaps)
    assert [r["signal"] for r in reasons] == ["ai.txt"]


@pytest.mark.parametrize(
    ("value", "hit"),
    [
        ("DMI-PROHIBITED", True),
        ("DMI-PROHIBITED-GENAIMLTRAINING", True),
        ("DMI-ALLOWED", False),
        ("DMI-UNSPECIFIED", False),
    ],
)
def test_xmp_plus_data_mining(value: str, hit: bool) -> None:
    for fmt, compress in (("JPEG", False), ("PNG", False), ("PNG", True), ("WEBP", False)):
        data = drawing(5, fmt=fmt, xmp=plus_xmp(value), compress_xmp=compress)
        reasons = xmp_signals(data)
        assert bool(reasons) is hit, fmt
        if hit:
            assert reasons[0]["signal"] == "xmp:plus:DataMining" and reasons[0]["value"].endswith(value)


def test_xmp_element_form_and_foreign_prefix() -> None:
    packet = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description xmlns:p="http://ns.useplus.org/ldf/xmp/1.0/">'
        "<p:DataMining>http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-AIMLTRAINING</p:DataMining>"
        '<other:DataMining xmlns:other="urn:x">DMI-PROHIBITED</other:DataMining>'
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
    )
    [r] = xmp_signals(b"junk" + packet.encode() + b"junk")
    assert r["value"].endswith("AIMLTRAINING")
    assert xmp_signals(drawing(6)) == []


def test_c2pa_training_mining(tmp_path: Path) -> None:
    from mamori.provenance import ProvenanceSigner, make_test_ca
    from mamori.provenance.manifest import ProvenanceInfo

    ca = make_test_ca(tmp_path / "ca")
    signer = ProvenanceSigner.from_files(ca.chain, ca.key)
    info = ProvenanceInfo(
        "g1", "allow", [], [], None, "test-generator", training_mining=None
    )  # None: all notAllowed
    signed = signer.sign_bytes(drawing(7, size=128), "image/jpeg", info)
    reasons = c2pa_signals(signed)
    assert {r["entry"] for r in reasons} == {"cawg.ai_training", "cawg.ai_generative_training"}
    assert all(r["signal"] == "c2pa:cawg.training-mining" and r["use"] == "notAllowed" for r in reasons)
    allowed = ProvenanceInfo(
        "g2",
        "allow",
        [],
        [],
        None,
        "t",
        training_mining={"ai_training": "allowed", "ai_generative_training": "allowed"},
    )
    assert c2pa_signals(signer.sign_bytes(drawing(7, size=128), "image/jpeg", allowed)) == []


def test_c2pa_absent_or_broken_is_no_signal() -> None:
    assert c2pa_signals(drawing(8)) == []
    assert (
        c2pa_signals(b"\xff\xd8\xff" + b"c2pa" * 50) == []
    )  # looks like a manifest, is not: no signal, no raise
    assert c2pa_signals(None) == []


def test_sample_signals_collects_every_kind(snaps: Snapshots) -> None:
    s = sample("https://art.example/gallery/a.png", headers={"x-robots-tag": "noai"})
    kinds = {r["signal"] for r in sample_signals(s, drawing(9, xmp=plus_xmp("DMI-PROHIBITED")), snaps)}
    assert kinds == {"tdm-reservation", "noai", "robots.txt", "ai.txt", "xmp:plus:DataMining"}
