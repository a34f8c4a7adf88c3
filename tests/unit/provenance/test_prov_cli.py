"""`mamori provenance` via typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from prov_helpers import flip_media_byte
from typer.testing import CliRunner

from mamori.cli.provenance import app
from mamori.provenance import TestCA

runner = CliRunner()


def _sign_args(test_ca: TestCA, src: Path, dst: Path, *extra: str) -> list[str]:
    return [
        "sign", str(src), str(dst), "--generation", "gen-cli-1",
        "--cert", str(test_ca.chain), "--key", str(test_ca.key),
        "--verdict", "licensed", "--reason", "licensed: Son Goku", "--reason", "territory JP ok",
        "--ledger-hash", "ab" * 32, "--generator", "acme-video/2.1",
        "--licensed", json.dumps({"character": "Son Goku", "work": "Dragon Ball", "rightsholder": "Example KK",
                                  "terms": {"fee": "120.00", "attribution": "© Example KK"}}),
        *extra,
    ]  # fmt: skip


@pytest.fixture
def png(tmp_path: Path, media: dict[str, bytes]) -> Path:
    p = tmp_path / "out.png"
    p.write_bytes(media["png"])
    return p


def test_make_test_ca(tmp_path: Path) -> None:
    result = runner.invoke(app, ["make-test-ca", str(tmp_path / "ca")])
    assert result.exit_code == 0, result.output
    assert "development CA: for tests and demos only" in result.output
    assert "chain.pem" in result.output and "ca.pem" in result.output
    assert (tmp_path / "ca" / "README.txt").is_file()


def test_sign_then_verify(test_ca: TestCA, png: Path, tmp_path: Path) -> None:
    dst = tmp_path / "signed.png"
    result = runner.invoke(app, _sign_args(test_ca, png, dst))
    assert result.exit_code == 0, result.output
    assert "signed" in result.output

    plain = runner.invoke(app, ["verify", str(dst)])
    assert plain.exit_code == 0, plain.output
    assert "VALID" in plain.output and "signingCredential.untrusted" in plain.output
    assert "verdict: licensed" in plain.output and "Son Goku" in plain.output
    assert "ai_training=notAllowed" in plain.output

    trusted = runner.invoke(app, ["verify", str(dst), "--trust", str(test_ca.ca_cert)])
    assert trusted.exit_code == 0 and "TRUSTED" in trusted.output

    as_json = runner.invoke(app, ["verify", str(dst), "--trust", str(test_ca.ca_cert), "--json"])
    doc = json.loads(as_json.output)
    assert doc["state"] == "trusted"
    assert doc["mamori"]["generation_id"] == "gen-cli-1"
    assert doc["mamori"]["decision"]["reasons"] == ["licensed: Son Goku", "territory JP ok"]
    assert doc["mamori"]["licensed"][0]["terms"]["fee"] == "120.00"


def test_env_credentials(test_ca: TestCA, png: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAMORI_C2PA_CERT", str(test_ca.chain))
    monkeypatch.setenv("MAMORI_C2PA_KEY", str(test_ca.key))
    dst = tmp_path / "env.png"
    result = runner.invoke(app, ["sign", str(png), str(dst), "--generation", "g", "--verdict", "allow"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(app, ["verify", str(dst)]).exit_code == 0


def test_missing_credentials_and_decision(
    test_ca: TestCA, png: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MAMORI_C2PA_CERT", raising=False)
    monkeypatch.delenv("MAMORI_C2PA_KEY", raising=False)
    result = runner.invoke(
        app, ["sign", str(png), str(tmp_path / "x.png"), "--generation", "g", "--verdict", "allow"]
    )
    assert result.exit_code == 2 and "MAMORI_C2PA_CERT" in result.output
    result = runner.invoke(
        app, ["sign", str(png), str(tmp_path / "x.png"), "--generation", "g",
              "--cert", str(test_ca.chain), "--key", str(test_ca.key)],
    )  # fmt: skip
    assert result.exit_code == 2 and "pass --verdict" in result.output


def test_sign_refuses_blocked_and_bad_key(
    test_ca: TestCA, other_ca: TestCA, png: Path, tmp_path: Path
) -> None:
    result = runner.invoke(app, [*_sign_args(test_ca, png, tmp_path / "b.png"), "--verdict", "block"])
    assert result.exit_code == 2 and "does not release" in result.output
    bad = _sign_args(test_ca, png, tmp_path / "k.png")
    bad[bad.index("--key") + 1] = str(other_ca.key)
    result = runner.invoke(app, bad)
    assert result.exit_code == 2 and "does not match the signing certificate" in result.output


def test_verify_without_manifest(png: Path) -> None:
    result = runner.invoke(app, ["verify", str(png)])
    assert result.exit_code == 2
    assert f"no C2PA manifest in {png}" in result.output


def test_verify_tampered_exits_1(test_ca: TestCA, png: Path, tmp_path: Path) -> None:
    dst = tmp_path / "signed.png"
    assert runner.invoke(app, _sign_args(test_ca, png, dst)).exit_code == 0
    dst.write_bytes(flip_media_byte(dst.read_bytes(), "image/png"))
    result = runner.invoke(app, ["verify", str(dst), "--trust", str(test_ca.ca_cert)])
    assert result.exit_code == 1
    assert "INVALID" in result.output and "assertion.dataHash.mismatch" in result.output


def test_unsupported_format_and_missing_file(test_ca: TestCA, tmp_path: Path) -> None:
    txt = tmp_path / "a.txt"
    txt.write_text("hello")
    result = runner.invoke(app, _sign_args(test_ca, txt, tmp_path / "b.txt"))
    assert result.exit_code == 2 and "refusing to sign" in result.output
    result = runner.invoke(app, ["verify", str(tmp_path / "nope.png")])
    assert result.exit_code == 2 and "cannot read" in result.output


def test_training_mining_option(test_ca: TestCA, png: Path, tmp_path: Path) -> None:
    dst = tmp_path / "tm.png"
    args = _sign_args(test_ca, png, dst, "--training-mining", '{"ai_inference": "allowed"}')
    assert runner.invoke(app, args).exit_code == 0
    doc = json.loads(runner.invoke(app, ["verify", str(dst), "--json"]).output)
    assert doc["training_mining"]["entries"]["cawg.ai_inference"] == {"use": "allowed"}
    assert doc["training_mining"]["entries"]["cawg.ai_training"] == {"use": "notAllowed"}
