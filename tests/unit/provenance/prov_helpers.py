"""Test media and credentials for the provenance tests (imported by conftest and the tests)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import av
import numpy as np
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from PIL import Image

from mamori.provenance import ProvenanceInfo, TestCA


def image_bytes(fmt: str) -> bytes:
    rng = np.random.default_rng(7)
    arr = rng.integers(0, 255, size=(48, 64, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, fmt)
    return buf.getvalue()


def mp4_bytes() -> bytes:
    buf = io.BytesIO()
    with av.open(buf, "w", format="mp4") as container:
        stream = container.add_stream("mpeg4", rate=8)
        stream.width, stream.height, stream.pix_fmt = 32, 32, "yuv420p"
        for i in range(8):
            frame = av.VideoFrame.from_ndarray(np.full((32, 32, 3), i * 25, np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buf.getvalue()


MIMES = {"jpeg": "image/jpeg", "png": "image/png", "mp4": "video/mp4"}
EXTS = {"jpeg": ".jpg", "png": ".png", "mp4": ".mp4"}


def make_info(**overrides) -> ProvenanceInfo:  # noqa: ANN003
    base = dict(
        generation_id="gen-0001",
        verdict="licensed",
        reasons=["licensed: Son Goku (Dragon Ball) under licence L-7"],
        licensed=[
            {
                "character": "Son Goku",
                "work": "Dragon Ball",
                "rightsholder": "Example Rights KK",
                "terms": {
                    "attribution": "Son Goku © Example Rights KK",
                    "fee": "120.00",
                    "currency": "JPY",
                    "revenue_share": 0.15,
                    "territories": ["JP", "US"],
                },
            }
        ],
        ledger_hash="9f2c" * 16,
        generator="acme-video/2.1",
    )
    base.update(overrides)
    return ProvenanceInfo(**base)


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def flip_media_byte(data: bytes, mime: str) -> bytes:
    """Flip one byte inside the pixel/sample data (not the manifest)."""
    out = bytearray(data)
    if mime == "image/jpeg":
        pos = len(out) - 10  # entropy-coded scan data, just before EOI
    elif mime == "image/png":
        pos = out.index(b"IDAT") + 8
    elif mime == "video/mp4":
        pos = out.index(b"mdat") + 12
    else:
        raise ValueError(mime)
    out[pos] ^= 0xFF
    return bytes(out)


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: ec.EllipticCurvePrivateKey, password: bytes | None = None) -> bytes:
    enc = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, enc)


def issue(
    ca: TestCA,
    out_dir: Path,
    *,
    days: tuple[int, int] = (-1, 30),
    eku: list | None = None,
    digital_signature: bool = True,
    is_ca: bool = False,
    curve: ec.EllipticCurve | None = None,
    aki: bool = True,
    password: bytes | None = None,
) -> tuple[Path, Path]:
    """Issue a signing certificate from ``ca`` with the given flaw; return (chain.pem, key.pem)."""
    ca_key = serialization.load_pem_private_key(ca.ca_key.read_bytes(), None)
    ca_cert = x509.load_pem_x509_certificate(ca.ca_cert.read_bytes())
    key = ec.generate_private_key(curve or ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    b = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test signer")]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now + dt.timedelta(days=days[0]))
        .not_valid_after(now + dt.timedelta(days=days[1]))
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=digital_signature,
                content_commitment=False,
                key_encipherment=not digital_signature,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=is_ca,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage(eku if eku is not None else [ExtendedKeyUsageOID.EMAIL_PROTECTION]),
            critical=False,
        )
    )
    if aki:
        b = b.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
    cert = b.sign(ca_key, hashes.SHA256())
    out_dir.mkdir(parents=True, exist_ok=True)
    chain, key_path = out_dir / "chain.pem", out_dir / "key.pem"
    chain.write_bytes(_pem(cert) + _pem(ca_cert))
    key_path.write_bytes(_key_pem(key, password))
    return chain, key_path
