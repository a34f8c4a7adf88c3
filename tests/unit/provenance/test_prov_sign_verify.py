"""Sign and verify JPEG, PNG and MP4; tampering, trust, missing manifests, assertion contents."""

from __future__ import annotations

from pathlib import Path

import pytest
from prov_helpers import EXTS, MIMES, flip_media_byte, make_info

from mamori.provenance import (
    DIGITAL_SOURCE_TYPE,
    ProvenanceError,
    ProvenanceInfo,
    ProvenanceSigner,
    SigningRefused,
    TestCA,
    UnsupportedFormat,
    default_training_mining,
    verify,
)
from mamori.types import Decision, Verdict

FORMATS = ["jpeg", "png", "mp4"]


@pytest.fixture(scope="module")
def signed(signer: ProvenanceSigner, media: dict[str, bytes]) -> dict[str, bytes]:
    info = make_info()
    return {fmt: signer.sign_bytes(media[fmt], MIMES[fmt], info) for fmt in FORMATS}


@pytest.mark.parametrize("fmt", FORMATS)
def test_signed_media_is_valid_without_anchors(
    fmt: str, signed: dict[str, bytes], media: dict[str, bytes]
) -> None:
    assert len(signed[fmt]) > len(media[fmt])
    result = verify(signed[fmt])
    assert result.state == "valid"
    assert result.ok and not result.trusted
    assert result.mime == MIMES[fmt]
    # The SDK reports the missing trust anchor; nothing else failed.
    assert result.failure_codes == ["signingCredential.untrusted"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_trusted_with_the_ca_as_anchor(fmt: str, signed: dict[str, bytes], test_ca: TestCA) -> None:
    result = verify(signed[fmt], trust_anchors_pem=test_ca.ca_pem)
    assert result.state == "trusted"
    assert result.failures == []
    assert result.signer and result.signer["common_name"] == "mamori dev signer"


def test_another_ca_as_anchor_is_only_valid(signed: dict[str, bytes], other_ca: TestCA) -> None:
    result = verify(signed["png"], trust_anchors_pem=other_ca.ca_pem)
    assert result.state == "valid"
    assert "signingCredential.untrusted" in result.failure_codes


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_flipped_media_byte_is_invalid(fmt: str, signed: dict[str, bytes], test_ca: TestCA) -> None:
    tampered = flip_media_byte(signed[fmt], MIMES[fmt])
    result = verify(tampered, trust_anchors_pem=test_ca.ca_pem)
    assert result.state == "invalid"
    assert not result.ok
    assert any("mismatch" in code for code in result.failure_codes), result.failures
    assert any("Hashes do not match" in f or "mismatch" in f for f in result.failures)


@pytest.mark.parametrize("fmt", FORMATS)
def test_media_without_manifest_is_none(fmt: str, media: dict[str, bytes]) -> None:
    result = verify(media[fmt])
    assert result.state == "none"
    assert result.mamori is None and result.failures == []


def test_rights_assertion_round_trips(signed: dict[str, bytes]) -> None:
    info = make_info()
    result = verify(signed["mp4"])
    assert result.mamori is not None
    assert result.mamori["version"] == 1
    assert result.mamori["generation_id"] == "gen-0001"
    assert result.mamori["decision"] == {"verdict": "licensed", "reasons": info.reasons}
    assert result.mamori["ledger_hash"] == info.ledger_hash
    assert result.mamori["licensed"] == info.licensed
    back = ProvenanceInfo.from_assertion(result.mamori, generator=info.generator)
    assert back == info


def test_created_action_names_the_generator(signed: dict[str, bytes]) -> None:
    result = verify(signed["jpeg"])
    assert result.actions == [
        {
            "action": "c2pa.created",
            "digitalSourceType": DIGITAL_SOURCE_TYPE,
            "softwareAgent": {"name": "acme-video", "version": "2.1"},
        }
    ]
    assert result.claim_generator[0]["name"] == "mamori"


def test_training_mining_defaults_to_not_allowed(signed: dict[str, bytes]) -> None:
    result = verify(signed["png"])
    assert result.training_mining == default_training_mining()
    assert set(result.training_mining["entries"]) == {
        "cawg.ai_training",
        "cawg.ai_generative_training",
        "cawg.ai_inference",
        "cawg.data_mining",
    }


def test_training_mining_is_configurable(signer: ProvenanceSigner, media: dict[str, bytes]) -> None:
    info = make_info(
        training_mining={
            "ai_inference": "allowed",
            "cawg.data_mining": {"use": "constrained", "constraint_info": "ask"},
        }
    )
    result = verify(signer.sign_bytes(media["png"], "image/png", info))
    entries = result.training_mining["entries"]
    assert entries["cawg.ai_inference"] == {"use": "allowed"}
    assert entries["cawg.data_mining"] == {"use": "constrained", "constraint_info": "ask"}
    assert entries["cawg.ai_training"] == {"use": "notAllowed"}

    omitted = verify(signer.sign_bytes(media["png"], "image/png", make_info(training_mining={})))
    assert omitted.training_mining is None and omitted.state == "valid"

    with pytest.raises(ProvenanceError, match="use must be one of"):
        signer.sign_bytes(media["png"], "image/png", make_info(training_mining={"ai_training": "maybe"}))


def test_mime_is_sniffed_from_bytes_not_the_label(signer: ProvenanceSigner, media: dict[str, bytes]) -> None:
    out = signer.sign_bytes(media["png"], "image/jpeg", make_info())
    assert verify(out).mime == "image/png"


@pytest.mark.parametrize("fmt", FORMATS)
def test_sign_file_by_extension_and_in_place(
    fmt: str, signer: ProvenanceSigner, media: dict[str, bytes], tmp_path: Path
) -> None:
    src = tmp_path / f"in{EXTS[fmt]}"
    src.write_bytes(media[fmt])
    dst = tmp_path / "out" / f"signed{EXTS[fmt]}"
    signer.sign_file(src, dst, make_info())
    assert verify(dst).state == "valid"
    assert verify(src).state == "none"
    signer.sign_file(src, src, make_info(generation_id="gen-in-place"))
    assert verify(src).mamori["generation_id"] == "gen-in-place"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in" + EXTS[fmt], "out"]  # no temp files left


def test_unsupported_formats_are_refused(
    signer: ProvenanceSigner, media: dict[str, bytes], tmp_path: Path
) -> None:
    with pytest.raises(UnsupportedFormat, match="cannot embed a manifest in image/bmp"):
        signer.sign_bytes(media["bmp"], "image/bmp", make_info())
    txt = tmp_path / "notes.txt"
    txt.write_text("hello")
    with pytest.raises(UnsupportedFormat, match="not image, video or audio media"):
        signer.sign_file(txt, tmp_path / "out.txt", make_info())
    assert not (tmp_path / "out.txt").exists()
    with pytest.raises(UnsupportedFormat, match="cannot tell what kind of media"):
        signer.sign_bytes(b"\x00\x01 not media", None, make_info())
    bmp = tmp_path / "x.bmp"
    bmp.write_bytes(media["bmp"])
    with pytest.raises(UnsupportedFormat, match="cannot carry an embedded C2PA manifest"):
        verify(bmp)


@pytest.mark.parametrize("verdict", ["block", "review"])
def test_unreleased_verdicts_are_not_signed(
    verdict: str, signer: ProvenanceSigner, media: dict[str, bytes]
) -> None:
    with pytest.raises(SigningRefused, match=f"verdict '{verdict}' does not release"):
        signer.sign_bytes(media["png"], "image/png", make_info(verdict=verdict))


def test_bad_info_is_rejected(signer: ProvenanceSigner, media: dict[str, bytes]) -> None:
    with pytest.raises(ProvenanceError, match="unknown verdict"):
        signer.sign_bytes(media["png"], "image/png", make_info(verdict="maybe"))
    with pytest.raises(ProvenanceError, match="generation_id is required"):
        signer.sign_bytes(media["png"], "image/png", make_info(generation_id=" "))
    with pytest.raises(ProvenanceError, match="cannot put a"):
        signer.sign_bytes(
            media["png"], "image/png", make_info(licensed=[{"character": "x", "terms": {"f": object()}}])
        )


def test_from_decision(signer: ProvenanceSigner, media: dict[str, bytes]) -> None:
    decision = Decision(verdict=Verdict.ALLOW, reasons=("no registered character found",))
    info = ProvenanceInfo.from_decision(decision, generation_id="g-9", generator="tiny-gen")
    result = verify(signer.sign_bytes(media["jpeg"], "image/jpeg", info))
    assert result.mamori["decision"] == {"verdict": "allow", "reasons": ["no registered character found"]}
    assert result.mamori["licensed"] == [] and result.mamori["ledger_hash"] is None
    assert result.actions[0]["softwareAgent"] == {"name": "tiny-gen"}


def test_corrupt_manifest_is_invalid_not_a_crash(signed: dict[str, bytes]) -> None:
    data = bytearray(signed["jpeg"])
    pos = data.index(b"c2pa.signature") + 40  # inside the COSE signature box
    data[pos] ^= 0xFF
    result = verify(bytes(data))
    assert result.state == "invalid"
    assert result.failures


def test_to_json_is_serialisable(signed: dict[str, bytes]) -> None:
    import json

    doc = json.loads(json.dumps(verify(signed["png"]).to_json()))
    assert doc["state"] == "valid" and doc["mamori"]["generation_id"] == "gen-0001"


def test_upstream_credentials_are_kept_as_an_ingredient(
    signer: ProvenanceSigner, signed: dict[str, bytes], test_ca: TestCA
) -> None:
    # ``signed`` stands in for a generator that already attached its own Content Credentials.
    again = signer.sign_bytes(signed["jpeg"], "image/jpeg", make_info(generation_id="gen-0002"))
    result = verify(again, trust_anchors_pem=test_ca.ca_pem)
    assert result.state == "trusted", result.failures
    assert result.mamori["generation_id"] == "gen-0002"
    assert [i["relationship"] for i in result.ingredients] == ["inputTo"]
    assert result.ingredients[0]["active_manifest"] != result.manifest_label
    assert verify(signed["png"]).ingredients == []
