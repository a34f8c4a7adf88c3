"""Docs are tested: every command group and every setting is documented."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from mamori.cli.main import GROUPS
from mamori.config import Settings

REPO = Path(__file__).resolve().parents[2]


def test_every_command_group_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    missing = [name for _, name in GROUPS if f"mamori {name}" not in readme]
    assert missing == [], f"README.md does not show: {missing}"


def test_every_setting_is_documented() -> None:
    text = (REPO / "docs" / "settings.md").read_text(encoding="utf-8")
    missing = [
        f"MAMORI_{f.name.upper()}"
        for f in fields(Settings)
        if f.name != "extra" and f"MAMORI_{f.name.upper()}" not in text
    ]
    assert missing == [], f"docs/settings.md does not document: {missing}"


def test_make_targets_in_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for target in ("make demo", "make test", "make bench", "make lint"):
        assert target in readme
