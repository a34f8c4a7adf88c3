"""The hard-negative corpus (benchmarks/hard_corpus.py) screened by the full prompt gate on the dev registry.

    python -m benchmarks.hard_negatives [--registry PATH] [--show N]

Per class: everyday prompts flagged (any match or a verdict other than allow: the false-positive rate, target
<= 1 %) and Japanese name sentences caught (target >= 98 %); then the hard sample of ../shared/eval-dev when present.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.hard_corpus import generate
from benchmarks.text_bench import dev_registry_path
from mamori.policy.decide import PolicyBook, decide
from mamori.registry.fileformat import load_file
from mamori.screening.base import Corpus
from mamori.screening.text import TextMatcher, detect_themes
from mamori.types import RequestContext, Verdict

CAUGHT = frozenset(
    {"ja_names", "romaji_names", "ja_transcribed", "ja_acting", "honorific", "ja_kanji_titled"}
)  # must be caught; every other tier must pass


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--registry", type=Path, default=dev_registry_path())
    ap.add_argument("--show", type=int, default=5, help="failures shown per class")
    ap.add_argument(
        "--seed", type=int, default=13, help="the corpus generator's seed (other seeds: other prompts)"
    )
    args = ap.parse_args(argv if argv is not None else [])
    if args.registry is None:
        print("hard negatives: no dev registry found; skipped")
        return 0
    reg = load_file(args.registry, check_files=False)
    matcher = TextMatcher.build(Corpus(registry=reg))
    book = PolicyBook.from_registry(reg)
    ctx = RequestContext("bench-platform", "JP", datetime(2026, 6, 1, tzinfo=UTC))
    corpus = generate(reg, seed=args.seed)
    stats: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    fails: dict[str, list[str]] = defaultdict(list)
    t0 = time.process_time()
    for p in corpus:
        matches = matcher.detect(p.text)
        d = decide(matches, detect_themes(p.text), ctx, book)
        if p.refs:
            ok = bool(set(p.refs) & {m.character for m in matches})
        else:
            ok = not matches and d.verdict == Verdict.ALLOW
        stats[p.tier][0] += ok
        stats[p.tier][1] += 1
        if not ok:
            got = ",".join(sorted({m.character or m.work for m in matches})) or "-"
            fails[p.tier].append(f"{p.text}  [{d.verdict}: {got}]")
    cpu = time.process_time() - t0
    neg = [0, 0]
    for tier in sorted(stats):
        good, n = stats[tier]
        caught = tier in CAUGHT
        kind = "caught" if caught else "flagged"
        bad = good if caught else n - good
        print(f"  {tier:12s} {kind} {bad:5d}/{n:<5d} {100 * bad / n:5.1f}%")
        for f in fails[tier][: args.show]:
            print(f"      {'missed' if caught else 'flagged'}: {f}")
        if not caught:
            neg[0] += n - good
            neg[1] += n
    ja = stats.get("ja_names", [0, 0])
    ro = stats.get("romaji_names", [0, 0])
    tr = stats.get("ja_transcribed", [0, 0])
    print(
        f"hard negatives: {len(corpus)} prompts; everyday false positives {neg[0]}/{neg[1]} "
        f"({100 * neg[0] / max(neg[1], 1):.2f} %, target <= 1 %); Japanese names caught {ja[0]}/{ja[1]} "
        f"({100 * ja[0] / max(ja[1], 1):.1f} %, target >= 98 %); katakana names typed in romaji caught "
        f"{ro[0]}/{ro[1]}; Latin-only names in kana caught {tr[0]}/{tr[1]}; "
        f"{len(corpus) / max(cpu, 1e-9):,.0f} prompts/s"
    )
    sample = args.registry.parent / "hard-prompts.jsonl"
    labels = args.registry.parent / "hard-labels.jsonl"
    if sample.is_file() and labels.is_file():
        lab = {r["id"]: r for r in map(json.loads, labels.read_text(encoding="utf-8").splitlines())}
        flagged = caught = n_b = n_v = 0
        for r in map(json.loads, sample.read_text(encoding="utf-8").splitlines()):
            matches = matcher.detect(r["text"])
            d = decide(matches, detect_themes(r["text"]), ctx, book)
            if lab[r["id"]]["tier"] == "benign":
                n_b += 1
                flagged += bool(matches) or d.verdict != Verdict.ALLOW
            else:
                n_v += 1
                caught += bool(set(lab[r["id"]]["refs"]) & {m.character for m in matches})
        print(f"eval-dev hard sample: everyday flagged {flagged}/{n_b}, Japanese caught {caught}/{n_v}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
