"""Prompt-matcher throughput: TextMatcher vs a naive substring baseline, same run, one core.

    python -m benchmarks.text_bench [--chars 10000] [--prompts 5000] [--dev PATH]

Two registries, each screened with generated prompts (a third naming a registered character, a tenth a
misspelt name, a tenth with Japanese), printing prompts/s and p50/p99 latency per prompt for TextMatcher and a
naive substring baseline side by side, and the ratio; a bare Aho-Corasick pass over the matcher's own automata
and how many times slower the matcher is than it; then the full gate on fresh prompts (what the service runs per
prompt before recording it, Mamori.decide_prompt: storable text, match with set-aside names, themes, the policy
decision: the figure issue #13's "the gate stays >= 20,000 prompts/s" reads), and Japanese sentences (kana names
inside unspaced text, the case the mixed prompts barely cover), through the matcher and through the whole gate:

- the dev registry (../shared/eval-dev/registry.yaml or /work/shared/eval-dev/registry.yaml, if present);
- a generated registry of N characters (synthetic pronounceable names, 10 names each including kana).

Rates are on the CPU time of this process (robust to a busy shared machine). When the compiled build of the
matcher (mamori.screening.text.native, `make native`) is active, the generated registry is also measured in
pure Python (a child process with MAMORI_PURE_PYTHON=1, same prompts) and the ratio printed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from mamori.policy.decide import PolicyBook, decide
from mamori.registry.model import Character, Money, Policy, Registry, Rightsholder, Work
from mamori.screening.base import Corpus
from mamori.screening.text import TextMatcher, detect_themes
from mamori.textsafe import safe_text
from mamori.types import RequestContext

_SYL = [
    "ka",
    "ki",
    "ku",
    "ke",
    "ko",
    "sa",
    "shi",
    "su",
    "se",
    "so",
    "ta",
    "chi",
    "tsu",
    "te",
    "to",
    "na",
    "ni",
    "nu",
    "ne",
    "no",
    "ha",
    "hi",
    "fu",
    "he",
    "ho",
    "ma",
    "mi",
    "mu",
    "me",
    "mo",
    "ya",
    "yu",
    "yo",
    "ra",
    "ri",
    "ru",
    "re",
    "ro",
    "wa",
    "ga",
    "gi",
    "gu",
    "ge",
    "go",
    "za",
    "ji",
    "zu",
    "ze",
    "zo",
    "ba",
    "bi",
    "bu",
    "be",
    "bo",
    "pa",
    "pi",
    "pu",
    "pe",
    "po",
]
_KANA = [
    "カ",
    "キ",
    "ク",
    "ケ",
    "コ",
    "サ",
    "シ",
    "ス",
    "セ",
    "ソ",
    "タ",
    "チ",
    "ツ",
    "テ",
    "ト",
    "ナ",
    "ニ",
    "ヌ",
    "ネ",
    "ノ",
    "ハ",
    "ヒ",
    "フ",
    "ヘ",
    "ホ",
    "マ",
    "ミ",
    "ム",
    "メ",
    "モ",
    "ヤ",
    "ユ",
    "ヨ",
    "ラ",
    "リ",
    "ル",
    "レ",
    "ロ",
    "ワ",
    "ガ",
    "ギ",
    "グ",
    "ゲ",
    "ゴ",
    "ザ",
    "ジ",
    "ズ",
    "ゼ",
    "ゾ",
    "バ",
    "ビ",
    "ブ",
    "ベ",
    "ボ",
    "パ",
    "ピ",
    "プ",
    "ペ",
    "ポ",
]
_EN_SYL = [
    "bar",
    "bel",
    "cor",
    "dax",
    "el",
    "fen",
    "gor",
    "hal",
    "ith",
    "jor",
    "kel",
    "lor",
    "mar",
    "nor",
    "ox",
    "pel",
    "quin",
    "rath",
    "sel",
    "tor",
    "ul",
    "vex",
    "wyn",
    "xan",
    "yor",
    "zel",
]
_WORDS = [
    "a",
    "girl",
    "a",
    "boy",
    "walking",
    "dog",
    "park",
    "city",
    "night",
    "rain",
    "neon",
    "sunset",
    "portrait",
    "of",
    "in",
    "the",
    "with",
    "on",
    "under",
    "cat",
    "tree",
    "castle",
    "sword",
    "red",
    "blue",
    "green",
    "hair",
    "eyes",
    "smiling",
    "running",
    "flying",
    "watercolor",
    "oil",
    "painting",
    "anime",
    "style",
    "photo",
    "realistic",
    "cinematic",
    "lighting",
    "forest",
    "river",
    "mountain",
    "ocean",
    "beach",
    "school",
    "uniform",
    "robot",
    "ship",
    "space",
    "station",
    "dragon",
    "flower",
    "garden",
    "market",
    "street",
    "cafe",
    "coffee",
    "book",
    "library",
    "old",
    "man",
    "woman",
    "child",
]
_TRAITS = [
    "silver hair",
    "red eyes",
    "black cloak",
    "golden crown",
    "twin tails",
    "eye patch",
    "long scarf",
    "robot arm",
    "star hairpin",
    "wolf ears",
    "fire sword",
    "ice staff",
    "green jacket",
    "white cape",
    "horned helmet",
    "blue ribbon",
    "scar on cheek",
    "giant hammer",
    "pink dress",
    "feathered hat",
]


def _syllables(rng: random.Random, n: int) -> tuple[str, str]:
    idx = [rng.randrange(len(_SYL)) for _ in range(n)]
    return "".join(_SYL[i] for i in idx).capitalize(), "".join(_KANA[i] for i in idx)


def generated_registry(n_chars: int, seed: int = 1) -> Registry:
    rng = random.Random(seed)
    works, chars = [], []
    for w in range(max(1, n_chars // 5)):
        t, tk = _syllables(rng, 3)
        works.append(Work(f"w{w}", "rh", (f"{t} {rng.choice(['Saga', 'Quest', 'Chronicle'])}", tk)))
    for c in range(n_chars):
        names = []
        for _ in range(3):
            given, gk = _syllables(rng, rng.randint(2, 3))
            fam, fk = _syllables(rng, rng.randint(2, 3))
            names += [f"{given} {fam}", f"{gk}・{fk}"]
        for _ in range(4):
            names.append("".join(rng.choice(_EN_SYL + _SYL) for _ in range(3)).capitalize())
        traits = tuple(rng.sample(_TRAITS, 5)) + (f"{_syllables(rng, 3)[0].lower()} amulet",)
        chars.append(Character(f"c{c}", f"w{c // 5}", tuple(names[:10]), traits, policy=_policy(c)))
    return Registry(rightsholders=(Rightsholder("rh", "Bench"),), works=tuple(works), characters=tuple(chars))


def _policy(c: int) -> Policy | None:
    """A mix of terms, as a real registry has: a third licensed with conditions, some tracked, the rest blocked."""
    if c % 3 == 0:
        return Policy(
            "license",
            themes_forbidden=("violence", "sexual", "political"),
            territories=("JP", "US"),
            licensees=("bench-platform",),
            fee_per_generation=Money(Decimal("0.05"), "USD"),
            revenue_share=Decimal("0.3"),
            attribution=f"(c) character {c}",
        )
    if c % 7 == 0:
        return Policy("track")
    return None


def generated_prompts(reg: Registry, n: int, seed: int = 2) -> list[str]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        words = [rng.choice(_WORDS) for _ in range(rng.randint(6, 16))]
        r = i % 10
        if r < 3:
            c = rng.choice(reg.characters)
            words.insert(rng.randrange(len(words)), rng.choice(c.names))
        elif r == 3:
            c = rng.choice(reg.characters)
            nm = list(rng.choice([x for x in c.names if x.isascii()] or list(c.names)))
            k = rng.randrange(1, len(nm))
            nm[k] = "x"
            words.insert(0, "".join(nm))
        elif r == 4:
            words.append("で遊ぶ少女、アニメ風")
        out.append(" ".join(words))
    return out


_JA_BEFORE = ["屋上でギターを弾く", "夕焼けの中の", "宇宙ステーションにいる", "雨の街角に立つ", ""]
_JA_AFTER = [
    "が山の頂上に立つ空撮",
    "が公園で犬を散歩させている",
    "が雨の中で踊る",
    "と猫が海辺で遊ぶ",
    "の肖像画、水彩",
    "が夜の街を歩く、映画風",
    "が森で剣を振る",
    "が図書館で本を読む",
]
_JA_SUBJECTS = ["少女", "猫", "ロボット", "ドラゴン", "魔法使い", "騎士"]


def japanese_prompts(reg: Registry, n: int, seed: int = 4) -> list[str]:
    """Japanese sentences (no spaces): a quarter name a registered character in kana, a quarter an unregistered
    kana name, half none."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        k = i % 4
        if k == 0:
            c = rng.choice(reg.characters)
            subject = rng.choice([x for x in c.names if not x.isascii()] or list(c.names))
        elif k == 1:
            subject = "".join(rng.choice(_KANA) for _ in range(rng.randint(3, 5)))
        else:
            subject = rng.choice(_JA_SUBJECTS)
        out.append(
            rng.choice(_JA_BEFORE) + subject + rng.choice(_JA_AFTER) + ("、アニメ風" if k == 3 else "")
        )
    return out


def _measure(fn: Any, prompts: list[str]) -> tuple[float, float, float]:
    """prompts/s on CPU time of this process (robust to a busy shared machine), p50/p99 wall latency."""
    lat = []
    c0 = time.process_time()
    for p in prompts:
        s = time.perf_counter()
        fn(p)
        lat.append(time.perf_counter() - s)
    total = time.process_time() - c0
    lat.sort()
    return (
        len(prompts) / max(total, 1e-9),
        statistics.median(lat) * 1e6,
        lat[int(0.99 * (len(lat) - 1))] * 1e6,
    )


def dev_registry_path() -> Path | None:
    repo = Path(__file__).resolve().parent.parent
    for c in (
        repo.parent / "shared" / "eval-dev" / "registry.yaml",
        Path("/work/shared/eval-dev/registry.yaml"),
    ):
        if c.is_file():
            return c
    return None


def bench_registry(
    reg: Registry, label: str, report: Any, n_prompts: int, baseline_prompts: int, build_s: float = 0.0
) -> dict[str, float]:
    """Screen generated prompts against one registry: TextMatcher beside the naive baseline."""
    t0 = time.perf_counter()
    matcher = TextMatcher.build(Corpus(registry=reg))
    build_s += time.perf_counter() - t0
    n_names = sum(len(c.names) for c in reg.characters)
    prompts = generated_prompts(reg, n_prompts)
    for p in prompts[:200]:  # warm-up: pykakasi load, first-use caches
        matcher.detect(p)
    rate, p50, p99 = _measure(matcher.detect, prompts)
    book = PolicyBook.from_registry(reg)
    ctx = RequestContext("bench-platform", "JP", datetime(2026, 6, 1, tzinfo=UTC))

    def gate(p: str) -> object:
        """What the service does per prompt before recording it (Mamori.decide_prompt): the text made storable,
        the match with the evidence of names read in another sense (TextMatcher.screen), themes, the policy
        decision, the set-aside names' reasons added to it."""
        safe = safe_text(p)
        matches, aside = matcher.screen(safe.text)
        d = decide(matches, detect_themes(safe.text), ctx, book)
        if aside:
            d = replace(d, reasons=(*d.reasons, *dict.fromkeys(ev.detail for ev in aside)))
        note = safe.note
        return replace(d, reasons=(*d.reasons, note)) if note else d

    gate_prompts = generated_prompts(reg, n_prompts, seed=3)  # fresh prompts: no help from the pass above
    g_rate, g50, g99 = _measure(gate, gate_prompts)
    j_rate, j50, j99 = _measure(matcher.detect, japanese_prompts(reg, n_prompts))
    # the same kind of sentences, fresh ones, through the whole gate
    jg_rate, jg50, jg99 = _measure(gate, japanese_prompts(reg, n_prompts, seed=5))
    names = [n.lower() for c in reg.characters for n in c.names]

    def naive(p: str) -> list[str]:
        low = p.lower()
        return [n for n in names if n in low]

    b_rate, b50, b99 = _measure(naive, prompts[:baseline_prompts])
    lat, ja = matcher.index.lat, matcher.index.ja

    def bare(p: str) -> int:
        """A bare Aho-Corasick pass over the matcher's own automata: the lower-case text through the Latin one,
        and through the Japanese one when it is not ASCII (no normalisation, no judging)."""
        n = sum(1 for _ in lat.iter(p.lower())) if len(lat) else 0
        if len(ja) and not p.isascii():
            n += sum(1 for _ in ja.iter(p))
        return n

    a_rate, a50, a99 = _measure(bare, prompts)
    report(f"[{label}] registry: {len(reg.characters)} characters, {n_names} names; build {build_s:.1f}s")
    report(
        f"[{label}] TextMatcher: {rate:,.0f} prompts/s  p50 {p50:.0f}us  p99 {p99:.0f}us  ({len(prompts)} prompts)"
    )
    report(
        f"[{label}] full gate (storable text + match + set-aside + themes + policy decision): {g_rate:,.0f} prompts/s  p50 {g50:.0f}us  "
        f"p99 {g99:.0f}us"
    )
    report(
        f"[{label}] Japanese sentences (TextMatcher): {j_rate:,.0f} prompts/s  p50 {j50:.0f}us  p99 {j99:.0f}us"
    )
    report(
        f"[{label}] Japanese sentences (full gate): {jg_rate:,.0f} prompts/s  p50 {jg50:.0f}us  p99 {jg99:.0f}us"
    )
    report(
        f"[{label}] naive substring baseline: {b_rate:,.0f} prompts/s  p50 {b50:.0f}us  p99 {b99:.0f}us  "
        f"({len(prompts[:baseline_prompts])} prompts)"
    )
    report(f"[{label}] speed-up: {rate / b_rate:.2f}x")
    report(
        f"[{label}] bare Aho-Corasick pass over the same automata: {a_rate:,.0f} prompts/s  p50 {a50:.0f}us  "
        f"p99 {a99:.0f}us; the matcher is {a_rate / rate:.1f}x slower (issue target: toward 3x)"
    )
    return {
        "prompts_per_s": rate,
        "p50_us": p50,
        "p99_us": p99,
        "gate_prompts_per_s": g_rate,
        "gate_p50_us": g50,
        "gate_p99_us": g99,
        "japanese_prompts_per_s": j_rate,
        "japanese_gate_prompts_per_s": jg_rate,
        "baseline_prompts_per_s": b_rate,
        "bare_aho_corasick_prompts_per_s": a_rate,
        "matcher_vs_bare_ratio": a_rate / rate,
        "build_s": build_s,
    }


def pure_python_rate(n_chars: int, n_prompts: int) -> float | None:
    """The generated registry's TextMatcher rate in a child process running the pure-Python modules."""
    env = {**os.environ, "MAMORI_PURE_PYTHON": "1"}
    cmd = [
        sys.executable,
        "-m",
        "benchmarks.text_bench",
        "--chars",
        str(n_chars),
        "--prompts",
        str(n_prompts),
    ]
    r = subprocess.run([*cmd, "--no-dev", "--json"], capture_output=True, text=True, env=env, check=False)
    if r.returncode != 0:
        return None
    return float(json.loads(r.stdout.strip().splitlines()[-1])["prompts_per_s"])


def run(
    report: Any = print,
    n_chars: int = 10_000,
    n_prompts: int = 5_000,
    baseline_prompts: int = 300,
    dev: Path | None = None,
    with_dev: bool = True,
    compare_pure: bool = True,
) -> dict[str, float]:
    """Both registries; returns the generated registry's figures, plus the dev registry's as dev_* when present."""
    from mamori.screening.text import native

    out: dict[str, float] = {}
    report(f"[implementation] {native.status()}")
    dev = dev if dev is not None else dev_registry_path()
    if with_dev and dev is not None and dev.is_file():
        from mamori.registry.fileformat import load_file

        t0 = time.perf_counter()
        dev_reg = load_file(dev, check_files=False)
        r = bench_registry(dev_reg, "dev", report, n_prompts, n_prompts, time.perf_counter() - t0)
        out.update({f"dev_{k}": v for k, v in r.items()})
    elif with_dev:
        report("[dev] registry not found; skipped")
    t0 = time.perf_counter()
    reg = generated_registry(n_chars)
    out.update(
        bench_registry(
            reg, f"generated {n_chars}", report, n_prompts, baseline_prompts, time.perf_counter() - t0
        )
    )
    if compare_pure and native.is_active():
        pure = pure_python_rate(n_chars, n_prompts)
        if pure:
            out["pure_python_prompts_per_s"] = pure
            report(
                f"[generated {n_chars}] same prompts, pure-Python modules (child process): {pure:,.0f} prompts/s; "
                f"compiled {out['prompts_per_s'] / pure:.2f}x"
            )
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--chars", type=int, default=10_000)
    ap.add_argument("--prompts", type=int, default=5_000)
    ap.add_argument("--dev", type=Path, default=None, help="dev registry.yaml (default: ../shared/eval-dev)")
    ap.add_argument("--no-dev", action="store_true", help="only the generated registry")
    ap.add_argument("--json", action="store_true", help="last line: the generated registry's figures as JSON")
    a = ap.parse_args()
    report = (lambda _line: None) if a.json else print
    out = run(report, a.chars, a.prompts, dev=a.dev, with_dev=not a.no_dev, compare_pure=not a.json)
    if a.json:
        print(json.dumps(out))


if __name__ == "__main__":
    main()
