"""Signing credentials: checks that give a clear reason before the SDK's terse ones, and a dev CA.

The C2PA SDK only says "the certificate is invalid" for most profile problems, so the
certificate and key are checked here first, each failure with its own explanation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

from mamori.provenance.errors import ProvenanceConfigError

# EKUs a C2PA claim-signing certificate may carry (C2PA 2.x, "Certificate Profile").
DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.5.5.7.3.36")
C2PA_CLAIM_SIGNING = ObjectIdentifier("1.3.6.1.4.1.62558.2.1")
ACCEPTED_EKUS = {
    ExtendedKeyUsageOID.EMAIL_PROTECTION: "emailProtection",
    DOCUMENT_SIGNING: "documentSigning",
    C2PA_CLAIM_SIGNING: "c2pa-kp-claimSigning",
}


@dataclass(frozen=True)
class Credentials:
    chain_pem: bytes  # end-entity first
    key_pem: bytes  # PKCS#8, unencrypted
    leaf: x509.Certificate

    @property
    def subject(self) -> str:
        return self.leaf.subject.rfc4514_string()

    @property
    def not_after(self) -> dt.datetime:
        return self.leaf.not_valid_after_utc


def _read(path: Path, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as e:
        raise ProvenanceConfigError(f"cannot read the {what} {path}: {e.strerror or e}") from e


def load_credentials(
    chain_pem: bytes | str, key_pem: bytes | str, *, source: str = "", now: dt.datetime | None = None
) -> Credentials:
    """Parse and check a certificate chain (PEM, signing certificate first) and its EC P-256 key."""
    chain_b = chain_pem.encode() if isinstance(chain_pem, str) else chain_pem
    key_b = key_pem.encode() if isinstance(key_pem, str) else key_pem
    where = f" ({source})" if source else ""
    try:
        certs = x509.load_pem_x509_certificates(chain_b)
    except ValueError as e:
        raise ProvenanceConfigError(f"certificate chain{where} is not PEM X.509: {e}") from e
    if not certs:
        raise ProvenanceConfigError(f"certificate chain{where} contains no certificate")
    leaf = certs[0]
    name = leaf.subject.rfc4514_string() or "(empty subject)"
    now = now or dt.datetime.now(dt.UTC)

    if now < leaf.not_valid_before_utc:
        raise ProvenanceConfigError(
            f"signing certificate '{name}' is not valid yet (valid from {leaf.not_valid_before_utc:%Y-%m-%d %H:%M} UTC)"
        )
    if now > leaf.not_valid_after_utc:
        raise ProvenanceConfigError(
            f"signing certificate '{name}' expired on {leaf.not_valid_after_utc:%Y-%m-%d %H:%M} UTC"
        )
    ext = leaf.extensions
    try:
        if ext.get_extension_for_class(x509.BasicConstraints).value.ca:
            raise ProvenanceConfigError(
                f"'{name}' is a CA certificate; C2PA needs an end-entity signing certificate "
                "(put the signing certificate first in the chain)"
            )
    except x509.ExtensionNotFound:
        pass
    try:
        ku = ext.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        raise ProvenanceConfigError(
            f"signing certificate '{name}' has no keyUsage extension; C2PA requires keyUsage digitalSignature"
        ) from None
    if not ku.digital_signature:
        raise ProvenanceConfigError(
            f"signing certificate '{name}' keyUsage lacks digitalSignature, which C2PA requires"
        )
    try:
        ekus = set(ext.get_extension_for_class(x509.ExtendedKeyUsage).value)
    except x509.ExtensionNotFound:
        ekus = set()
    if not ekus & ACCEPTED_EKUS.keys():
        raise ProvenanceConfigError(
            f"signing certificate '{name}' has the wrong extendedKeyUsage; C2PA accepts one of "
            f"{', '.join(ACCEPTED_EKUS.values())}"
        )
    if leaf.issuer != leaf.subject:
        try:
            ext.get_extension_for_class(x509.AuthorityKeyIdentifier)
        except x509.ExtensionNotFound:
            raise ProvenanceConfigError(
                f"signing certificate '{name}' has no authorityKeyIdentifier, which C2PA requires"
            ) from None
    pub = leaf.public_key()
    if not isinstance(pub, ec.EllipticCurvePublicKey) or pub.curve.name != "secp256r1":
        raise ProvenanceConfigError(
            f"signing certificate '{name}' key is not EC P-256; mamori signs with ES256"
        )
    for child, parent in zip(certs, certs[1:], strict=False):
        try:
            child.verify_directly_issued_by(parent)
        except (ValueError, TypeError, InvalidSignature) as e:
            raise ProvenanceConfigError(
                f"certificate chain{where} is out of order or broken: '{child.subject.rfc4514_string()}' "
                f"was not issued by '{parent.subject.rfc4514_string()}' ({e or type(e).__name__})"
            ) from e

    try:
        key = serialization.load_pem_private_key(key_b, password=None)
    except TypeError as e:
        raise ProvenanceConfigError(
            f"private key{where} is encrypted; mamori needs an unencrypted PEM key"
        ) from e
    except ValueError as e:
        raise ProvenanceConfigError(f"private key{where} is not a readable PEM private key: {e}") from e
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise ProvenanceConfigError(f"private key{where} is not an EC P-256 key; mamori signs with ES256")
    if key.public_key().public_numbers() != pub.public_numbers():
        raise ProvenanceConfigError(f"private key{where} does not match the signing certificate '{name}'")
    pkcs8 = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    chain_out = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)
    return Credentials(chain_pem=chain_out, key_pem=pkcs8, leaf=leaf)


def load_credential_files(cert_chain_pem: Path, private_key_pem: Path) -> Credentials:
    chain = _read(cert_chain_pem, "certificate chain")
    key = _read(private_key_pem, "private key")
    return load_credentials(chain, key, source=f"{cert_chain_pem}, {private_key_pem}")


# --- development CA ---------------------------------------------------------------------------

README = """\
mamori development C2PA certificate authority
==============================================

FOR TESTS AND DEMOS ONLY. Do not use these files to sign anything you publish.

  ca.pem          root certificate (trust anchor): pass it to `mamori provenance verify --trust`
  ca.key          root private key
  signer.pem      signing certificate (EC P-256, digitalSignature, emailProtection + documentSigning)
  signer.key      signing private key (PKCS#8, unencrypted)
  chain.pem       signer.pem + ca.pem: pass it as --cert (MAMORI_C2PA_CERT), with --key signer.key

Anything signed with this CA is "valid" everywhere and "trusted" only where ca.pem is configured
as a trust anchor; no public trust list contains it.
"""


@dataclass(frozen=True)
class TestCA:
    """Paths written by :func:`make_test_ca`."""

    __test__ = False  # not a pytest test class

    dir: Path
    ca_cert: Path
    ca_key: Path
    cert: Path
    key: Path
    chain: Path
    readme: Path

    @property
    def ca_pem(self) -> str:
        return self.ca_cert.read_text()


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "mamori development (tests and demos only)"),
        ]
    )


def _ku(*, sign: bool, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def make_test_ca(out_dir: Path, *, valid_days: int = 365) -> TestCA:
    """Write a development root CA and an ES256 signing certificate issued by it into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    start = now - dt.timedelta(hours=1)

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("mamori dev root CA")
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(now + dt.timedelta(days=valid_days * 2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_ku(sign=False, ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("mamori dev signer"))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(now + dt.timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_ku(sign=True, ca=False), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION, DOCUMENT_SIGNING]), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )

    def pem_key(k: ec.EllipticCurvePrivateKey) -> bytes:
        return k.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    ca_pem = ca.public_bytes(serialization.Encoding.PEM)
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    paths = TestCA(
        dir=out,
        ca_cert=out / "ca.pem",
        ca_key=out / "ca.key",
        cert=out / "signer.pem",
        key=out / "signer.key",
        chain=out / "chain.pem",
        readme=out / "README.txt",
    )
    paths.ca_cert.write_bytes(ca_pem)
    _write_private(paths.ca_key, pem_key(ca_key))
    paths.cert.write_bytes(cert_pem)
    _write_private(paths.key, pem_key(key))
    paths.chain.write_bytes(cert_pem + ca_pem)
    paths.readme.write_text(README)
    return paths


def _write_private(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    path.chmod(0o600)
