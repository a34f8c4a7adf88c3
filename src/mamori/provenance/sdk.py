"""The thin seam between mamori and ``c2pa-python``: offline settings, contexts, format support.

Everything that touches SDK settings lives here so the rest of the package never has to know
the SDK's configuration keys.
"""

from __future__ import annotations

import functools
from typing import Any

import c2pa

from mamori.provenance.errors import UnsupportedFormat
from mamori.provenance.media import SIGNABLE_PREFIXES, describe

# Extended key usages a signing certificate may carry (C2PA 2.x certificate profile), as the SDK's
# "trust_config" list. c2pa-rs 0.91's built-in default omits documentSigning and c2pa-kp-claimSigning
# ("signingCredential.invalid: certificate missing required EKU"), so mamori states the list itself.
# timeStamping / OCSPSigning stay for the time-stamp and OCSP certificates of other signers.
ALLOWED_EKUS = (
    "1.3.6.1.5.5.7.3.4",  # id-kp-emailProtection
    "1.3.6.1.5.5.7.3.36",  # id-kp-documentSigning
    "1.3.6.1.4.1.62558.2.1",  # c2pa-kp-claimSigning
    "1.3.6.1.5.5.7.3.8",  # id-kp-timeStamping
    "1.3.6.1.5.5.7.3.9",  # id-kp-OCSPSigning
    "1.3.6.1.4.1.311.76.59.1.9",  # Microsoft C2PA signing
)


def offline_settings(trust_anchors_pem: str | None = None) -> dict[str, Any]:
    """SDK settings for mamori: never fetch anything over the network.

    - ``verify.remote_manifest_fetch`` off: a manifest referenced by URL is not downloaded;
    - ``verify.ocsp_fetch`` off: no certificate-revocation look-ups;
    - thumbnails off: the manifest carries rights data, not a second copy of the picture;
    - ``trust.trust_config``: the certificate EKUs C2PA allows (see ALLOWED_EKUS);
    - ``verify.verify_trust`` on: the signer is checked against ``trust_anchors_pem`` when given
      (otherwise a correct signature reads as "valid", never "trusted").
    """
    settings: dict[str, Any] = {
        "verify": {
            "remote_manifest_fetch": False,
            "ocsp_fetch": False,
            "verify_trust": True,
        },
        "builder": {"thumbnail": {"enabled": False}},
        "trust": {"trust_config": "".join(f"{oid}\n" for oid in ALLOWED_EKUS)},
    }
    if trust_anchors_pem:
        settings["trust"]["trust_anchors"] = trust_anchors_pem
    return settings


def make_context(trust_anchors_pem: str | None = None) -> c2pa.Context:
    return c2pa.Context.from_dict(offline_settings(trust_anchors_pem))


@functools.cache
def builder_mime_types() -> frozenset[str]:
    return frozenset(c2pa.Builder.get_supported_mime_types())


@functools.cache
def reader_mime_types() -> frozenset[str]:
    return frozenset(c2pa.Reader.get_supported_mime_types())


def _supported_list() -> str:
    media = sorted(m for m in builder_mime_types() if m.startswith(SIGNABLE_PREFIXES))
    return ", ".join(media)


def require_signable(mime: str, what: str = "content") -> None:
    """Raise UnsupportedFormat unless the SDK can embed a manifest in ``mime`` media."""
    if not mime.startswith(SIGNABLE_PREFIXES):
        raise UnsupportedFormat(
            f"refusing to sign {what}: {describe(mime)} is not image, video or audio media; "
            f"mamori signs generated media only (supported: {_supported_list()})"
        )
    if mime not in builder_mime_types():
        raise UnsupportedFormat(
            f"cannot sign {what}: the C2PA SDK (c2pa-rs {c2pa.sdk_version()}) cannot embed a manifest "
            f"in {describe(mime)} files (supported: {_supported_list()})"
        )


def require_readable(mime: str, what: str = "content") -> None:
    if mime not in reader_mime_types():
        raise UnsupportedFormat(
            f"cannot verify {what}: {describe(mime)} files cannot carry an embedded C2PA manifest "
            f"(c2pa-rs {c2pa.sdk_version()})"
        )


def versions() -> dict[str, str]:
    return {"c2pa-python": c2pa.__version__, "c2pa-rs": c2pa.sdk_version()}
