"""PDQ perceptual-hash near-duplicate detector.

References are hashed once (cached by sha256). A query is hashed in its 8 dihedral variants (rotations and
mirrors), and all are looked up in a FAISS binary index within Hamming distance `MAX_DISTANCE`. Hashes whose
PDQ quality is below `MIN_QUALITY` (flat or nearly empty images) are ignored on both sides.

Thresholds: see scripts/calibrate_visual.py (PDQ section). 31 is the threshold recommended by the PDQ authors;
in our calibration (8 references) no negative came closer than 100 bits, while the copy tier (re-encodes, resizes,
JPEG q=50, colour shifts, an independent encode of the same movie frames) has median 4, p95 27, max 34: the one
copy past 31 is found by local features instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import numpy as np

from mamori.index import BinaryIndex
from mamori.screening.base import IMAGE, Corpus, Detector, ReferenceImage
from mamori.screening.image.common import cached_signals, log
from mamori.screening.image.loading import as_rgb, downscale
from mamori.types import Evidence, Match, Rule

MAX_DISTANCE = 31  # scripts/calibrate_visual.py: copy tier median 4 / p95 27, negatives >= 100
MIN_QUALITY = 50  # PDQ's own guidance: hashes under quality 50 are unreliable
# At most this many bits from a reference, the picture *is* that reference (benchmarks/visual_bench.py: copy tier
# 22 of 26 within 16 bits, a 16:9 frame resized and re-encoded as JPEG 14, the next frames of a shot 10-14; no
# negative closer than 100): its evidence says so (extra["copy"]) and the cascade skips the costlier signals
# (fusion.Gate), as a hash-matching pipeline does before any expensive step. The price: a second character pasted
# small enough into a copy to move fewer than 16 bits is left to the signals that were skipped.
COPY_DISTANCE = 16
HASH_SIDE = 512  # PDQ works on a 64x64 luminance downsample; hashing a <=512 px image is enough and fast

DIHEDRAL = ("original", "rot90", "rot180", "rot270", "flip-x", "flip-y", "flip+rot90", "flip-rot90")


def pdq_score(distance: int) -> float:
    """Probability-like score: 1.0 at distance 0, ~0.80 at 20, 0.5 at the 31-bit threshold, 0 beyond."""
    if distance > MAX_DISTANCE:
        return 0.0
    return float(1.0 - 0.5 * (distance / MAX_DISTANCE) ** 2)


def pdq_hashes(pixels: Any) -> tuple[np.ndarray, int]:
    """(8 x 32-byte dihedral hash codes, quality) of an RGB image; quality 0 for images too small to hash."""
    import pdqhash

    rgb = as_rgb(pixels)
    if min(rgb.shape[:2]) < 8:
        return np.zeros((8, 32), np.uint8), 0
    rgb = downscale(rgb, HASH_SIDE)
    hashes, quality = pdqhash.compute_dihedral(np.ascontiguousarray(rgb))
    codes = np.packbits(np.asarray(hashes, dtype=np.uint8).reshape(8, 256), axis=1)
    return codes, int(quality)


class PdqDetector(Detector):
    name: ClassVar[str] = "pdq"
    kinds: ClassVar[frozenset[str]] = frozenset({IMAGE})
    version: ClassVar[str] = "1"
    cost: ClassVar[float] = 3.0  # ms at 1024x768: hash at <= 512 px + a binary index lookup

    def __init__(
        self, refs: list[ReferenceImage], codes: np.ndarray, max_distance: int = MAX_DISTANCE
    ) -> None:
        self.refs = refs
        self.max_distance = max_distance
        self.index = BinaryIndex(256, multihash="auto")  # multi-hash past index.MULTIHASH_MIN references
        if len(codes):
            self.index.add(codes, list(range(len(refs))))

    @classmethod
    def build(cls, corpus: Corpus) -> PdqDetector:
        def compute(ref: ReferenceImage) -> dict[str, np.ndarray]:
            codes, quality = pdq_hashes(ref.pixels)
            return {"code": codes[0], "quality": np.array(quality, np.int32)}

        refs, codes = [], []
        for ref, sig in cached_signals(corpus, cls.name, cls.version, compute):
            if int(sig["quality"]) < MIN_QUALITY:
                log.info(
                    "pdq: reference %s has low hash quality %d; not indexed", ref.ref_id, int(sig["quality"])
                )
                continue
            refs.append(ref)
            codes.append(sig["code"])
        return cls(refs, np.array(codes, np.uint8).reshape(-1, 32))

    def detect(self, content: Any) -> list[Match]:
        if len(self.index) == 0:
            return []
        codes, quality = pdq_hashes(content)
        if quality < MIN_QUALITY:
            return []
        best: dict[str, tuple[int, int, int]] = {}  # character -> (distance, ref index, variant)
        for hit in self.index.range_search(codes, self.max_distance):
            ref = self.refs[hit.id]
            cur = best.get(ref.character)
            if cur is None or hit.distance < cur[0]:
                best[ref.character] = (hit.distance, hit.id, hit.query)
        out = []
        for character, (dist, ri, variant) in sorted(best.items()):
            ref = self.refs[ri]
            score = pdq_score(dist)
            ev = Evidence(
                rule=str(Rule.PDQ),
                score=score,
                detail=f"PDQ distance {dist}/256 to reference {ref.ref_id} ({DIHEDRAL[variant]}, quality {quality})",
                extra={"reference": ref.ref_id, "distance": dist, "copy": dist <= COPY_DISTANCE},
            )
            out.append(
                Match(
                    work=ref.work,
                    character=character,
                    score=score,
                    evidence=(ev,),
                    signals={self.name: score},
                )
            )
        return out

    @classmethod
    def examples(cls) -> Iterator[tuple[Corpus, Any, set[str]]]:
        from mamori.screening.image.examples import example_cases

        yield from example_cases(edited=False)
