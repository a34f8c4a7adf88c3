"""An independent verifier for the transparency log, written from the specifications' text and sharing no code
with `mamori.ledger` (the point: the log's own tree code must not grade itself).

- RFC 9162 §2.1.1: MTH({}) = SHA-256(); MTH({d0}) = SHA-256(0x00 ‖ d0); MTH(D[n]) = SHA-256(0x01 ‖ MTH(D[0:k]) ‖
  MTH(D[k:n])) with k the largest power of two smaller than n.
- §2.1.3.1 PATH and §2.1.4.1 PROOF are *reconstructed* here: a proof is consumed from its end (the hashes nearest
  the root come last) by the same recursion that defines it, which checks a proof in a different way from the
  iterative §2.1.3.2 / §2.1.4.2 algorithms the log implements.
- C2SP signed-note / tlog-checkpoint: key hash = first 4 bytes of SHA-256(name ‖ "\\n" ‖ 0x01 ‖ key); a signature
  line is "— name base64(key hash ‖ Ed25519 signature over the note text)".
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def largest_pow2_below(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(entries: list[bytes]) -> bytes:
    n = len(entries)
    if n == 0:
        return sha(b"")
    if n == 1:
        return sha(b"\x00" + entries[0])
    k = largest_pow2_below(n)
    return sha(b"\x01" + mth(entries[:k]) + mth(entries[k:]))


def path(m: int, entries: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]) by the RFC's definition, straight from the entries."""
    n = len(entries)
    if n == 1:
        return []
    k = largest_pow2_below(n)
    if m < k:
        return path(m, entries[:k]) + [mth(entries[k:])]
    return path(m - k, entries[k:]) + [mth(entries[:k])]


def proof(m: int, entries: list[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) = SUBPROOF(m, D[n], true)."""

    def sub(m: int, d: list[bytes], b: bool) -> list[bytes]:
        n = len(d)
        if m == n:
            return [] if b else [mth(d)]
        k = largest_pow2_below(n)
        if m <= k:
            return sub(m, d[:k], b) + [mth(d[k:])]
        return sub(m - k, d[k:], False) + [mth(d[:k])]

    return sub(m, entries, True)


def inclusion_ok(index: int, size: int, entry: bytes, hashes: list[bytes], root: bytes) -> bool:
    def rebuild(m: int, n: int, rest: list[bytes]) -> bytes | None:
        if n == 1:
            return sha(b"\x00" + entry) if not rest else None
        if not rest:
            return None
        k = largest_pow2_below(n)
        if m < k:
            left = rebuild(m, k, rest[:-1])
            return None if left is None else sha(b"\x01" + left + rest[-1])
        right = rebuild(m - k, n - k, rest[:-1])
        return None if right is None else sha(b"\x01" + rest[-1] + right)

    return 0 <= index < size and rebuild(index, size, list(hashes)) == root


def consistency_ok(
    first: int, second: int, first_root: bytes, second_root: bytes, hashes: list[bytes]
) -> bool:
    if not 0 < first <= second:
        return False
    if first == second:
        return not hashes and first_root == second_root

    def rebuild(m: int, n: int, whole: bool, rest: list[bytes]) -> tuple[bytes, bytes] | None:
        """(root of the first m entries of this subtree, root of all n of them)."""
        if m == n:
            if whole:
                return (first_root, first_root) if not rest else None
            return (rest[0], rest[0]) if len(rest) == 1 else None
        if not rest:
            return None
        k = largest_pow2_below(n)
        last = rest[-1]
        if m <= k:
            got = rebuild(m, k, whole, rest[:-1])
            return None if got is None else (got[0], sha(b"\x01" + got[1] + last))
        got = rebuild(m - k, n - k, False, rest[:-1])
        return None if got is None else (sha(b"\x01" + last + got[0]), sha(b"\x01" + last + got[1]))

    got = rebuild(first, second, True, list(hashes))
    return got == (first_root, second_root)


def open_checkpoint(note: str, vkey: str) -> tuple[str, int, bytes]:
    """(origin, size, root) of a checkpoint note signed by `vkey`; AssertionError otherwise."""
    name, key_id, key_b64 = vkey.strip().split("+", 2)
    raw = base64.b64decode(key_b64)
    assert raw[0] == 0x01 and len(raw) == 33, "not an Ed25519 vkey"
    assert sha(name.encode() + b"\n" + raw)[:4].hex() == key_id, "vkey hash does not match"
    text, _, sigs = note.rpartition("\n\n")
    text += "\n"
    good = False
    for line in sigs.rstrip("\n").split("\n"):
        dash, signer, sig_b64 = line.split(" ")
        assert dash == "\u2014"
        sig = base64.b64decode(sig_b64)
        if signer == name and sig[:4].hex() == key_id:
            Ed25519PublicKey.from_public_bytes(raw[1:]).verify(sig[4:], text.encode())  # raises if forged
            good = True
    assert good, "no signature by the key"
    origin, size, root_b64, *_ = text.split("\n")
    return origin, int(size), base64.b64decode(root_b64)
