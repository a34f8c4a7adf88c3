"""C2SP `signed-note` with Ed25519 keys, and the C2SP `tlog-checkpoint` body it carries. Pure: no I/O.

Key forms follow Go's golang.org/x/mod/sumdb/note, so its tools read ours:
- verifier key (vkey): `<name>+<8 hex key hash>+<base64(0x01 ‖ 32-byte public key)>`;
- signer key (kept secret): `PRIVATE+KEY+<name>+<8 hex key hash>+<base64(0x01 ‖ 32-byte seed)>`;
- key hash: the first 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key), big-endian.
A note is its text (ending in a newline), an empty line, then lines `— <name> <base64(key hash ‖ signature)>`;
the signature is Ed25519 over the text. Signing and verifying are `cryptography`'s Ed25519.

A note may carry several signatures (C2SP signed-note §Signatures): during a key rotation a checkpoint is signed by
the old and the new key, and witnesses add cosignatures (`cosignature.py`). A verifier is configured with a set of
keys; lines by keys it does not know are ignored, a line by a known key that does not verify rejects the note.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALG_ED25519 = 0x01
DASH = "\u2014"


class NoteError(ValueError):
    """A key, note or checkpoint that is malformed or does not verify; the message says why."""


def check_key_name(name: str) -> None:
    if not name or "+" in name or any(c.isspace() for c in name) or not name.isprintable():
        raise NoteError(f"key name {name!r} must be non-empty, printable, without spaces or '+'")


def key_hash(name: str, public: bytes, alg: int = ALG_ED25519) -> int:
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([alg]) + public).digest()
    return int.from_bytes(digest[:4], "big")


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def unb64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise NoteError(f"{what} is not base64") from None


@dataclass(frozen=True)
class Verifier:
    name: str
    hash: int
    public: Ed25519PublicKey

    @classmethod
    def parse(cls, vkey: str) -> Verifier:
        parts = vkey.strip().split("+", 2)  # base64 may hold "+" itself
        if len(parts) != 3:
            raise NoteError("a verifier key is <name>+<8 hex key hash>+<base64 key>")
        name, hex_hash, b64 = parts
        check_key_name(name)
        raw = unb64(b64, "the verifier key")
        if len(raw) != 33 or raw[0] != ALG_ED25519:
            raise NoteError("the verifier key is not an Ed25519 key (0x01 ‖ 32 bytes)")
        if len(hex_hash) != 8 or any(c not in "0123456789abcdef" for c in hex_hash):
            raise NoteError("the verifier key's hash is not 8 lower-case hex digits")
        if int(hex_hash, 16) != key_hash(name, raw[1:]):
            raise NoteError("the verifier key's hash does not match its name and key")
        return cls(name, int(hex_hash, 16), Ed25519PublicKey.from_public_bytes(raw[1:]))

    @property
    def vkey(self) -> str:
        raw = self.public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return f"{self.name}+{self.hash:08x}+{b64(bytes([ALG_ED25519]) + raw)}"


def parse_skey(skey: str, alg: int, what: str, kind: str) -> tuple[str, str, bytes]:
    """Split a private key line `PRIVATE+KEY+<name>+<8 hex key ID>+<base64(alg ‖ 32-byte seed)>` (the form Go's
    note package writes): (name, hex key ID, seed). The caller checks the ID against the key it derives."""
    parts = skey.strip().split("+", 4)
    if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
        raise NoteError(f"{what} is PRIVATE+KEY+<name>+<8 hex key ID>+<base64 key>")
    name, hex_id, encoded = parts[2:]
    check_key_name(name)
    raw = unb64(encoded, what)
    if len(raw) != 33 or raw[0] != alg:
        raise NoteError(f"{what} is not {kind} (0x{alg:02x} ‖ 32-byte seed)")
    return name, hex_id, raw[1:]


def write_private_keys(skeys: Iterable[str], path: str | os.PathLike[str]) -> None:
    """Write private key lines (a log's signers, a witness's key) to a new file readable by its owner only; an
    existing file is never overwritten (FileExistsError)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("".join(k + "\n" for k in skeys))


@dataclass(frozen=True)
class Signer:
    name: str
    private: Ed25519PrivateKey

    @classmethod
    def generate(cls, name: str) -> Signer:
        check_key_name(name)
        return cls(name, Ed25519PrivateKey.from_private_bytes(os.urandom(32)))

    @classmethod
    def parse(cls, skey: str) -> Signer:
        name, hex_hash, seed = parse_skey(skey, ALG_ED25519, "a signer key", "an Ed25519 key")
        signer = cls(name, Ed25519PrivateKey.from_private_bytes(seed))
        if f"{signer.verifier.hash:08x}" != hex_hash:
            raise NoteError("the signer key's hash does not match its name and key (damaged key)")
        return signer

    @property
    def verifier(self) -> Verifier:
        public = self.private.public_key()
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return Verifier(self.name, key_hash(self.name, raw), public)

    @property
    def skey(self) -> str:
        seed = self.private.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        return f"PRIVATE+KEY+{self.name}+{self.verifier.hash:08x}+{b64(bytes([ALG_ED25519]) + seed)}"

    def sign(self, text: str) -> str:
        """The signed note for `text` (which must end in a newline and hold no empty line)."""
        return sign_note(text, [self])

    def signature_line(self, text: str) -> str:
        sig = self.private.sign(text.encode("utf-8"))
        return f"{DASH} {self.name} {b64(self.verifier.hash.to_bytes(4, 'big') + sig)}\n"


def sign_note(text: str, signers: Iterable[Signer]) -> str:
    """`text` signed by every signer in turn (a key rotation's transition signs with old and new key)."""
    _check_text(text)
    lines = [s.signature_line(text) for s in signers]
    if not lines:
        raise NoteError("a note needs at least one signer")
    return text + "\n" + "".join(lines)


def _check_text(text: str) -> None:
    if not text.endswith("\n") or "\n\n" in text:
        raise NoteError("a note's text ends in a newline and holds no empty line")


def split_note(note: str) -> tuple[str, list[tuple[str, bytes]]]:
    """(text, [(key name, base64-decoded key hash ‖ signature)…]) of a signed note; NoteError when malformed."""
    cut = note.rfind("\n\n")
    if cut < 0:
        raise NoteError("not a signed note: no empty line before the signatures")
    text, sigs = note[: cut + 1], note[cut + 2 :]
    _check_text(text)
    if not sigs.endswith("\n"):
        raise NoteError("a signed note ends in a newline")
    out: list[tuple[str, bytes]] = []
    for line in sigs[:-1].split("\n"):
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != DASH or not parts[1]:
            raise NoteError(f"malformed signature line {line!r}")
        out.append((parts[1], unb64(parts[2], "a signature")))
    return text, out


def add_lines(note: str, lines: Iterable[str]) -> str:
    """`note` with signature lines added (a co-signing key's, a witness's); one signature per key: a line by a key
    (name and key hash) the note already holds a signature of is not added — a witness asked twice about the same
    checkpoint (two processes cutting it) answers with a second timestamp, and the first cosignature stands."""
    _, sigs = split_note(note)
    keys = {(name, raw[:4]) for name, raw in sigs}
    extra = ""
    for line in lines:
        _, new = split_note("x\n\n" + line)
        key = (new[0][0], new[0][1][:4])
        if key not in keys:
            keys.add(key)
            extra += line
    return note + extra


def _known(verifiers: Verifier | Iterable[Verifier]) -> list[Verifier]:
    keys = [verifiers] if isinstance(verifiers, Verifier) else list(verifiers)
    if not keys:
        raise NoteError("no verifier key given")
    return keys


def signed_by(note: str, verifiers: Verifier | Iterable[Verifier]) -> tuple[str, list[Verifier]]:
    """The note's text and which of `verifiers` signed it (possibly none); NoteError when a signature line of a
    known key does not verify."""
    keys = _known(verifiers)
    text, sigs = split_note(note)
    found: list[Verifier] = []
    for name, raw in sigs:
        for v in keys:
            if name != v.name or len(raw) != 68 or int.from_bytes(raw[:4], "big") != v.hash:
                continue
            try:
                v.public.verify(raw[4:], text.encode("utf-8"))
            except InvalidSignature:
                raise NoteError(f"the signature by {v.name} does not verify (note altered)") from None
            if v not in found:
                found.append(v)
    return text, found


def open_note(note: str, verifiers: Verifier | Iterable[Verifier]) -> str:
    """The note's text, once a signature by one of `verifiers` checks; NoteError otherwise."""
    keys = _known(verifiers)
    text, found = signed_by(note, keys)
    if not found:
        names = ", ".join(f"{v.name}+{v.hash:08x}" for v in keys)
        raise NoteError(f"the note carries no signature by {names}")
    return text


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        lines = [self.origin, str(self.size), b64(self.root), *self.extensions]
        return "".join(line + "\n" for line in lines)

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        lines = text.split("\n")
        if len(lines) < 4 or lines[-1] != "":
            raise NoteError("a checkpoint is an origin line, a size line and a root-hash line")
        origin, size, root = lines[0], lines[1], lines[2]
        if not origin:
            raise NoteError("the checkpoint's origin line is empty")
        if not size.isdigit() or (size != "0" and size.startswith("0")) or not size.isascii():
            raise NoteError(f"the checkpoint's size {size!r} is not a decimal number")
        raw = unb64(root, "the checkpoint's root hash")
        if len(raw) != 32:
            raise NoteError("the checkpoint's root hash is not 32 bytes")
        return cls(origin, int(size), raw, tuple(lines[3:-1]))


def sign_checkpoint(signer: Signer, size: int, root: bytes) -> str:
    return signer.sign(Checkpoint(signer.name, size, root).text())


def sign_checkpoints(signers: Iterable[Signer], size: int, root: bytes) -> str:
    """One checkpoint signed by several keys of the same log (a key rotation's transition)."""
    keys = list(signers)
    if not keys or any(s.name != keys[0].name for s in keys):
        raise NoteError("a checkpoint's signing keys all carry the log's origin as their name")
    return sign_note(Checkpoint(keys[0].name, size, root).text(), keys)


def verify_checkpoint(note: str, verifiers: Verifier | Iterable[Verifier]) -> Checkpoint:
    """The checkpoint in a note signed by one of `verifiers` (the log's keys, old and new), whose origin must be
    the signing key's name."""
    keys = _known(verifiers)
    text, found = signed_by(note, keys)
    if not found:
        names = ", ".join(f"{v.name}+{v.hash:08x}" for v in keys)
        raise NoteError(f"the note carries no signature by {names}")
    cp = Checkpoint.parse(text)
    if not any(cp.origin == v.name for v in found):
        raise NoteError(f"the checkpoint is for origin {cp.origin!r}, not {found[0].name!r}")
    return cp
