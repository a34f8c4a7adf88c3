"""Signing credentials are checked at construction, each problem with its own message."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID
from prov_helpers import issue

from mamori.provenance import ProvenanceConfigError, ProvenanceSigner, TestCA, make_test_ca
from mamori.provenance.certs import C2PA_CLAIM_SIGNING, DOCUMENT_SIGNING


def test_make_test_ca_writes_everything(test_ca: TestCA) -> None:
    for p in (test_ca.ca_cert, test_ca.ca_key, test_ca.cert, test_ca.key, test_ca.chain, test_ca.readme):
        assert p.is_file(), p
    assert "FOR TESTS AND DEMOS ONLY" in test_ca.readme.read_text()
    assert test_ca.key.stat().st_mode & 0o077 == 0
    assert test_ca.chain.read_text().count("BEGIN CERTIFICATE") == 2


def test_good_credentials(test_ca: TestCA) -> None:
    signer = ProvenanceSigner.from_files(test_ca.chain, test_ca.key)
    assert "mamori dev signer" in signer.subject
    # The leaf alone (without the root) is also a usable chain.
    ProvenanceSigner.from_files(test_ca.cert, test_ca.key)


@pytest.mark.parametrize("eku", [[DOCUMENT_SIGNING], [C2PA_CLAIM_SIGNING]])
def test_other_c2pa_ekus_are_accepted(eku: list, test_ca: TestCA, tmp_path: Path) -> None:
    ProvenanceSigner.from_files(*issue(test_ca, tmp_path, eku=eku))


def test_unreadable_files(test_ca: TestCA, tmp_path: Path) -> None:
    with pytest.raises(ProvenanceConfigError, match=r"cannot read the certificate chain .*missing\.pem"):
        ProvenanceSigner.from_files(tmp_path / "missing.pem", test_ca.key)
    with pytest.raises(ProvenanceConfigError, match=r"cannot read the private key"):
        ProvenanceSigner.from_files(test_ca.chain, tmp_path / "missing.key")


def test_garbage_pem(test_ca: TestCA, tmp_path: Path) -> None:
    junk = tmp_path / "junk.pem"
    junk.write_text("this is not a certificate\n")
    with pytest.raises(ProvenanceConfigError, match="contains no certificate|not PEM X.509"):
        ProvenanceSigner.from_files(junk, test_ca.key)
    with pytest.raises(ProvenanceConfigError, match="not a readable PEM private key"):
        ProvenanceSigner.from_files(test_ca.chain, junk)


def test_expired_certificate(test_ca: TestCA, tmp_path: Path) -> None:
    with pytest.raises(
        ProvenanceConfigError, match=r"signing certificate 'CN=test signer' expired on \d{4}-"
    ):
        ProvenanceSigner.from_files(*issue(test_ca, tmp_path, days=(-30, -1)))


def test_not_yet_valid_certificate(test_ca: TestCA, tmp_path: Path) -> None:
    with pytest.raises(ProvenanceConfigError, match="is not valid yet"):
        ProvenanceSigner.from_files(*issue(test_ca, tmp_path, days=(2, 30)))


def test_wrong_extended_key_usage(test_ca: TestCA, tmp_path: Path) -> None:
    with pytest.raises(
        ProvenanceConfigError, match="wrong extendedKeyUsage; C2PA accepts one of emailProtection"
    ):
        ProvenanceSigner.from_files(*issue(test_ca, tmp_path, eku=[ExtendedKeyUsageOID.SERVER_AUTH]))


def test_no_digital_signature_key_usage(test_ca: TestCA, tmp_path: Path) -> None:
    with pytest.raises(ProvenanceConfigError, match="keyUsage lacks digitalSignature"):
        ProvenanceSigner.from_files(*issue(test_ca, tmp_path, digital_signature=False))


def test_ca_certificate_as_signer(test_ca: TestCA) -> None:
    with pytest.raises(ProvenanceConfigError, match="is a CA certificate"):
        ProvenanceSigner.from_files(test_ca.ca_cert, test_ca.ca_key)


def test_missing_authority_key_identifier(test_ca: TestCA, tmp_path: Path) -> None:
    with pytest.raises(ProvenanceConfigError, match="no authorityKeyIdentifier"):
        ProvenanceSigner.from_files(*issue(test_ca, tmp_path, aki=False))


def test_mismatched_key(test_ca: TestCA, other_ca: TestCA) -> None:
    with pytest.raises(ProvenanceConfigError, match="does not match the signing certificate"):
        ProvenanceSigner.from_files(test_ca.chain, other_ca.key)


def test_wrong_curve(test_ca: TestCA, tmp_path: Path) -> None:
    with pytest.raises(ProvenanceConfigError, match="not EC P-256"):
        ProvenanceSigner.from_files(*issue(test_ca, tmp_path, curve=ec.SECP384R1()))


def test_encrypted_key(test_ca: TestCA, tmp_path: Path) -> None:
    with pytest.raises(ProvenanceConfigError, match="encrypted"):
        ProvenanceSigner.from_files(*issue(test_ca, tmp_path, password=b"secret"))


def test_chain_in_wrong_order(test_ca: TestCA, tmp_path: Path) -> None:
    reversed_chain = tmp_path / "reversed.pem"
    reversed_chain.write_text(test_ca.ca_cert.read_text() + test_ca.cert.read_text())
    with pytest.raises(ProvenanceConfigError, match="is a CA certificate"):
        ProvenanceSigner.from_files(reversed_chain, test_ca.key)


def test_chain_from_another_ca(test_ca: TestCA, other_ca: TestCA, tmp_path: Path) -> None:
    mixed = tmp_path / "mixed.pem"
    mixed.write_text(test_ca.cert.read_text() + other_ca.ca_cert.read_text())
    with pytest.raises(ProvenanceConfigError, match="out of order or broken"):
        ProvenanceSigner.from_files(mixed, test_ca.key)


def test_timestamp_server_is_refused(test_ca: TestCA) -> None:
    with pytest.raises(ProvenanceConfigError, match="timestamp servers are not supported"):
        ProvenanceSigner.from_files(test_ca.chain, test_ca.key, tsa_url="http://tsa.example")  # type: ignore[arg-type]


def test_make_test_ca_twice_gives_independent_cas(tmp_path: Path) -> None:
    a, b = make_test_ca(tmp_path / "a"), make_test_ca(tmp_path / "b")
    assert a.ca_pem != b.ca_pem
