"""Visual gate speed, each figure beside a PDQ-only baseline or the previous path measured in the same run:
images per CPU-second on one core per kind of input (decode included), the reference build and a rebuild over the
signal cache, a 20 s 1080p clip against 1,000 references, and 1,000,000 PDQ hashes in FAISS.

    python -m benchmarks.visual_speed            # everything
    python -m benchmarks.visual_speed --video    # the build and the video lines only
    python -m benchmarks.visual_speed --memory 160   # the gate memory line only, with 160 references

Noise: wall-clock figures on a shared machine only ever grow; CPU-second figures are steadier.
"""

from __future__ import annotations

import io
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from benchmarks.visual_bench import TESTDATA, big_refs, references, rgba
from mamori.screening.base import Corpus, ReferenceImage
from mamori.screening.image import synth
from mamori.screening.image.examples import example_registry
from mamori.screening.image.fusion import VisualGate
from mamori.screening.image.loading import load_image
from mamori.screening.image.pdq import PdqDetector


def speed_inputs() -> dict[str, bytes]:
    """Encoded inputs for the speed lines: a re-encoded copy of a registered 16:9 frame (JPEG), a registered
    sprite drawn into a scene (PNG), and a scene with no registered character (PNG)."""
    import cv2

    def enc(px: np.ndarray, fmt: str) -> bytes:
        buf = io.BytesIO()
        Image.fromarray(px).save(buf, format=fmt, **({"quality": 90} if fmt == "JPEG" else {}))
        return buf.getvalue()

    frame = load_image(TESTDATA / "sintel-frames/frame_0016.png")
    return {
        "copy (JPEG, 1024x575)": enc(cv2.resize(frame, (1024, 575), interpolation=cv2.INTER_LINEAR), "JPEG"),
        "character in scene (PNG)": enc(
            synth.paste(synth.draw_scene(3, (1024, 768)), rgba("pepper_run_01"), 0.5), "PNG"
        ),
        "no character (PNG)": enc(synth.draw_scene(11, (1024, 768)), "PNG"),
    }


def speed_images(
    gate: VisualGate, data: bytes, seconds: float = 2.0
) -> tuple[float, float, dict[str, float]]:
    """(images per CPU-second, images per wall-second, ms per stage (decode: CPU; signals: wall)) for decode + the gate's cascade on one
    encoded image, on one core: OpenCV and FAISS limited to one thread while it runs."""
    import cv2

    threads = cv2.getNumThreads()
    cv2.setNumThreads(1)
    try:
        import faiss

        faiss.omp_set_num_threads(1)
    except ImportError:  # pragma: no cover - faiss is a dependency
        pass
    try:
        stages: dict[str, float] = {}
        n, w0, c0 = 0, time.perf_counter(), time.process_time()
        while time.perf_counter() - w0 < seconds or n < 3:
            d0 = time.process_time()
            px = load_image(data)
            stages["decode"] = stages.get("decode", 0.0) + time.process_time() - d0
            sc = gate.screen(px)
            for k, v in sc.seconds.items():
                stages[k] = stages.get(k, 0.0) + v
            n += 1
        cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    finally:
        cv2.setNumThreads(threads)
    return n / cpu, n / wall, {k: 1000 * v / n for k, v in stages.items()}


def speed_build(
    base: list[ReferenceImage], n: int
) -> tuple[float, float, dict[str, float], float, int, VisualGate]:
    """(build wall s, build CPU s, wall s per detector, rebuild s over the same signal cache, signals recomputed by
    the rebuild, gate):
    `n` references (drawing the synthetic ones is not timed), signals cached by content hash."""
    from mamori.screening.image.common import InMemoryCache

    refs = big_refs(base, n)
    cache = InMemoryCache()
    t0, c0 = time.perf_counter(), time.process_time()
    gate = VisualGate(Corpus(example_registry(), refs, cache=cache))
    build_s, build_cpu = time.perf_counter() - t0, time.process_time() - c0
    puts = cache.puts
    t0 = time.perf_counter()
    again = VisualGate(Corpus(example_registry(), refs, cache=cache))
    REBUILD_SECONDS.clear()
    REBUILD_SECONDS.update(again.build_seconds)
    return build_s, build_cpu, dict(gate.build_seconds), time.perf_counter() - t0, cache.puts - puts, gate


REBUILD_SECONDS: dict[str, float] = {}  # wall s per detector of the last speed_build's rebuild


VIDEO_CONFIGS = {  # label -> VideoLimits overrides; the first is the baseline of the ratios
    "no reuse": {"reuse_keypoints": False},
    "keypoint reuse": {"reuse_faces": False},
    "keypoint + face reuse": {},
}


def speed_video(gate: VisualGate) -> tuple[float, dict[str, tuple[float, float, Any]]]:
    """(clip generation s, label -> (best wall s, best CPU s, result)) for each of `VIDEO_CONFIGS` on the same
    clip in the same run: three alternating rounds, best of each (a shared machine only ever adds time). CPU
    seconds are the process's (decode threads included)."""
    from mamori.screening.media import VideoLimits
    from mamori.screening.video import screen_video
    from mamori.screening.video.synth import make_clip

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "clip1080.mp4"
        t0 = time.perf_counter()
        make_clip(
            p,
            duration=20.0,
            fps=30,
            size=(1920, 1080),
            sprite_rgba=rgba("pepper_idle_01"),
            visible=[(4.0, 9.0), (14.0, 16.0)],
            height_frac=0.5,
            gop=60,
        )
        make_s = time.perf_counter() - t0
        walls: dict[str, list[float]] = {k: [] for k in VIDEO_CONFIGS}
        cpus: dict[str, list[float]] = {k: [] for k in VIDEO_CONFIGS}
        results: dict[str, Any] = {}
        for _ in range(3):
            for label, over in VIDEO_CONFIGS.items():
                t0, c0 = time.perf_counter(), time.process_time()
                results[label] = screen_video(p, gate, VideoLimits(**over))
                walls[label].append(time.perf_counter() - t0)
                cpus[label].append(time.process_time() - c0)
        return make_s, {k: (min(walls[k]), min(cpus[k]), results[k]) for k in VIDEO_CONFIGS}


MEMORY_REFS = 120  # references in the memory line


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def speed_faiss(n: int = 1_000_000) -> dict[str, tuple[float, float, float, float]]:
    """kind -> (ms per query of 8 dihedral hashes at d <= 31, add s, index MB (RSS growth), recall of near-
    duplicates 16-31 bits away); same codes and queries for the flat (exact) baseline and multi-hash."""
    from mamori.index import MULTIHASH, BinaryIndex

    rng = np.random.default_rng(0)
    codes = rng.integers(0, 256, (n, 32), dtype=np.uint8)
    near = []
    for k in range(16, 32):  # near-duplicates 16..31 bits away (0..15 are found by construction)
        bits = np.unpackbits(codes[rng.integers(n)])
        bits[rng.choice(256, k, replace=False)] ^= 1
        near.append(np.packbits(bits))
    out = {}
    for kind, mh in (("flat", None), (f"multihash{MULTIHASH}", MULTIHASH)):
        before = _rss_mb()
        idx = BinaryIndex(256, multihash=mh)
        t0 = time.perf_counter()
        idx.add(codes)
        add_s = time.perf_counter() - t0
        mb = _rss_mb() - before
        q = codes[rng.integers(0, n, 8)]  # one query = its 8 dihedral hashes
        idx.range_search(q, 31)
        reps = 5 if mh is None else 50
        t0 = time.perf_counter()
        for _ in range(reps):
            idx.range_search(q, 31)
        ms = (time.perf_counter() - t0) / reps * 1000
        hits = {h.query for h in idx.range_search(np.stack(near), 31)}
        out[kind] = (ms, add_s, mb, len(hits) / len(near))
        del idx
    return out


def speed_memory(n: int = MEMORY_REFS) -> tuple[float, float, float, float]:
    """Memory of a gate built the way the service builds it (references as encoded bytes, decoded on demand), in
    MB of RSS growth: (after the build with the pixels still held, after `release_pixels` alone, after that and
    `return_free_memory`, encoded MB). Run in a fresh process (`speed_memory_fresh`): RSS after other work says
    little. The references are `n` synthetic drawn characters at 1024x768 (drawing and encoding not counted)."""
    import gc
    import hashlib

    from mamori.screening.image.common import InMemoryCache
    from mamori.screening.image.loading import LazyPixels, release_pixels
    from mamori.service import return_free_memory

    datas = []
    for i in range(n):
        buf = io.BytesIO()
        Image.fromarray(synth.flatten(synth.draw_character(7000 + i, (1024, 768)))).save(buf, "PNG")
        datas.append(buf.getvalue())
    encoded = sum(map(len, datas)) / 2**20
    refs = [
        ReferenceImage(f"r{i}", f"c{i // 4}", "w", hashlib.sha256(d).hexdigest(), LazyPixels(d))
        for i, d in enumerate(datas)
    ]
    del datas
    gc.collect()
    return_free_memory()
    r0 = _rss_mb()
    gate = VisualGate(Corpus(example_registry(), refs, cache=InMemoryCache()))
    gc.collect()
    held = _rss_mb() - r0
    release_pixels(refs)
    gc.collect()
    released = _rss_mb() - r0
    return_free_memory()
    trimmed = _rss_mb() - r0
    assert gate.reference_count == n
    return held, released, trimmed, encoded


def speed_memory_fresh(n: int = MEMORY_REFS) -> tuple[float, float, float, float]:
    """`speed_memory` in a new interpreter."""
    return tuple(_in_fresh_process(f"speed_memory({n})"))  # type: ignore[return-value]


def report_memory(n: int = MEMORY_REFS) -> None:
    held, released, trimmed, encoded = speed_memory_fresh(n)
    print(
        f"gate memory, {n} references of 1024x768 ({encoded:.0f} MB encoded), built as the service builds it, "
        f"RSS growth in a fresh process: pixels held {held:.0f} MB ({held / n:.2f} MB each), released "
        f"{released:.0f} MB, released + heap trimmed {trimmed:.0f} MB ({trimmed / n:.2f} MB each: what a built "
        "gate keeps)"
    )


def speed_faiss_fresh() -> dict[str, tuple[float, float, float, float]]:
    """`speed_faiss` in a new interpreter (one FAISS thread), as a service process that builds its index first."""
    figures = _in_fresh_process("speed_faiss()", "import faiss; faiss.omp_set_num_threads(1)")
    return {k: tuple(v) for k, v in figures.items()}  # type: ignore[misc]


def _in_fresh_process(call: str, setup: str = "") -> Any:
    """The JSON value of `call` (a function of this module) evaluated in a new interpreter: figures that this
    process's heap, after other work, would distort."""
    import json
    import subprocess
    import sys

    code = "; ".join(
        filter(
            None,
            ["import json", setup, "import benchmarks.visual_speed as m", f"print(json.dumps(m.{call}))"],
        )
    )
    root = str(Path(__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def signal_floor(data: bytes, rounds: int = 5) -> dict[str, float]:
    """CPU ms, one core, best of `rounds`, of the parts every picture without a copy match must pay, alone: its
    decode, the drawn-face scan (`faces.detect_faces`, the only packaged detector for a character drawn anew) and
    one SIFT extraction of the query at the local signal's scout and full sizes (the edited copies' evidence:
    crops, pastes into a scene). Their sum bounds the image rate of any cascade that keeps both signals."""
    import cv2

    from mamori.screening.image import faces
    from mamori.screening.image.local import QUERY_FEATURES, QUERY_MAX_SIDE, SCOUT_SIDE
    from mamori.screening.image.local_features import extract, gray_of, resize_to

    threads = cv2.getNumThreads()
    cv2.setNumThreads(1)
    try:
        px = load_image(data)
        gray = gray_of(px)
        parts = {
            "decode": lambda: load_image(data),
            "face scan": lambda: faces.detect_faces(px),
            f"SIFT at {SCOUT_SIDE}": lambda: extract(resize_to(gray, SCOUT_SIDE, 1.0)[0], QUERY_FEATURES),
            f"SIFT at {QUERY_MAX_SIDE}": lambda: extract(
                resize_to(gray, QUERY_MAX_SIDE, 1.0)[0], QUERY_FEATURES
            ),
        }
        out = {}
        for name, call in parts.items():
            best = float("inf")
            for _ in range(rounds):
                t0 = time.process_time()
                call()
                best = min(best, time.process_time() - t0)
            out[name] = 1000 * best
        return out
    finally:
        cv2.setNumThreads(threads)


def report(refs: list[ReferenceImage], gate: VisualGate, baseline: VisualGate) -> None:
    print("images, 1024x768 incl. decode, one core (OpenCV/FAISS 1 thread), same run:")
    inputs = speed_inputs()
    for label, data in inputs.items():
        cps, wps, stages = speed_images(gate, data)
        bcps, bwps, _ = speed_images(baseline, data)
        print(
            f"  {label:<26} gate {cps:6.1f}/s per CPU-s ({wps:6.1f}/s wall) | PDQ-only {bcps:6.1f}/s per CPU-s "
            f"({bwps:6.1f}/s wall) | gate ms (decode CPU, signals wall): "
            + ", ".join(f"{k} {v:.1f}" for k, v in stages.items())
        )
    floor = signal_floor(inputs["no character (PNG)"])
    least = floor["decode"] + floor["face scan"] + min(v for k, v in floor.items() if k.startswith("SIFT"))
    print(
        "  floor, no character (PNG), CPU ms alone: "
        + ", ".join(f"{k} {v:.1f}" for k, v in floor.items())
        + f": decode + face scan + the smaller SIFT = {least:.0f} ms, at most {1000 / least:.1f} images per CPU-s "
        f"for a cascade that keeps both signals (the 50/s target leaves 20 ms)"
    )
    report_video(report_build(refs, 1000))
    report_memory()
    # Twice: in a fresh process (an index built into new memory at a service's start) and here, after the build and
    # the videos (measured: the multi-hash tables are several times slower on this process's reused, fragmented heap)
    for where, figures in (
        ("fresh process", speed_faiss_fresh()),
        ("after this run's other work", speed_faiss()),
    ):
        for kind, (ms, add_s, mb, recall) in figures.items():
            print(
                f"FAISS {kind} range search (8 dihedral hashes, d<=31) over 1,000,000 PDQ hashes, {where}: "
                f"{ms:.2f} ms/query, add {add_s:.1f} s, ~{mb:.0f} MB, recall at 16-31 bits {recall:.0%}"
            )


def report_video(big: VisualGate) -> None:
    make_s, runs = speed_video(big)
    labels = list(runs)
    wall, cpu, res = runs[labels[-1]]
    print(
        f"20 s 1080p30 H.264 clip, 1000 refs: screened in {wall:.2f} s wall, {cpu:.2f} CPU-s ({20.0 / wall:.1f}x "
        f"real time; cpus={os.cpu_count()}), decoded {res.frames_decoded}, sampled {res.frames_sampled}, "
        f"analysed {res.frames_analysed} ({res.keypoint_frames_partial} with reused keypoints and faces), "
        f"reused {res.frames_reused}; clip generation {make_s:.1f} s"
    )

    def segs(r: Any) -> list[tuple[str | None, list[tuple[float, float]]]]:
        return [(m.character, [(s.start, s.end) for s in m.segments]) for m in r.matches]

    base_wall, base_cpu, base = runs[labels[0]]
    for label in labels:
        w, c, r = runs[label]
        print(
            f"  {label:<22} {w:5.2f} s wall, {c:5.2f} CPU-s (CPU {base_cpu / c:.2f}x, wall {base_wall / w:.2f}x "
            f"vs {labels[0]}; best of 3 each, alternating); characters and segments as {labels[0]}: "
            f"{segs(r) == segs(base)}"
        )
    # Reused keypoints approximate a whole extraction; on a borderline frame (a sprite's last seconds, ~20
    # inliers) the assembled set can verify a few inliers fewer, so a segment may end one sample earlier.
    for m in res.matches:
        print(
            f"  {m.character}: score {m.score:.2f}, segments {[(s.start, s.end, round(s.score, 2)) for s in m.segments]}"
        )


def report_build(refs: list[ReferenceImage], n: int) -> VisualGate:
    build_s, build_cpu, per_det, rebuild_s, recomputed, big = speed_build(refs, n)
    print(
        f"build with {n} references: {build_s:.1f} s wall, {build_cpu:.1f} CPU-s ("
        + ", ".join(f"{k} {v:.1f} s" for k, v in per_det.items())
        + f"); rebuild over the same signal cache {rebuild_s:.1f} s ("
        + ", ".join(f"{k} {v:.2f} s" for k, v in REBUILD_SECONDS.items())
        + f"), {recomputed} signals recomputed"
    )
    return big


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--build", type=int, default=0, help="only the build/rebuild line, with this many references"
    )
    ap.add_argument(
        "--video",
        action="store_true",
        help="only the video lines (after the 1,000-reference build they screen against)",
    )
    ap.add_argument(
        "--memory", type=int, default=0, help="only the gate memory line, with this many references"
    )
    args = ap.parse_args(argv)
    if args.memory:
        report_memory(args.memory)
        return 0
    if not TESTDATA.is_dir():
        print(f"test data not found at {TESTDATA}")
        return 2
    refs = references()
    if args.build:
        report_build(refs, args.build)
        return 0
    if args.video:
        report_video(report_build(refs, 1000))
        return 0
    corpus = Corpus(example_registry(), refs)
    report(refs, VisualGate(corpus), VisualGate(corpus, detector_classes=(PdqDetector,)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
