"""The writer's pre-encoded events (storage.ledger_store.encode / entry_json) spell an entry byte for byte as
canonical_json of the whole entry does, so an entry appended either way hashes the same; and the store writes the
same rows from either form."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mamori.ledger.chain import canonical_json
from mamori.ledger.commitment import PRIVATE, prompt_fields
from mamori.storage.db import make_engine, migrate
from mamori.storage.ledger_store import Encoded, LedgerStore, encode, entry_json

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(kind=TEXT, data=st.dictionaries(TEXT, VALUES, max_size=6))
def test_entry_json_is_canonical_json_of_the_entry(kind: str, data: dict[str, object]) -> None:
    ts = datetime(2026, 12, 6, 17, 0, 0, 123456, tzinfo=UTC).isoformat()
    whole = canonical_json({"kind": kind, "ts": ts, "data": data})
    assert entry_json(kind, ts, encode(data).json) == whole


def test_encode_sets_private_rows_apart_and_spells_dates_and_decimals_as_canonical_json_does() -> None:
    data = {"at": datetime(2026, 1, 2, tzinfo=UTC), "fee": Decimal("1.50"), "tags": ("a", "b"), "n": 3}
    data.update(prompt_fields("Mirai Hoshino", "acme", "u-1"))
    enc = encode(data)
    assert PRIVATE not in enc.json and "Mirai Hoshino" not in enc.json
    assert enc.json == canonical_json({k: v for k, v in data.items() if k != PRIVATE})
    assert [r["text"] for r in enc.private] == ["Mirai Hoshino"]
    with pytest.raises(TypeError):
        encode({"x": object()})


def test_the_store_writes_the_same_entry_from_either_form(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'l.db'}")
    migrate(engine)
    store = LedgerStore(engine)
    first = {"verdict": "allow", "chars": ["星野ミライ"], **prompt_fields('a "quoted" prompt', "acme")}
    second = {"verdict": "block", "chars": ["Tobio"], **prompt_fields("again", "acme", "u-2")}
    plain = store.append("decision.prompt", first)
    pre = store.append_many([("decision.prompt", encode(second))])[0]
    assert isinstance(encode(second), Encoded)
    for appended, data in ((plain, first), (pre, second)):
        public = {k: v for k, v in data.items() if k != PRIVATE}
        whole = {"kind": "decision.prompt", "ts": appended.ts.isoformat(), "data": public}
        assert store.entry(appended.index) == canonical_json(whole)
    assert pre.index == plain.index + 1
    with engine.connect() as conn:
        texts = dict(conn.exec_driver_sql("SELECT text, platform_user FROM prompt_texts").all())
    assert texts == {'a "quoted" prompt': None, "again": "u-2"}
    assert store.verify().ok
