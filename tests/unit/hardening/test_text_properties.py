"""Property tests (hypothesis) for prompt text at the boundary and in normalisation: any string is made storable
and normalised without an exception, both are idempotent, and a registered name survives any control or
invisible character inserted into it (zero-width, bidi, NUL and other non-spacing controls, lone surrogates)."""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mamori.screening.text.normalize import normalize
from mamori.service import Mamori
from mamori.textsafe import REPLACEMENT, safe_text

DATA = Path(__file__).resolve().parents[2] / "data" / "registry.yaml"
# any code point, surrogates included (hypothesis leaves them out unless asked)
ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=80)
# `make fuzz` raises MAMORI_FUZZ_EXAMPLES; `make test` runs the bounded, derandomised default
SCALE = max(1, int(os.environ.get("MAMORI_FUZZ_EXAMPLES", "6")) // 6)
PROPS = settings(max_examples=150 * SCALE, derandomize=True, deadline=None, database=None)


@PROPS
@given(ANY_TEXT)
def test_safe_text_is_storable_idempotent_and_counts_what_it_replaced(raw: str) -> None:
    safe = safe_text(raw)
    safe.text.encode("utf-8")  # never raises
    assert "\x00" not in safe.text and len(safe.text) == len(raw)
    assert safe_text(safe.text) == type(safe)(safe.text, 0)
    assert safe.replaced == sum(1 for a, b in zip(raw, safe.text, strict=True) if a != b)
    assert (safe.note is None) == (safe.replaced == 0)


@PROPS
@given(ANY_TEXT)
def test_normalize_never_raises_keeps_its_offset_map_and_is_idempotent(raw: str) -> None:
    n = normalize(raw)
    if n.starts is not None:
        assert n.ends is not None and len(n.starts) == len(n.ends) == len(n.text)
        assert all(0 <= s <= e <= len(raw) for s, e in zip(n.starts, n.ends, strict=True))
    assert normalize(n.text).text == n.text


def _hidden() -> st.SearchStrategy[str]:
    fmt = st.characters(categories=["Cf"])
    ctrl = st.characters(categories=["Cc"]).filter(lambda c: not c.isspace())
    return st.one_of(fmt, ctrl, st.just(REPLACEMENT), st.characters(categories=["Cs"]))


@pytest.fixture(scope="module")
def svc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mamori]:
    s = Mamori.open(f"sqlite:///{tmp_path_factory.mktemp('props') / 'm.db'}")
    s.import_registry(DATA)
    yield s
    s.close()


NAMES = {"Mirai Hoshino": "mirai", "Tobio Kuroda": "tobio", "星野ミライ": "mirai", "黒田トビオ": "tobio"}


@settings(
    max_examples=60 * SCALE,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.sampled_from(sorted(NAMES)),
    st.lists(st.tuples(st.integers(1, 30), _hidden()), min_size=1, max_size=3),
)
def test_a_registered_name_survives_inserted_control_or_invisible_characters(
    svc: Mamori, name: str, inserts: list[tuple[int, str]]
) -> None:
    text = name
    for pos, ch in inserts:
        at = 1 + pos % (len(text) - 1)  # strictly inside the name
        text = text[:at] + ch + text[at:]
    d = svc.decide_prompt(f"a poster of {text} at the station", svc.context(None, None))
    found = [m.character for m in d.matches]
    assert NAMES[name] in found, (ascii(text), [unicodedata.category(c) for _, c in inserts], d.reasons)
