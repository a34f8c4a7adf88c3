"""ProvenanceSigner: embeds a signed C2PA manifest in released media."""

from __future__ import annotations

import functools
import io
import os
import tempfile
from pathlib import Path

import c2pa
from PIL import Image

from mamori.provenance import sdk
from mamori.provenance.certs import Credentials, load_credential_files, load_credentials
from mamori.provenance.errors import ProvenanceConfigError, ProvenanceError, UnsupportedFormat
from mamori.provenance.manifest import ProvenanceInfo, build_manifest
from mamori.provenance.media import describe, detect_mime

_SNIFF = 64


@functools.cache
def _probe_png() -> bytes:
    """A 1x1 PNG signed once at construction to prove the SDK accepts the credentials."""
    buf = io.BytesIO()
    Image.new("RGB", (1, 1)).save(buf, "PNG")
    return buf.getvalue()


def _sdk_message(e: Exception) -> str:
    return str(e) or type(e).__name__


UPSTREAM_INGREDIENT_TITLE = "generator output (upstream Content Credentials)"


def _has_manifest(src, mime: str, ctx: c2pa.Context) -> bool:  # noqa: ANN001
    """Whether ``src`` already carries a C2PA manifest store; leaves ``src`` at offset 0."""
    try:
        reader = c2pa.Reader.try_create(mime, src, None, ctx)
    except c2pa.C2paError:
        reader = None
    finally:
        src.seek(0)
    if reader is None:
        return False
    reader.close()
    return True


class ProvenanceSigner:
    """Signs media with ES256 (EC P-256) via the C2PA SDK; offline: no timestamp server, no fetches.

    Build it once at start-up (``from_files``); it checks the credentials immediately and raises
    :class:`ProvenanceConfigError` with the reason when they are unusable.
    """

    def __init__(self, credentials: Credentials) -> None:
        self._creds = credentials
        try:
            info = c2pa.C2paSignerInfo(
                c2pa.C2paSigningAlg.ES256, credentials.chain_pem, credentials.key_pem, None
            )
            self._signer = c2pa.Signer.from_info(info)
        except c2pa.C2paError as e:
            raise ProvenanceConfigError(
                f"the C2PA SDK rejected the signing credentials: {_sdk_message(e)}"
            ) from e
        self._probe()

    @classmethod
    def from_files(
        cls, cert_chain_pem: Path, private_key_pem: Path, *, tsa_url: None = None
    ) -> ProvenanceSigner:
        """Load a PEM certificate chain (signing certificate first) and its PEM private key."""
        if tsa_url is not None:
            raise ProvenanceConfigError(
                "timestamp servers are not supported: mamori signs offline (leave tsa_url unset)"
            )
        return cls(load_credential_files(Path(cert_chain_pem), Path(private_key_pem)))

    @classmethod
    def from_pem(cls, cert_chain_pem: bytes | str, private_key_pem: bytes | str) -> ProvenanceSigner:
        return cls(load_credentials(cert_chain_pem, private_key_pem))

    @property
    def subject(self) -> str:
        return self._creds.subject

    @property
    def certificate_not_after(self):  # noqa: ANN201 - datetime
        return self._creds.not_after

    def _probe(self) -> None:
        """Sign a 1-pixel PNG now so an SDK-level problem shows at start-up, not on the first request."""
        probe = ProvenanceInfo(
            generation_id="startup-probe",
            verdict="allow",
            reasons=[],
            licensed=[],
            ledger_hash=None,
            generator="mamori-probe",
        )
        try:
            self._sign_stream(io.BytesIO(_probe_png()), io.BytesIO(), "image/png", probe)
        except ProvenanceError as e:
            raise ProvenanceConfigError(
                f"signing certificate '{self.subject}' is not usable for C2PA: {e}"
            ) from e

    def _sign_stream(self, src, dst, mime: str, info: ProvenanceInfo) -> None:  # noqa: ANN001
        manifest = build_manifest(info)
        try:
            with sdk.make_context() as ctx, c2pa.Builder(manifest, context=ctx) as builder:
                if _has_manifest(src, mime, ctx):
                    # The generator already attached Content Credentials: keep them as an input
                    # ingredient instead of silently replacing them.
                    builder.add_ingredient(
                        {"title": UPSTREAM_INGREDIENT_TITLE, "relationship": "inputTo"}, mime, src
                    )
                    src.seek(0)
                builder.sign(self._signer, mime, src, dst)
        except c2pa.C2paError.NotSupported as e:
            raise UnsupportedFormat(
                f"cannot sign {describe(mime)}: the C2PA SDK refused the format ({_sdk_message(e)})"
            ) from e
        except c2pa.C2paError as e:
            raise ProvenanceError(f"C2PA signing failed for {describe(mime)}: {_sdk_message(e)}") from e

    def sign_bytes(self, data: bytes, mime: str | None, info: ProvenanceInfo) -> bytes:
        """Return ``data`` with a signed manifest embedded. The type is sniffed; ``mime`` is a fallback."""
        resolved = detect_mime(data[:_SNIFF], declared=mime)
        sdk.require_signable(resolved)
        out = io.BytesIO()
        self._sign_stream(io.BytesIO(data), out, resolved, info)
        return out.getvalue()

    def sign_file(self, src: Path, dst: Path, info: ProvenanceInfo) -> None:
        """Write ``src`` with a signed manifest to ``dst`` (atomically; ``dst`` may equal ``src``)."""
        src, dst = Path(src), Path(dst)
        try:
            with src.open("rb") as fh:
                head = fh.read(_SNIFF)
        except OSError as e:
            raise ProvenanceError(f"cannot read {src}: {e.strerror or e}") from e
        resolved = detect_mime(head, name=src)
        sdk.require_signable(resolved, what=str(src))
        dst.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{dst.name}.", suffix=".tmp", dir=dst.parent)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "w+b") as fout, src.open("rb") as fin:
                self._sign_stream(fin, fout, resolved, info)
            os.replace(tmp, dst)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
