"""BinaryIndex with FAISS multi-hash: every code within nhash - 1 bits is found, the same as the flat index."""

from __future__ import annotations

import numpy as np
import pytest

import mamori.index as index_mod
from mamori.index import BinaryIndex


def _flip(code: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    bits = np.unpackbits(code)
    bits[rng.choice(256, k, replace=False)] ^= 1
    return np.packbits(bits)


def test_multihash_finds_what_flat_finds_within_its_guarantee() -> None:
    rng = np.random.default_rng(1)
    codes = rng.integers(0, 256, (5000, 32), dtype=np.uint8)
    flat, mh = BinaryIndex(256), BinaryIndex(256, multihash=(16, 16))
    flat.add(codes)
    mh.add(codes)
    picks = rng.integers(0, len(codes), 40)
    queries = np.stack(
        [_flip(codes[i], int(k), rng) for i, k in zip(picks, rng.integers(0, 16, 40), strict=True)]
    )
    got = {(h.query, h.id, h.distance) for h in mh.range_search(queries, 15)}
    want = {(h.query, h.id, h.distance) for h in flat.range_search(queries, 15)}
    assert got == want and {q for q, _, _ in got} == set(range(40))


def test_auto_switches_past_the_threshold_and_keeps_earlier_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_mod, "MULTIHASH_MIN", 100)
    rng = np.random.default_rng(2)
    idx = BinaryIndex(256, multihash="auto")
    first = rng.integers(0, 256, (60, 32), dtype=np.uint8)
    idx.add(first)
    assert idx.multihash is None
    idx.add(rng.integers(0, 256, (60, 32), dtype=np.uint8))
    assert idx.multihash is not None and len(idx) == 120
    hits = idx.range_search(first[:5], 0)
    assert [(h.query, h.id) for h in hits] == [(i, i) for i in range(5)]


def test_bad_multihash_shape_is_refused() -> None:
    with pytest.raises(ValueError, match="do not fit"):
        BinaryIndex(256, multihash=(17, 16))
