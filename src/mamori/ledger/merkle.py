"""The ledger's Merkle tree, RFC 6962 / RFC 9162 §2.1, as pure functions over hashes (no I/O).

Leaf hash = SHA-256(0x00 ‖ entry), node = SHA-256(0x01 ‖ left ‖ right); a tree of n leaves splits at k, the largest
power of two below n. The store keeps the hash of every complete, aligned subtree as a *node* (level, index):
the subtree of 2^level leaves starting at leaf index·2^level (level 0 = the leaf hashes). Every subtree the
RFC's recursions visit starts at a multiple of a power of two at least its size, so its hash is a fold of at most
log2(n) stored nodes: roots and proofs read O(log n) nodes whatever the tree's size, never the leaves.

Functions that need nodes take a `NodeGetter`; `nodes_needed` runs one with a recording getter first, so a store
can fetch every node a proof needs in a single query.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

NodeGetter = Callable[[int, int], bytes]
EMPTY_ROOT = hashlib.sha256(b"").digest()


class ProofError(ValueError):
    """A proof request or a proof that cannot be right; the message says why."""


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly below n (n ≥ 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def range_hash(start: int, end: int, get: NodeGetter) -> bytes:
    """MTH(D[start:end]) from stored nodes."""
    size = end - start
    if size <= 0:
        return EMPTY_ROOT
    if size & (size - 1) == 0 and start % size == 0:
        level = size.bit_length() - 1
        return get(level, start >> level)
    k = _split(size)
    return node_hash(range_hash(start, start + k, get), range_hash(start + k, end, get))


def root(size: int, get: NodeGetter) -> bytes:
    return range_hash(0, size, get)


def _check_size(size: int, what: str = "tree size") -> None:
    if size < 0:
        raise ProofError(f"{what} {size} is negative")


def inclusion_proof(index: int, size: int, get: NodeGetter) -> list[bytes]:
    """PATH(index, D[0:size]) (RFC 9162 §2.1.3.1), leaf-side first."""
    _check_size(size)
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is not in a tree of size {size}")
    out: list[bytes] = []

    def path(m: int, start: int, end: int) -> None:
        n = end - start
        if n == 1:
            return
        k = _split(n)
        if m < k:
            path(m, start, start + k)
            out.append(range_hash(start + k, end, get))
        else:
            path(m - k, start + k, end)
            out.append(range_hash(start, start + k, get))

    path(index, 0, size)
    return out


def consistency_proof(first: int, second: int, get: NodeGetter) -> list[bytes]:
    """PROOF(first, D[0:second]) (RFC 9162 §2.1.4.1); empty when the sizes are equal."""
    _check_size(first, "first size")
    _check_size(second, "second size")
    if first > second:
        raise ProofError(f"first size {first} is larger than second size {second}")
    if first == 0 or first == second:
        return []
    out: list[bytes] = []

    def subproof(m: int, start: int, end: int, whole: bool) -> None:
        n = end - start
        if m == n:
            if not whole:
                out.append(range_hash(start, end, get))
            return
        k = _split(n)
        if m <= k:
            subproof(m, start, start + k, whole)
            out.append(range_hash(start + k, end, get))
        else:
            subproof(m - k, start + k, end, False)
            out.append(range_hash(start, start + k, get))

    subproof(first, 0, second, True)
    return out


def nodes_needed(fn: Callable[[NodeGetter], object]) -> set[tuple[int, int]]:
    """The (level, index) nodes `fn` reads: run it once against a getter that records and returns a dummy."""
    seen: set[tuple[int, int]] = set()

    def record(level: int, index: int) -> bytes:
        seen.add((level, index))
        return EMPTY_ROOT

    fn(record)
    return seen


# --- appending --------------------------------------------------------------------------------------------------


def frontier(size: int) -> list[tuple[int, int]]:
    """The complete subtrees along the right edge of a tree of `size` leaves, largest first: all an append needs."""
    out = []
    start = 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            out.append((level, start >> level))
            start += 1 << level
    return out


def append_nodes(
    size: int, frontier_hashes: Sequence[bytes], leaves: Iterable[bytes]
) -> tuple[list[tuple[int, int, bytes]], list[bytes]]:
    """New (level, index, hash) nodes for leaf hashes appended to a tree of `size` leaves whose frontier hashes
    (as `frontier(size)` orders them) are given; returns them and the new frontier's hashes."""
    stack = list(zip(frontier(size), frontier_hashes, strict=True))
    out: list[tuple[int, int, bytes]] = []
    for h in leaves:
        level, index, cur = 0, size, h
        out.append((0, index, cur))
        while stack and stack[-1][0][0] == level:
            (_, left_index), left = stack.pop()
            cur = node_hash(left, cur)
            level, index = level + 1, left_index >> 1
            out.append((level, index, cur))
        stack.append(((level, index), cur))
        size += 1
    return out, [h for _, h in stack]


def root_from_frontier(frontier_hashes: Sequence[bytes]) -> bytes:
    if not frontier_hashes:
        return EMPTY_ROOT
    acc = frontier_hashes[-1]
    for h in reversed(frontier_hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


def root_of_leaves(leaves: Iterable[bytes]) -> bytes:
    """The root over leaf hashes streamed in order, holding only O(log n) hashes."""
    _, front = append_nodes(0, [], leaves)
    return root_from_frontier(front)


# --- verifying (RFC 9162 §2.1.3.2 and §2.1.4.2) -----------------------------------------------------------------


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], expected_root: bytes
) -> None:
    """Raise ProofError unless `proof` shows `leaf` at `index` in the tree of `size` with `expected_root`."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is not in a tree of size {size}")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError("inclusion proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof is shorter than the tree is deep")
    if r != expected_root:
        raise ProofError("inclusion proof does not lead to the root")


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> None:
    """Raise ProofError unless `proof` shows the tree (second, second_root) extends (first, first_root)."""
    if not 0 <= first <= second:
        raise ProofError(f"sizes {first} and {second} are not a first ≤ second pair")
    if first == second:
        if proof:
            raise ProofError("a consistency proof between equal sizes must be empty")
        if first_root != second_root:
            raise ProofError("equal sizes with different roots: the log was rewritten")
        return
    if first == 0:
        if proof:
            raise ProofError("a consistency proof from the empty tree must be empty")
        return
    if not proof:
        raise ProofError("empty consistency proof")
    path = list(proof)
    if first & (first - 1) == 0:  # a power of two: the first tree is itself a node of the second
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is longer than expected")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("consistency proof is shorter than expected")
    if fr != first_root:
        raise ProofError("consistency proof does not lead to the first root: the log was rewritten")
    if sr != second_root:
        raise ProofError("consistency proof does not lead to the second root")
