"""Prompt-gate accuracy on ../shared/eval-dev, driven exactly as outside benchmarks drive it: through the CLI.

Runs `mamori registry import` and `mamori screen prompts` into a fresh SQLite store, then the set's own scorer.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def find_eval_dev() -> Path | None:
    for c in (REPO.parent / "shared" / "eval-dev", Path("/work/shared/eval-dev")):
        if (c / "prompts.jsonl").is_file():
            return c
    return None


def main() -> int:
    dev = find_eval_dev()
    if dev is None:
        print("prompt accuracy: ../shared/eval-dev not found; skipped")
        return 0
    mamori = [sys.executable, "-m", "mamori.cli.main"]
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{tmp}/bench.db"
        out = Path(tmp) / "decisions.jsonl"
        subprocess.run([*mamori, "registry", "import", str(dev / "registry.yaml"), "--db", db], check=True)
        subprocess.run(
            [*mamori, "screen", "prompts", str(dev / "prompts.jsonl"), "--out", str(out), "--db", db],
            check=True,
        )
        print(f"== prompt gate accuracy on {dev} (score.py) ==")
        subprocess.run(
            [sys.executable, str(dev / "score.py"), str(dev / "labels.jsonl"), str(out)], check=True
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
