"""C2SP `tlog-cosignature` v1 (Ed25519): a witness's timestamped statement that a checkpoint is the largest
consistent tree head it has seen for the log. Pure: no I/O. Spec: https://c2sp.org/tlog-cosignature (§Format,
§Ed25519 signed message).

- key ID: the first 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x04 ‖ 32-byte public key);
- vkey: `<name>+<8 hex key ID>+<base64(0x04 ‖ public key)>` (signed-note verifier key with signature type 0x04);
- signed message: `cosignature/v1\\n` `time <decimal POSIX seconds>\\n` then the whole checkpoint body (every line,
  extension lines included, with its final newline; no signature lines);
- signature line: `— <name> <base64(key ID ‖ u64 big-endian timestamp ‖ 64-byte Ed25519 signature)>`.
The private key file uses the same `PRIVATE+KEY+…` shape as the log's key, with type byte 0x04.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from mamori.ledger.note import (
    DASH,
    NoteError,
    add_lines,
    b64,
    check_key_name,
    key_hash,
    parse_skey,
    split_note,
    unb64,
)

__all__ = ["Cosigner", "CosignerVerifier", "add_lines", "cosignatures", "parse_lines", "signed_message"]

ALG_COSIGNATURE_V1 = 0x04
HEADER = "cosignature/v1\n"
MAX_TIMESTAMP = 2**63 - 1


def signed_message(body: str, timestamp: int) -> bytes:
    """The bytes a cosigner signs for checkpoint `body` at `timestamp` (tlog-cosignature §Ed25519 signed message)."""
    if not 0 <= timestamp <= MAX_TIMESTAMP:
        raise NoteError(f"cosignature timestamp {timestamp} is out of range")
    return (HEADER + f"time {timestamp}\n" + body).encode("utf-8")


def _raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


@dataclass(frozen=True)
class CosignerVerifier:
    name: str
    key_id: int
    public: Ed25519PublicKey

    @classmethod
    def parse(cls, vkey: str) -> CosignerVerifier:
        parts = vkey.strip().split("+", 2)
        if len(parts) != 3:
            raise NoteError("a witness key is <name>+<8 hex key ID>+<base64 key>")
        name, hex_id, key = parts
        check_key_name(name)
        raw = unb64(key, "the witness key")
        if len(raw) != 33 or raw[0] != ALG_COSIGNATURE_V1:
            raise NoteError("the witness key is not a cosignature/v1 Ed25519 key (0x04 ‖ 32 bytes)")
        if len(hex_id) != 8 or any(c not in "0123456789abcdef" for c in hex_id):
            raise NoteError("the witness key's ID is not 8 lower-case hex digits")
        if int(hex_id, 16) != key_hash(name, raw[1:], ALG_COSIGNATURE_V1):
            raise NoteError("the witness key's ID does not match its name and key")
        return cls(name, int(hex_id, 16), Ed25519PublicKey.from_public_bytes(raw[1:]))

    @property
    def vkey(self) -> str:
        return f"{self.name}+{self.key_id:08x}+{b64(bytes([ALG_COSIGNATURE_V1]) + _raw(self.public))}"

    def check(self, body: str, raw: bytes) -> int | None:
        """The timestamp of `raw` (key ID ‖ timestamp ‖ signature) when it is this cosigner's; None when it is
        someone else's; NoteError when it claims to be this cosigner's and does not verify."""
        if len(raw) != 76 or int.from_bytes(raw[:4], "big") != self.key_id:
            return None
        timestamp = int.from_bytes(raw[4:12], "big")
        try:
            self.public.verify(raw[12:], signed_message(body, timestamp))
        except InvalidSignature:
            raise NoteError(f"the cosignature by {self.name} does not verify (checkpoint altered)") from None
        return timestamp


@dataclass(frozen=True)
class Cosigner:
    name: str
    private: Ed25519PrivateKey

    @classmethod
    def generate(cls, name: str) -> Cosigner:
        check_key_name(name)
        return cls(name, Ed25519PrivateKey.from_private_bytes(os.urandom(32)))

    @classmethod
    def parse(cls, skey: str) -> Cosigner:
        name, hex_id, seed = parse_skey(
            skey, ALG_COSIGNATURE_V1, "a witness signing key", "a cosignature/v1 key"
        )
        cosigner = cls(name, Ed25519PrivateKey.from_private_bytes(seed))
        if f"{cosigner.verifier.key_id:08x}" != hex_id:
            raise NoteError("the witness signing key's ID does not match its name and key (damaged key)")
        return cosigner

    @property
    def verifier(self) -> CosignerVerifier:
        public = self.private.public_key()
        return CosignerVerifier(self.name, key_hash(self.name, _raw(public), ALG_COSIGNATURE_V1), public)

    @property
    def skey(self) -> str:
        seed = self.private.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        prefix = f"PRIVATE+KEY+{self.name}+{self.verifier.key_id:08x}+"
        return prefix + b64(bytes([ALG_COSIGNATURE_V1]) + seed)

    def cosign(self, body: str, timestamp: int) -> str:
        """The cosignature line for checkpoint `body` (the note's text, without signature lines)."""
        sig = self.private.sign(signed_message(body, timestamp))
        raw = self.verifier.key_id.to_bytes(4, "big") + timestamp.to_bytes(8, "big") + sig
        return f"{DASH} {self.name} {b64(raw)}\n"


def cosignatures(note: str, witnesses: Iterable[CosignerVerifier]) -> dict[str, int]:
    """{witness vkey: timestamp} of every valid cosignature on `note` by one of `witnesses`; lines by other keys are
    ignored (the log's own signature among them); NoteError when a known witness's line does not verify."""
    keys = list(witnesses)
    body, sigs = split_note(note)
    out: dict[str, int] = {}
    for name, raw in sigs:
        for w in keys:
            if name == w.name:
                ts = w.check(body, raw)
                if ts is not None:
                    out[w.vkey] = ts
    return out


def parse_lines(text: str) -> list[str]:
    """Signature lines from a witness's response body (each `— name base64` ending in a newline)."""
    if not text.endswith("\n"):
        raise NoteError("a cosignature response ends in a newline")
    lines = [line + "\n" for line in text[:-1].split("\n")]
    for line in lines:
        parts = line[:-1].split(" ")
        if len(parts) != 3 or parts[0] != DASH:
            raise NoteError(f"malformed cosignature line {line!r}")
        unb64(parts[2], "a cosignature")
    return lines
