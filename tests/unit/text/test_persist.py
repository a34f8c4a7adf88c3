"""The persisted prompt index: loaded only under the digest it was built for, identical to a fresh build, and a
damaged or unwritable cache never stops screening."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import pytest

from mamori.registry.model import Policy, Registry
from mamori.screening.text import persist
from mamori.screening.text.matcher import TextMatcher

PROMPTS = [
    "Mirai Hoshino dancing on a stage",
    "星野みらい が走る",
    "ほしの みらい の絵",
    "M1r4i H0sh1no with a wand",
    "Mirai Hoshinno in the rain",
    "a girl with silver twin tails, a star-shaped hairpin and a comet wand",
    "Brakken with an iron anchor",
    "ブラッケン と ドルミ",
    "Dorumi Kazenaga reading a paper map",
    "Starlight Academy poster",
    "Link and Mario in a kite contest",
    "click the link for a sunny beach",
    "ワンピースを着た女性",
    "M i r a i  H o s h i n o",
    "Mіrai Hoshіno",  # Cyrillic і
    "Mi\u200brai Hoshi\u200bno",
    "ＭＩＲＡＩ ＨＯＳＨＩＮＯ",
    "Brakken and Dorumi Kazenaga on the deck",
]


# `registry`: the invented registry of tests/unit/text/conftest.py


def _results(m: TextMatcher) -> list[list[object]]:
    return [[(x.character, x.work, x.score, x.evidence) for x in m.detect(p)] for p in PROMPTS]


def test_second_process_loads_what_the_first_built(registry: Registry, tmp_path: Path) -> None:
    fresh = TextMatcher(registry)
    built, how = persist.load_or_build(registry, (), tmp_path)
    assert how == "built"
    assert len(list(tmp_path.glob("text-index-*.pickle"))) == 1
    loaded, how = persist.load_or_build(registry, (), tmp_path)
    assert how == "loaded"
    assert loaded is not built and loaded.registry is registry
    expected = _results(fresh)
    assert any(expected), "the prompts must produce matches, or the comparison proves nothing"
    assert _results(built) == expected
    assert _results(loaded) == expected


def test_allowlist_is_part_of_the_index(registry: Registry, tmp_path: Path) -> None:
    allow = [("mirai", "Mirai Hoshino dancing")]
    persist.load_or_build(registry, allow, tmp_path)
    loaded, how = persist.load_or_build(registry, allow, tmp_path)
    assert how == "loaded"
    assert loaded.detect("Mirai Hoshino dancing on a stage") == TextMatcher(registry, allow).detect(
        "Mirai Hoshino dancing on a stage"
    )
    _, how = persist.load_or_build(registry, (), tmp_path)
    assert how == "built"


def _with_character(registry: Registry, index: int, **changes: object) -> Registry:
    chars = list(registry.characters)
    chars[index] = dataclasses.replace(chars[index], **changes)
    return dataclasses.replace(registry, characters=tuple(chars))


def test_digest_follows_what_the_index_reads_and_nothing_else(registry: Registry) -> None:
    base = persist.digest(registry)
    assert persist.digest(registry) == base
    assert persist.digest(_with_character(registry, 0, names=("Mirai Hoshino", "星野みらい", "Mimi"))) != base
    assert persist.digest(_with_character(registry, 0, traits=("comet wand",))) != base
    assert persist.digest(_with_character(registry, 0, work="hearth")) != base
    works = list(registry.works)
    works[0] = dataclasses.replace(works[0], titles=("Starlight Academy",))
    assert persist.digest(dataclasses.replace(registry, works=tuple(works))) != base
    assert persist.digest(registry, [(None, "a phrase")]) != base
    # terms and reference art do not change what the prompt index holds
    assert persist.digest(_with_character(registry, 0, policy=Policy("license", territories=("JP",)))) == base
    assert persist.digest(_with_character(registry, 0, references=("refs/a.png",))) == base


def test_a_changed_registry_is_built_again(registry: Registry, tmp_path: Path) -> None:
    persist.load_or_build(registry, (), tmp_path)
    other = _with_character(registry, 3, names=("Tilo", "Tilomir"))
    m, how = persist.load_or_build(other, (), tmp_path)
    assert how == "built"
    assert [x.character for x in m.detect("Tilomir in the forest")] == ["tilo"]


@pytest.mark.parametrize("damage", [b"", b"not a pickle at all", b"\x80\x05K\x01."])  # empty, junk, an int
def test_a_damaged_cache_file_is_rebuilt_and_replaced(
    registry: Registry, tmp_path: Path, damage: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    persist.load_or_build(registry, (), tmp_path)
    (path,) = tmp_path.glob("text-index-*.pickle")
    path.write_bytes(damage)
    with caplog.at_level(logging.WARNING, logger="mamori.screening.text.persist"):
        m, how = persist.load_or_build(registry, (), tmp_path)
    assert how == "built"
    assert "damaged" in caplog.text
    assert _results(m) == _results(TextMatcher(registry))
    assert persist.load_or_build(registry, (), tmp_path)[1] == "loaded"


def test_a_failed_save_still_screens_and_leaves_nothing_behind(
    registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    def full_disk(*_: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(persist.os, "replace", full_disk)
    m, how = persist.load_or_build(registry, (), tmp_path)
    assert how == "built, not cached"
    assert m.detect("Mirai Hoshino")
    assert list(tmp_path.iterdir()) == []


def test_a_folder_that_cannot_be_made_still_screens(registry: Registry, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    m, how = persist.load_or_build(registry, (), blocker / "cache")  # a file where the folder should be
    assert how == "built, not cached"
    assert m.detect("Mirai Hoshino")


def test_cache_files_are_private_and_old_ones_pruned(registry: Registry, tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    for i in range(persist.KEEP + 2):
        persist.load_or_build(
            _with_character(registry, 3, names=("Tilo", f"Tilo{'x' * (i + 1)}")), (), folder
        )
    assert len(list(folder.glob("text-index-*.pickle"))) == persist.KEEP
    assert folder.stat().st_mode & 0o777 == 0o700
    for p in folder.iterdir():
        assert p.stat().st_mode & 0o077 == 0
    assert not list(folder.glob(".tmp-*"))


def test_cache_setting() -> None:
    assert persist.cache_folder("off") is None
    assert persist.cache_folder("OFF ") is None
    assert persist.cache_folder("/srv/mamori-cache") == Path("/srv/mamori-cache")
    assert persist.cache_folder(None) == persist.default_folder()


def test_a_second_service_on_the_same_store_loads_the_index(sqlite_url: str, tmp_path: Path) -> None:
    from mamori.service import Mamori

    data = Path(__file__).resolve().parents[2] / "data" / "registry.yaml"
    cache = str(tmp_path / "cache")
    first = Mamori.open(sqlite_url, index_cache=cache)
    try:
        first.import_registry(data)
        assert first.indexes().text_source == "built"
        want = first.decide_prompt("Mirai Hoshino delivering mail", first.context("acme-video", "JP"))
        # new terms only: the index in memory is kept, and the new terms apply
        terms = tmp_path / "terms.yaml"
        terms.write_text(
            data.read_text(encoding="utf-8").replace("territories: [JP, US]", "territories: [US]")
        )
        first.import_registry(terms)
        assert first.indexes().text_source == "kept"
        assert (
            first.decide_prompt("Mirai Hoshino", first.context("acme-video", "JP")).verdict.value == "block"
        )
        first.import_registry(data)
    finally:
        first.close()
    second = Mamori.open(sqlite_url, index_cache=cache)
    try:
        assert second.indexes().text_source == "loaded"
        got = second.decide_prompt("Mirai Hoshino delivering mail", second.context("acme-video", "JP"))
        assert got.verdict == want.verdict and got.matches == want.matches
    finally:
        second.close()
    off = Mamori.open(sqlite_url, index_cache="off")
    try:
        assert off.indexes().text_source == "built, not cached"
    finally:
        off.close()
