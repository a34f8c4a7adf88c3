"""The event-based registry YAML loader gives what yaml.safe_load gives, and refuses what it must."""

from __future__ import annotations

import pytest
import yaml

from mamori.registry.yamlload import YamlLoadError, load

SAME = [
    "a: 1\nb: [x, 'y', 2.5, null, true, no, 2026-01-01, 0x1f, ~, '', \"q\"]\n",
    "base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  y: 3\nd:\n  z: 1\n  <<: [*b]\n",
    "x: &x [1, 2]\ny: *x\n",
    "",
    "- a\n- b: c\n",
    "'<<': 1\n",
    "a: !!str 12\nb: !!int '5'\n",
    "t: 2026-01-01 10:00:00\n",
    "? a\n: b\n",
    "k: ''\nn: Norway\nNO: NO\n",
    "format: mamori-registry/1\ncharacters:\n  - id: c\n    names: [星野ミライ, 'Mirai: Hoshino']\n    policy: {revenue_share: 0.3}\n",
]


@pytest.mark.parametrize("text", SAME)
def test_same_values_as_safe_load(text: str) -> None:
    assert load(text, 64) == yaml.safe_load(text)
    assert load(text.encode("utf-8"), 64) == yaml.safe_load(text)


@pytest.mark.parametrize(
    "text,word",
    [
        ("x: !!python/object/apply:os.system [echo]\n", "not allowed"),
        ("x: !custom 1\n", "not allowed"),
        ("x: *nope\n", "unknown alias"),
        ("x: " + "[" * 100 + "]" * 100, "nested deeper"),
        ("a: 1\n---\nb: 2\n", "one YAML document"),
        ("k: {? [a]: 1}\n", "plain value"),
        ("n: !!int abc\n", "not valid"),
    ],
)
def test_refused_with_a_position(text: str, word: str) -> None:
    with pytest.raises(YamlLoadError) as err:
        load(text, 64)
    assert word in str(err.value) and "line" in str(err.value)
