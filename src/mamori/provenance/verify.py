"""Reading Content Credentials back: validation state, failures, and mamori's own assertions."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import c2pa

from mamori.provenance import sdk
from mamori.provenance.errors import ProvenanceError
from mamori.provenance.manifest import ACTIONS_LABEL, RIGHTS_LABEL, TRAINING_MINING_LABEL
from mamori.provenance.media import detect_mime

STATES = ("valid", "trusted", "invalid", "none")
UNTRUSTED = "signingCredential.untrusted"


@dataclass
class VerifyResult:
    """The outcome of checking one asset.

    state: "trusted" (signature and hashes good, signer chains to a given trust anchor),
    "valid" (signature and hashes good, signer not on any given trust list), "invalid"
    (something failed: see ``failures``) or "none" (no C2PA manifest at all).
    """

    state: str
    failures: list[str] = field(default_factory=list)  # "code: explanation"
    mamori: dict[str, Any] | None = None  # decoded org.mamori.rights assertion
    actions: list[dict[str, Any]] = field(default_factory=list)
    training_mining: dict[str, Any] | None = None
    mime: str | None = None
    signer: dict[str, Any] | None = None  # issuer, common_name, alg, ...
    claim_generator: list[dict[str, Any]] = field(default_factory=list)
    ingredients: list[dict[str, Any]] = field(default_factory=list)  # title, relationship, manifest
    manifest_label: str | None = None
    failure_codes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.state in ("valid", "trusted")

    @property
    def trusted(self) -> bool:
        return self.state == "trusted"

    def to_json(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "failures": list(self.failures),
            "failure_codes": list(self.failure_codes),
            "mime": self.mime,
            "manifest_label": self.manifest_label,
            "signer": self.signer,
            "claim_generator": self.claim_generator,
            "ingredients": self.ingredients,
            "actions": self.actions,
            "mamori": self.mamori,
            "training_mining": self.training_mining,
        }


def _open(path_or_bytes: str | Path | bytes | bytearray | memoryview) -> tuple[BinaryIO, str | None]:
    """A seekable binary stream over the content (files are streamed, not read into memory)."""
    if isinstance(path_or_bytes, bytes | bytearray | memoryview):
        return io.BytesIO(bytes(path_or_bytes)), None
    path = Path(path_or_bytes)
    try:
        return path.open("rb"), str(path)
    except OSError as e:
        raise ProvenanceError(f"cannot read {path}: {e.strerror or e}") from e


def _status_entries(reader: c2pa.Reader, store: dict[str, Any]) -> list[dict[str, Any]]:
    results = reader.get_validation_results() or {}
    entries: list[dict[str, Any]] = []
    active = results.get("activeManifest") or {}
    entries.extend(active.get("failure") or [])
    for delta in results.get("ingredientDeltas") or []:
        entries.extend((delta.get("validationDeltas") or {}).get("failure") or [])
    if not results:
        entries.extend(store.get("validation_status") or [])
    return entries


def _assertion(manifest: dict[str, Any], label: str) -> Any:
    for a in manifest.get("assertions") or []:
        if a.get("label") == label:
            return a.get("data")
    return None


def verify(
    path_or_bytes: str | Path | bytes,
    *,
    mime: str | None = None,
    trust_anchors_pem: str | None = None,
) -> VerifyResult:
    """Validate the embedded C2PA manifest of a file (path) or of in-memory media (bytes).

    Offline: remote manifests and OCSP are never fetched. With ``trust_anchors_pem`` (PEM text of
    one or more CA certificates) a correctly signed asset whose signer chains to one of them is
    "trusted"; otherwise at best "valid".
    Raises UnsupportedFormat for media that cannot carry a manifest, ProvenanceError if unreadable.
    """
    stream, name = _open(path_or_bytes)
    with stream:
        head = stream.read(64)
        stream.seek(0)
        resolved = detect_mime(head, declared=mime, name=name)
        sdk.require_readable(resolved, what=name or "content")
        return _read(stream, resolved, trust_anchors_pem)


def _read(stream: BinaryIO, resolved: str, trust_anchors_pem: str | None) -> VerifyResult:
    try:
        with sdk.make_context(trust_anchors_pem) as ctx:
            reader = c2pa.Reader.try_create(resolved, stream, None, ctx)
            if reader is None:
                return VerifyResult(state="none", mime=resolved)
            with reader:
                store = json.loads(reader.json())
                sdk_state = reader.get_validation_state()
                entries = _status_entries(reader, store)
                manifest = reader.get_active_manifest() or {}
    except c2pa.C2paError as e:
        # A manifest is there but cannot even be parsed: as bad as a failed signature.
        return VerifyResult(state="invalid", failures=[f"manifest.unreadable: {e}"], mime=resolved)

    failures = [f"{e.get('code', '?')}: {e.get('explanation', '')}".rstrip(": ") for e in entries]
    codes = [str(e.get("code", "?")) for e in entries]
    state = (sdk_state or "").lower()
    if state not in ("valid", "trusted", "invalid"):
        blocking = [c for c in codes if c != UNTRUSTED]
        state = "invalid" if blocking else "valid"
    actions = (_assertion(manifest, ACTIONS_LABEL) or {}).get("actions") or []
    return VerifyResult(
        state=state,
        failures=failures,
        failure_codes=codes,
        mamori=_assertion(manifest, RIGHTS_LABEL),
        actions=list(actions),
        training_mining=_assertion(manifest, TRAINING_MINING_LABEL),
        mime=resolved,
        signer=manifest.get("signature_info"),
        claim_generator=list(manifest.get("claim_generator_info") or []),
        manifest_label=store.get("active_manifest"),
        ingredients=[
            {
                k: i.get(k)
                for k in ("title", "relationship", "active_manifest", "validation_results")
                if k in i
            }
            for i in manifest.get("ingredients") or []
        ],
    )
