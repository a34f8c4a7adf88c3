"""`make bench`: every benchmark, each printing its figures beside a baseline measured in the same run.

Select some with MAMORI_BENCH=prompt_accuracy,text_bench,... (default: all that exist).
"""

from __future__ import annotations

import importlib
import os
import sys
import time

SUITES = (
    "prompt_accuracy",
    "hard_negatives",
    "text_bench",
    "visual_bench",
    "ocr_bench",
    "video_segments",
    "visual_speed",
    "api_bench",
    "dataset_bench",
    "audio_bench",
    "registry_scale",
    "tlog_bench",
)


def main() -> int:
    wanted = [s for s in os.environ.get("MAMORI_BENCH", "").split(",") if s] or list(SUITES)
    failed = []
    for name in wanted:
        try:
            module = importlib.import_module(f"benchmarks.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"benchmarks.{name}":
                print(f"[{name}] not present; skipped")
                continue
            raise
        print(f"\n######## {name} ########", flush=True)
        t0 = time.perf_counter()
        rc = module.main()
        print(f"[{name}] finished in {time.perf_counter() - t0:.1f}s", flush=True)
        if rc:
            failed.append(name)
    if failed:
        print("failed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
