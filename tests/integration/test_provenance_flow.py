"""Passed outputs leave mamori signed: Guard in-process, the CLI looking a generation up, start-up checks."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from mamori import Guard
from mamori.cli.main import app
from mamori.provenance import ProvenanceConfigError, make_test_ca, verify
from mamori.service import Mamori

DATA = Path(__file__).resolve().parent.parent / "data" / "registry.yaml"


def _png(colour: tuple[int, int, int]) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (96, 64), colour).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return make_test_ca(tmp_path_factory.mktemp("ca"))


def test_guard_returns_signed_output_with_the_rights_decision(ca, sqlite_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    svc = Mamori.open(sqlite_url, c2pa_cert=str(ca.chain), c2pa_key=str(ca.key), registry_refresh_seconds=0.0)
    svc.import_registry(DATA)
    with Guard.local(svc=svc, platform="acme-video") as guard:
        result = guard.generate(
            "Mirai Hoshino sorting letters",
            generator=lambda p: _png((20, 120, 200)),
            territory="JP",
            price={"amount": "2.00", "currency": "USD"},
        )
    assert result.signed_output is not None
    checked = verify(result.signed_output, trust_anchors_pem=ca.ca_cert.read_text())
    assert checked.state == "trusted", checked.failures
    rights = checked.mamori
    assert rights["generation_id"] == result.generation_id
    assert rights["decision"]["verdict"] == "licensed"
    assert rights["licensed"][0]["character"] == "mirai"
    assert rights["licensed"][0]["rightsholder"] == "hoshi-studio"
    assert rights["licensed"][0]["terms"]["fee_per_generation"] == {"amount": "0.05", "currency": "USD"}
    assert rights["ledger_hash"] and len(rights["ledger_hash"]) == 64
    assert any(r.hash == rights["ledger_hash"] for r in svc.ledger.rows(kinds=["settlement"]))

    # the CLI signs another copy by looking the generation up in the store
    src = tmp_path / "out.png"
    src.write_bytes(result.output)
    dst = tmp_path / "signed.png"
    run = CliRunner().invoke(
        app,
        [
            "provenance",
            "sign",
            str(src),
            str(dst),
            "--generation",
            result.generation_id,
            "--cert",
            str(ca.chain),
            "--key",
            str(ca.key),
            "--db",
            sqlite_url,
        ],
    )
    assert run.exit_code == 0, run.output
    again = verify(dst, trust_anchors_pem=ca.ca_cert.read_text())
    assert (
        again.mamori["generation_id"] == result.generation_id
        and again.mamori["ledger_hash"] == rights["ledger_hash"]
    )
    svc.close()


def test_unusable_certificate_fails_at_start_up(ca, sqlite_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bogus = tmp_path / "bogus.pem"
    bogus.write_text("not a certificate")
    with pytest.raises(ProvenanceConfigError):
        Mamori.open(sqlite_url, c2pa_cert=str(bogus), c2pa_key=str(ca.key))
    with pytest.raises(ProvenanceConfigError, match="both"):
        Mamori.open(sqlite_url, c2pa_cert=str(ca.chain))
    run = CliRunner().invoke(
        app,
        ["ledger", "verify", "--db", sqlite_url],
        env={"MAMORI_C2PA_CERT": str(bogus), "MAMORI_C2PA_KEY": str(ca.key)},
    )
    assert run.exit_code == 2 and "provenance signing is misconfigured" in run.output
