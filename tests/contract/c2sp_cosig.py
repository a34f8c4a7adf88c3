"""An independent check of C2SP tlog-cosignature v1 (Ed25519) bytes, written from the spec text
(https://c2sp.org/tlog-cosignature, §Format and §Ed25519 signed message), not from mamori's note code: only hashlib,
base64, struct and cryptography's Ed25519 verify."""

from __future__ import annotations

import base64
import hashlib
import struct

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def open_cosignature(note: str, witness_vkey: str) -> int:
    """The timestamp of the cosignature by `witness_vkey` on the checkpoint `note`; AssertionError otherwise."""
    name, key_id_hex, key_b64 = witness_vkey.strip().split("+", 2)
    raw = base64.b64decode(key_b64)
    assert len(raw) == 33 and raw[0] == 0x04, "a cosignature/v1 vkey is 0x04 || 32-byte Ed25519 key"
    key_id = hashlib.sha256(name.encode() + b"\n" + b"\x04" + raw[1:]).digest()[:4]
    assert key_id.hex() == key_id_hex, "the vkey's key ID is SHA-256(name || \\n || 0x04 || key)[:4]"
    body, sep, sigs = note.partition("\n\n")
    assert sep, "no signature block"
    body += "\n"
    stamps = []
    for line in sigs.rstrip("\n").split("\n"):
        dash, signer, sig_b64 = line.split(" ")
        assert dash == "\u2014"
        sig = base64.b64decode(sig_b64)
        if signer != name or sig[:4] != key_id:
            continue
        assert len(sig) == 4 + 8 + 64, "key ID || u64 timestamp || Ed25519 signature"
        (timestamp,) = struct.unpack(">Q", sig[4:12])
        assert timestamp < 2**63
        message = b"cosignature/v1\n" + b"time " + str(timestamp).encode() + b"\n" + body.encode()
        Ed25519PublicKey.from_public_bytes(raw[1:]).verify(sig[12:], message)  # raises if forged
        stamps.append(timestamp)
    assert len(stamps) == 1, f"expected one cosignature by {name}, found {len(stamps)}"
    return stamps[0]
