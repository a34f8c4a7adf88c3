"""Training-data scan throughput: samples/s on 2 cores, `--engine local` (the baseline) against `--engine ray`.

Generates tar shards of small drawn images with captions (some naming an invented registered character, some
carrying a `tdm-reservation` header) and an invented registry with reference art, then scans them both ways.
Size with MAMORI_DATASET_BENCH_SAMPLES (default 3000) and MAMORI_DATASET_BENCH_SHARD (default 250).
"""

from __future__ import annotations

import io
import json
import os
import random
import tarfile
import tempfile
import time
import warnings
from pathlib import Path

from PIL import Image, ImageDraw

REGISTRY = """\
format: mamori-registry/1
rightsholders: [{id: bench-studio, name: Bench Studio}]
works: [{id: moss-legends, rightsholder: bench-studio, titles: [Moss Legends]}]
characters:
  - id: mossy
    work: moss-legends
    names: [Mossy Boulderkin]
    traits: [lichen beard, pebble crown]
    references: [mossy.png]
"""
WORDS = [
    "river",
    "mountain",
    "teapot",
    "bicycle",
    "lantern",
    "meadow",
    "harbour",
    "violin",
    "orchard",
    "comet",
    "owl",
    "kite",
]


def _picture(rng: random.Random, size: int) -> Image.Image:
    im = Image.new("RGB", (size, size), tuple(rng.randrange(256) for _ in range(3)))
    d = ImageDraw.Draw(im)
    for _ in range(8):
        x, y = rng.randrange(size - 12), rng.randrange(size - 12)
        box = [x, y, x + rng.randrange(6, 30), y + rng.randrange(6, 30)]
        (d.ellipse if rng.random() < 0.5 else d.rectangle)(
            box, fill=tuple(rng.randrange(256) for _ in range(3))
        )
    return im


def _jpeg(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def generate(root: Path, samples: int, shard: int, seed: int = 7) -> Path:
    rng = random.Random(seed)
    reg = root / "registry"
    reg.mkdir(parents=True)
    _picture(random.Random(1), 192).save(reg / "mossy.png")
    (reg / "registry.yaml").write_text(REGISTRY)
    data = root / "shards"
    data.mkdir()
    for s in range(0, samples, shard):
        with tarfile.open(data / f"{s // shard:05d}.tar", "w") as tf:
            for i in range(s, min(s + shard, samples)):
                key = f"{i:09d}"
                caption = " ".join(rng.sample(WORDS, 4))
                if rng.random() < 0.1:
                    caption = f"Mossy Boulderkin near a {caption}"
                meta = {
                    "key": key,
                    "url": f"https://site{rng.randrange(40)}.example/{key}.jpg",
                    "caption": caption,
                    "status": "success",
                }
                if rng.random() < 0.1:
                    meta["headers"] = {"tdm-reservation": "1"}
                for name, payload in (
                    (f"{key}.jpg", _jpeg(_picture(rng, 96))),
                    (f"{key}.txt", caption.encode()),
                    (f"{key}.json", json.dumps(meta).encode()),
                ):
                    info = tarfile.TarInfo(name)
                    info.size = len(payload)
                    tf.addfile(info, io.BytesIO(payload))
    return data


def main() -> int:
    from mamori.datasets import ScreenerSpec, scan
    from mamori.service import Mamori

    if hasattr(os, "sched_setaffinity") and len(os.sched_getaffinity(0)) > 2:
        os.sched_setaffinity(
            0, sorted(os.sched_getaffinity(0))[:2]
        )  # "on 2 cores": Ray's processes inherit it
    samples = int(os.environ.get("MAMORI_DATASET_BENCH_SAMPLES", "3000"))
    shard = int(os.environ.get("MAMORI_DATASET_BENCH_SHARD", "250"))
    with tempfile.TemporaryDirectory(prefix="mamori-dsbench-") as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        data = generate(root, samples, shard)
        db = f"sqlite:///{root / 'bench.db'}"
        svc = Mamori.open(db)
        svc.import_registry(root / "registry" / "registry.yaml")
        registry = svc.registry()
        svc.close()
        print(
            f"generated {samples} samples in {len(list(data.glob('*.tar')))} shards ({time.perf_counter() - t0:.1f}s)"
        )
        print(
            f"cores: {len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()}"
        )
        results = {}
        for engine in ("local", "ray"):
            out = root / f"out-{engine}"
            t = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                r = scan([data], out, ScreenerSpec(db), registry, engine=engine, workers=2, progress=False)
            secs = time.perf_counter() - t
            totals = r.totals
            results[engine] = samples / secs
            print(
                f"{engine:>5}: {samples / secs:8.1f} samples/s  ({secs:.1f}s wall incl. start-up; "
                f"kept {totals['kept']}, excluded {totals['excluded']}: character "
                f"{totals['excluded_by'].get('character', 0)}, opt-out {totals['excluded_by'].get('opt-out', 0)})"
            )
        same = all(
            (root / "out-local" / n).read_bytes() == (root / "out-ray" / n).read_bytes()
            for n in ("exclusions.jsonl", "kept.jsonl")
        )
        print(f"baseline local; ray x{results['ray'] / results['local']:.2f}; identical outputs: {same}")
        return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
