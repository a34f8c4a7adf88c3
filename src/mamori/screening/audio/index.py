"""Find where an excerpt of registered audio sits: an inverted index proposes alignments, bit errors confirm them.

All registered sub-fingerprints are concatenated into one uint32 array. Each 32-bit value is split into two
16-bit halves; for each half a CSR table (65,536 buckets) lists the positions holding it. A clip's sub-fingerprint
at item i whose half equals a reference's at position p votes for the alignment `p - i` (track, offset). Two halves
make it robust: at a bit-error rate of 0.1 a 32-bit value survives intact 3 % of the time, a 16-bit half 19 %, so a
20-s clip (160 items) still casts dozens of votes at the true alignment even at 0 dB SNR. Buckets that hold
silence or a sustained chord everywhere (more than `max_postings` positions) are stop-words and are not probed.

The best-voted alignments are then checked exactly: per aligned item the number of differing bits
(`np.bitwise_count` of the XOR), smoothed over a window; runs where the windowed bit-error rate stays under
`threshold` become segments in clip time. Memory: the values (4 B), two position lists (8 B) and the track of each
position (4 B) — 16 bytes per sub-fingerprint, ~0.47 MB per hour of registered audio, plus 0.5 MB of bucket tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mamori.screening.audio.chroma import ITEM_SECONDS

BUCKETS = 1 << 16


@dataclass(frozen=True)
class AlignedRun:
    """A stretch of the clip that matches track `track` at item offset `offset` (clip item i ~ track item i+offset)."""

    track: int
    offset: int
    start: int  # first clip item
    end: int  # one past the last clip item
    ber: float  # bit-error rate over the run

    @property
    def start_s(self) -> float:
        return self.start * ITEM_SECONDS

    @property
    def end_s(self) -> float:
        return self.end * ITEM_SECONDS

    @property
    def track_start_s(self) -> float:
        return (self.start + self.offset) * ITEM_SECONDS


class FingerprintIndex:
    def __init__(self, fingerprints: Sequence[np.ndarray], max_postings: int | None = None) -> None:
        lengths = np.array([f.size for f in fingerprints], dtype=np.int64)
        self.starts = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        self.values = (
            np.concatenate(list(fingerprints)).astype(np.uint32)
            if len(fingerprints)
            else np.zeros(0, np.uint32)
        )
        self.track_of = np.repeat(np.arange(len(fingerprints), dtype=np.int32), lengths)
        n = self.values.size
        # a bucket holding more than this many positions says nothing about where a clip comes from
        self.max_postings = max_postings or max(64, int(n / BUCKETS * 40))
        self.tables = [self._table(self.values >> 16), self._table(self.values & 0xFFFF)]

    def _table(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        keys = keys.astype(np.int64)
        order = np.argsort(keys, kind="stable").astype(np.int32)
        counts = np.bincount(keys, minlength=BUCKETS)
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        return offsets, order

    def __len__(self) -> int:
        return len(self.starts) - 1

    @property
    def nbytes(self) -> int:
        return int(
            self.values.nbytes
            + self.track_of.nbytes
            + self.starts.nbytes
            + sum(o.nbytes + p.nbytes for o, p in self.tables)
        )

    def candidates(self, query: np.ndarray, top: int = 8, min_votes: int = 3) -> list[tuple[int, int, int]]:
        """(votes, track, offset) of the best-voted alignments, most votes first."""
        positions: list[np.ndarray] = []
        items: list[np.ndarray] = []
        q = query.astype(np.uint32)
        for (offsets, order), keys in zip(self.tables, (q >> 16, q & 0xFFFF), strict=True):
            lo = offsets[keys.astype(np.int64)]
            hi = offsets[keys.astype(np.int64) + 1]
            size = hi - lo
            keep = (size > 0) & (size <= self.max_postings)
            lo, size = lo[keep], size[keep]
            idx = np.nonzero(keep)[0]
            total = int(size.sum())
            if total == 0:
                continue
            # positions lo[k] .. lo[k]+size[k] for every kept query item k, flattened without a Python loop
            starts = np.repeat(lo - np.concatenate([[0], np.cumsum(size)[:-1]]), size)
            positions.append(order[starts + np.arange(total)])
            items.append(np.repeat(idx, size))
        if not positions:
            return []
        pos = np.concatenate(positions).astype(np.int64)
        item = np.concatenate(items).astype(np.int64)
        track = self.track_of[pos].astype(np.int64)
        offset = pos - self.starts[track] - item
        key = track * (1 << 32) + (offset + (1 << 31))
        uniq, votes = np.unique(key, return_counts=True)
        best = np.argpartition(-votes, top)[:top] if uniq.size > top else np.arange(uniq.size)
        out = []
        for b in best:
            if votes[b] < min_votes:
                continue
            k = int(uniq[b])
            out.append((int(votes[b]), k >> 32, (k & 0xFFFFFFFF) - (1 << 31)))
        out.sort(key=lambda c: -c[0])
        return out

    def bit_errors(self, query: np.ndarray, track: int, offset: int) -> tuple[int, np.ndarray]:
        """(first aligned clip item, differing bits per aligned item) for clip item i ~ track item i + offset."""
        t0, t1 = int(self.starts[track]), int(self.starts[track + 1])
        first = max(0, -offset)
        last = min(query.size, t1 - t0 - offset)
        if last <= first:
            return first, np.zeros(0, np.int64)
        ref = self.values[t0 + first + offset : t0 + last + offset]
        return first, np.bitwise_count(query[first:last] ^ ref).astype(np.int64)

    def runs(
        self, query: np.ndarray, threshold: float, window: int, min_items: int, top: int = 8
    ) -> list[AlignedRun]:
        """Matching runs of the clip against the best-voted alignments; overlapping runs of one track are kept
        once (the lowest bit-error rate wins)."""
        found: list[AlignedRun] = []
        for _votes, track, offset in self.candidates(query, top=top):
            first, errs = self.bit_errors(query, track, offset)
            for a, b in _good_spans(errs, threshold, window, min_items):
                ber = float(errs[a:b].sum()) / (32.0 * (b - a))
                found.append(AlignedRun(track, offset, first + a, first + b, ber))
        found.sort(key=lambda r: r.ber)
        kept: list[AlignedRun] = []
        for r in found:
            if not any(k.track == r.track and k.start < r.end and r.start < k.end for k in kept):
                kept.append(r)
        return kept


def _good_spans(errs: np.ndarray, threshold: float, window: int, min_items: int) -> list[tuple[int, int]]:
    """Item spans covered by windows whose bit-error rate is <= threshold (windows as long as the alignment
    allows), ends trimmed to the items that match themselves; spans shorter than min_items are dropped."""
    n = errs.size
    if n < min_items:
        return []
    w = min(window, n)
    csum = np.concatenate([[0], np.cumsum(errs)])
    rate = (csum[w:] - csum[:-w]) / (32.0 * w)  # window k covers items k .. k+w-1
    good = rate <= threshold
    if not good.any():
        return []
    cover = np.zeros(n + 1, np.int64)  # items covered by at least one good window
    starts = np.nonzero(good)[0]
    np.add.at(cover, starts, 1)
    np.add.at(cover, starts + w, -1)
    covered = np.cumsum(cover[:-1]) > 0
    edges = np.diff(np.concatenate([[0], covered.astype(np.int8), [0]]))
    spans = zip(np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0], strict=True)
    out: list[tuple[int, int]] = []
    for a0, b0 in spans:
        a, b = _trim(errs, int(a0), int(b0), threshold)
        if b - a >= min_items:
            out.append((a, b))
    return out


def _trim(errs: np.ndarray, a: int, b: int, threshold: float, k: int = 5) -> tuple[int, int]:
    """Move a span's ends inwards past items whose own neighbourhood (k items) is over the threshold: a window
    that is partly inside a match can pass while its outer items belong to other sound."""
    local = np.convolve(errs[a:b].astype(np.float64), np.ones(k) / (32.0 * k), mode="same")
    good = np.nonzero(local <= threshold)[0]
    if good.size == 0:
        return a, a
    return a + int(good[0]), a + int(good[-1]) + 1
