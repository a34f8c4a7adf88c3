"""The hard-negative corpus generator: sizes and shape on the dev registry (its figures are in make bench)."""

from __future__ import annotations

from pathlib import Path

from benchmarks.hard_corpus import generate

from mamori.registry.fileformat import load_file


def test_corpus_sizes_and_labels(shared: Path) -> None:
    reg = load_file(shared / "eval-dev" / "registry.yaml", check_files=False)
    corpus = generate(reg)
    everyday = [p for p in corpus if not p.refs]
    japanese = [p for p in corpus if p.tier == "ja_names"]
    assert len(everyday) >= 2000
    assert len(japanese) >= 300
    assert {p.tier for p in everyday} >= {"place", "person", "word", "everyday", "traits", "ja_everyday"}
    ids = {c.id for c in reg.characters}
    assert all(set(p.refs) <= ids and p.refs for p in japanese)
    assert len({p.id for p in corpus}) == len(corpus)
    assert generate(reg) == corpus  # seeded: the same corpus every run
