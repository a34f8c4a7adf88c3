"""Training-data scans: find registered characters and opt-out signals in a training set, exclude them, and
write the public disclosure. One module per stage:

    reader       inputs -> shards -> samples (READERS: tar, parquet, folder)
    optout       machine-readable opt-out signals (TDMRep, robots.txt/ai.txt, XMP PLUS, C2PA)
    screen       SampleScreener: captions and pixels against the registry
    worker       one shard: screen every sample, apply training policies, write the shard's outputs
    writer       atomic per-shard outputs, resume detection, merge
    distributor  where shards run (DISTRIBUTORS: local, ray)
    disclosure   the EU training-content summary (json + markdown)
    lookup       "was my work in there?"
"""

from mamori.datasets.lookup import lookup
from mamori.datasets.pipeline import ScanResult, scan
from mamori.datasets.screen import MamoriScreener, SampleScreener, ScreenerSpec

__all__ = ["scan", "lookup", "ScanResult", "SampleScreener", "MamoriScreener", "ScreenerSpec"]
