"""Registry at scale: `mamori registry validate` and `import` of a generated 60,000-character registry (~26 MB of
YAML, the same as JSON), each in a fresh process, with wall and CPU seconds and peak RSS, beside a baseline
measured in the same run: a process that only reads the file and decodes it as JSON (the floor any validator
pays). Targets (issue 17): validate and import each <= 10 s and <= 300 MB.

    python -m benchmarks.registry_scale [--chars 60000] [--keep DIR]

CPU seconds are the robust figure on a busy shared machine; wall seconds are what a user waits.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

TARGET_SECONDS = 10.0
TARGET_MB = 300.0

# Run in a child: one step, then its own figures (RUSAGE_SELF: this process only) as the last line.
_CHILD = """
import json, resource, sys, time
t0 = time.perf_counter()
step, path, db = sys.argv[1], sys.argv[2], sys.argv[3]
if step == "baseline":
    json.loads(open(path, "rb").read())
else:
    from mamori.cli.main import app
    args = ["registry", step, path] + (["--db", db] if step == "import" else [])
    try:
        app(args, standalone_mode=False)
    except SystemExit as exc:
        if exc.code:
            raise
wall = time.perf_counter() - t0
ru = resource.getrusage(resource.RUSAGE_SELF)
# VmHWM: this program's own peak (ru_maxrss would include the parent's memory copied at fork, before exec)
hwm = next(int(x.split()[1]) for x in open("/proc/self/status") if x.startswith("VmHWM:"))
print(json.dumps({"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "rss_mb": hwm / 1024}))
"""


def write_registry(folder: Path, chars: int) -> tuple[Path, Path]:
    import yaml

    from benchmarks.text_bench import generated_registry
    from mamori.registry.fileformat import to_document

    doc = to_document(generated_registry(chars))
    as_json = folder / f"registry-{chars}.json"
    as_json.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    as_yaml = folder / f"registry-{chars}.yaml"
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    as_yaml.write_text(yaml.dump(doc, Dumper=dumper, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return as_yaml, as_json


def run_step(step: str, path: Path, db: str) -> dict[str, Any]:
    env = {**os.environ, "MAMORI_INDEX_CACHE": str(path.parent / "index")}
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, step, str(path), db],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{step} {path.name} failed:\n{proc.stderr[-2000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--chars", type=int, default=int(os.environ.get("MAMORI_BENCH_REGISTRY_CHARS", "60000")))
    ap.add_argument("--keep", type=Path, default=None, help="write the files here and keep them")
    args = ap.parse_args(argv if argv is not None else [])
    with tempfile.TemporaryDirectory(prefix="mamori-regscale-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        as_yaml, as_json = write_registry(folder, args.chars)
        print(
            f"registry of {args.chars:,} characters: {as_yaml.stat().st_size / 1e6:.1f} MB YAML, "
            f"{as_json.stat().st_size / 1e6:.1f} MB JSON"
        )
        rows = [
            ("baseline: read + json.loads", run_step("baseline", as_json, "")),
            ("registry validate (JSON)", run_step("validate", as_json, "")),
            ("registry validate (YAML)", run_step("validate", as_yaml, "")),
            (
                "registry import (YAML, SQLite)",
                run_step("import", as_yaml, f"sqlite:///{folder / 'bench.db'}"),
            ),
            (
                "registry re-import (unchanged)",
                run_step("import", as_yaml, f"sqlite:///{folder / 'bench.db'}"),
            ),
        ]
    base = rows[0][1]
    print(f"{'step':34} {'wall s':>8} {'cpu s':>8} {'peak MB':>8} {'cpu x base':>10}  target")
    failed = False
    for name, r in rows:
        # judged on CPU seconds: on an idle machine wall ~ CPU; on a shared one wall also counts others' work
        ok = r["cpu"] <= TARGET_SECONDS and r["rss_mb"] <= TARGET_MB
        verdict = "" if name.startswith("baseline") else ("ok" if ok else "OVER")
        failed |= verdict == "OVER"
        print(
            f"{name:34} {r['wall']:8.2f} {r['cpu']:8.2f} {r['rss_mb']:8.0f} "
            f"{r['cpu'] / max(base['cpu'], 1e-9):10.1f}  {verdict}"
        )
    print(f"targets: <= {TARGET_SECONDS:.0f} CPU s and <= {TARGET_MB:.0f} MB peak per step (issue 17)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
