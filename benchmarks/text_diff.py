"""Regression harness for the prompt matcher: dump what it finds on a broad prompt set, compare two dumps.

    python -m benchmarks.text_diff dump OUT.json        # with the code to test (PYTHONPATH=<tree>/src to pick one)
    python -m benchmarks.text_diff compare A.json B.json

The prompt set (fixed seeds, the same on every run): generated prompts against a generated registry of 3,000
characters (names, misspelt / leet / split-letter / upper-case variants of registered names, ordinary prompt
words), Japanese sentences with kana names, and, when ../shared/eval-dev is present, its prompts plus variants of
its names. A speed change should compare as identical; a matching change shows exactly what it changes.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from typing import Any

from benchmarks.text_bench import (
    _WORDS,
    dev_registry_path,
    generated_prompts,
    generated_registry,
    japanese_prompts,
)
from mamori.screening.text import TextMatcher

_EXTRA = [
    "anime",
    "style",
    "portrait",
    "cinematic",
    "watercolor",
    "fluffy",
    "sunset",
    "photo",
    "realistic",
    "neon",
    "cafe",
    "uniform",
    "library",
    "coffee",
    "hello",
    "wow",
    "great",
]


def _variants(rng: random.Random, name: str) -> list[str]:
    out = [name, name.lower(), name.upper(), " ".join(name), name.replace("a", "4").replace("e", "3")]
    s = list(name)
    if len(s) > 3:
        k = rng.randrange(1, len(s))
        out.append("".join(s[:k] + [rng.choice("aeiouxyz")] + s[k + 1 :]))  # substitution
        out.append("".join(s[:k] + s[k + 1 :]))  # deletion
        out.append("".join(s[:k] + [rng.choice("aeiou")] + s[k:]))  # insertion
        out.append("".join(s[:k]) + " " + "".join(s[k:]))  # split in two
        out.append(name.replace("i", "!"))
    return out


def _mixed(rng: random.Random, names: list[str], n: int) -> list[str]:
    out = []
    for _ in range(n):
        ws = [rng.choice(_WORDS + _EXTRA) for _ in range(rng.randint(3, 10))]
        ws.insert(rng.randrange(len(ws)), rng.choice(_variants(rng, rng.choice(names))))
        out.append(" ".join(ws))
    return out


def _detections(m: TextMatcher, prompts: list[str]) -> list[list[Any]]:
    return [
        [
            p,
            [
                [x.character, x.work, x.score, [[e.rule, e.score, e.detail] for e in x.evidence]]
                for x in m.detect(p)
            ],
        ]
        for p in prompts
    ]


def dump(out: Path) -> None:
    rng = random.Random(9)
    reg = generated_registry(3000, seed=4)
    m = TextMatcher(reg)
    names = [n for c in reg.characters for n in c.names]
    prompts = (
        generated_prompts(reg, 6000, seed=21) + _mixed(rng, names, 3000) + japanese_prompts(reg, 2000, 5)
    )
    prompts += [" ".join(rng.choice(_WORDS + _EXTRA) for _ in range(rng.randint(3, 12))) for _ in range(2000)]
    res: dict[str, Any] = {"generated": _detections(m, prompts)}
    dev = dev_registry_path()
    if dev is not None:
        from mamori.registry.fileformat import load_file

        dreg = load_file(dev, check_files=False)
        dm = TextMatcher(dreg)
        dnames = [n for c in dreg.characters for n in c.names]
        dprompts = [
            json.loads(line)["text"] for line in (dev.parent / "prompts.jsonl").open(encoding="utf-8")
        ]
        res["dev"] = _detections(dm, dprompts + _mixed(rng, dnames, 3000))
    out.write_text(json.dumps(res, ensure_ascii=False), encoding="utf-8")
    total = sum(len(v) for v in res.values())
    found = sum(1 for v in res.values() for _, r in v if r)
    print(f"{total} prompts, {found} with matches -> {out}")


def compare(a: Path, b: Path, show: int = 20) -> int:
    da, db = json.loads(a.read_text(encoding="utf-8")), json.loads(b.read_text(encoding="utf-8"))
    differ = 0
    for part in da:
        rows = [(x[0], x[1], y[1]) for x, y in zip(da[part], db.get(part, []), strict=False) if x != y]
        differ += len(rows)
        print(f"{part}: {len(rows)} of {len(da[part])} prompts differ")
        for prompt, ra, rb in rows[:show]:
            print(f"  {prompt}")
            print(f"    A: {[(r[0] or r[1], r[2]) for r in ra]}")
            print(f"    B: {[(r[0] or r[1], r[2]) for r in rb]}")
    return differ


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump")
    d.add_argument("out", type=Path)
    c = sub.add_parser("compare")
    c.add_argument("a", type=Path)
    c.add_argument("b", type=Path)
    c.add_argument("--show", type=int, default=20)
    args = ap.parse_args()
    if args.cmd == "dump":
        dump(args.out)
    else:
        sys.exit(1 if compare(args.a, args.b, args.show) else 0)


if __name__ == "__main__":
    main()
