"""The compiled prompt-matcher modules (mypyc) give exactly the pure-Python results, and a stale build is never used."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mamori.screening.text import native

# Prompts that exercise every path of the matcher on an invented registry: names in two scripts, romaji and kana
# variants, misspellings, leetspeak, split letters, confusables, zero-width characters, traits, titles, themes.
REGISTRY = {
    "format": "mamori-registry/1",
    "rightsholders": [{"id": "rh", "name": "Example Studio"}],
    "works": [{"id": "sky", "rightsholder": "rh", "titles": ["Skyward Lanterns", "そらのランタン"]}],
    "characters": [
        {
            "id": "mirai",
            "work": "sky",
            "names": ["Mirai Hoshikawa", "星川みらい", "ミライ"],
            "traits": ["star hairpin", "silver twin tails", "lantern staff", "blue cape"],
        },
        {
            "id": "tobio",
            "work": "sky",
            "names": ["Tobio Kazeno", "風野トビオ"],
            "traits": ["goggles", "red scarf", "paper glider"],
            "policy": {"generation": "license", "territories": ["JP"]},
        },
    ],
}
PROMPTS = [
    "Mirai Hoshikawa dancing on a rooftop",
    "mirai hoshikawa at night",
    "星川みらい が空を飛ぶ",
    "ほしかわ みらい の絵",
    "M1r4i H0sh1kawa with a sword",
    "M i r a i  H o s h i k a w a",
    "Mіrai Hoshіkawa",  # Cyrillic і
    "Mi\u200brai Hoshi\u200bkawa",
    "Mirai Hoshikowa in the rain",
    "Tobbio Kazeno flying",
    "tobio kazeno's paper glider",
    "a girl with a star hairpin, silver twin tails and a lantern staff",
    "a boy in goggles with a red scarf throwing a paper glider",
    "Skyward Lanterns poster, violent battle",
    "スカイワード みらい ちゃん",
    "ＭＩＲＡＩ ＨＯＳＨＩＫＡＷＡ",
    "click the link for a sunny beach",
    "a cat sleeping in the sun",
]


def _screen_script() -> str:
    return (
        "import json, sys\n"
        "from mamori.registry.fileformat import parse_document\n"
        "from mamori.screening.base import Corpus\n"
        "from mamori.screening.text import TextMatcher, native\n"
        "doc, prompts = json.load(sys.stdin)\n"
        "m = TextMatcher.build(Corpus(registry=parse_document(doc)))\n"
        "out = [[(x.character, x.work, x.score, [(e.rule, e.score, e.detail) for e in x.evidence])"
        " for x in m.detect(p)] for p in prompts]\n"
        "print(json.dumps({'active': native.is_active(), 'out': out}))\n"
    )


def _run(env_extra: dict[str, str]) -> dict:  # type: ignore[type-arg]
    env = {**os.environ, **env_extra}
    r = subprocess.run(
        [sys.executable, "-c", _screen_script()],
        input=json.dumps([REGISTRY, PROMPTS]),
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=300,
    )
    return json.loads(r.stdout)  # type: ignore[no-any-return]


def test_compiled_and_pure_python_agree() -> None:
    if native._stamp_ok(native.NATIVE_DIR) is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI builds the compiled modules (make test): {native._stamp_ok(native.NATIVE_DIR)}")
        pytest.skip("no compiled build matching the sources (make native)")
    compiled = _run({"MAMORI_PURE_PYTHON": ""})
    pure = _run({"MAMORI_PURE_PYTHON": "1"})
    assert compiled["active"] is True and pure["active"] is False
    assert compiled["out"] == pure["out"]
    assert any(compiled["out"])  # the prompts do match something


def test_stale_or_foreign_build_is_not_used(tmp_path: Path) -> None:
    assert "no compiled build" in (native._stamp_ok(tmp_path) or "")
    stamp = {"cache_tag": sys.implementation.cache_tag, "sources": native._digests()}
    (tmp_path / native.STAMP).write_text(json.dumps(stamp))
    assert native._stamp_ok(tmp_path) is None
    stamp["sources"] = {**stamp["sources"], "matcher": "0" * 64}  # type: ignore[dict-item]
    (tmp_path / native.STAMP).write_text(json.dumps(stamp))
    assert "sources changed" in (native._stamp_ok(tmp_path) or "")
    stamp = {"cache_tag": "cpython-00", "sources": native._digests()}
    (tmp_path / native.STAMP).write_text(json.dumps(stamp))
    assert "compiled for cpython-00" in (native._stamp_ok(tmp_path) or "")


def test_pure_python_switch() -> None:
    out = _run({"MAMORI_PURE_PYTHON": "1"})
    assert out["active"] is False
