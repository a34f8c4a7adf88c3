"""The store contract: the same suite on SQLite and on PostgreSQL (MAMORI_TEST_POSTGRES_URL)."""

from __future__ import annotations

import multiprocessing as mp
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import text, update

from mamori.ledger.chain import GENESIS
from mamori.registry.fileformat import load_file
from mamori.registry.model import Policy
from mamori.storage import schema as t
from mamori.storage.db import make_engine
from mamori.storage.ledger_store import LedgerStore
from mamori.storage.registry_store import ReferenceBlob, RegistryStore

DATA = Path(__file__).resolve().parent.parent / "data" / "registry.yaml"


def _sorted(reg):  # type: ignore[no-untyped-def]
    key = lambda x: x.id  # noqa: E731
    return replace(
        reg,
        rightsholders=tuple(sorted(reg.rightsholders, key=key)),
        works=tuple(sorted(reg.works, key=key)),
        characters=tuple(sorted(reg.characters, key=key)),
    )


def test_schema_matches_metadata(engine) -> None:  # type: ignore[no-untyped-def]
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), t.metadata)
    assert diff == []


def test_import_export_round_trip_and_idempotent(engine) -> None:  # type: ignore[no-untyped-def]
    store = RegistryStore(engine)
    reg = load_file(DATA)
    first = store.import_registry(reg)
    assert sorted(first.created) == ["kappa-x", "mirai", "tobio"]
    assert _sorted(store.load()) == _sorted(reg)
    again = store.import_registry(reg)
    assert again.created == [] and again.updated == [] and len(again.unchanged) == 3
    assert again.policy_changes == []


def test_other_senses_are_stored_and_a_change_to_them_is_an_update(engine) -> None:  # type: ignore[no-untyped-def]
    store = RegistryStore(engine)
    reg = load_file(DATA)
    store.import_registry(reg)
    said = replace(reg.characters[0], ambiguous=True, other_senses=("place", "word:nl"))
    report = store.import_registry(replace(reg, characters=(said, *reg.characters[1:])))
    assert report.updated == [said.id]
    got = store.get_character(said.id)
    assert got.ambiguous is True and got.other_senses == ("place", "word:nl")
    assert _sorted(store.load()) == _sorted(replace(reg, characters=(said, *reg.characters[1:])))
    assert store.import_registry(replace(reg, characters=(said, *reg.characters[1:]))).updated == []
    store.set_policy(said.id, Policy(generation="track"))  # a policy edit keeps what else the character says
    kept = store.get_character(said.id)
    assert kept.other_senses == ("place", "word:nl") and kept.policy == Policy(generation="track")


def test_reimport_updates_by_id_and_versions_policies(engine) -> None:  # type: ignore[no-untyped-def]
    store = RegistryStore(engine)
    reg = load_file(DATA)
    store.import_registry(reg)
    tobio = replace(
        reg.characters[1], names=(*reg.characters[1].names, "Tobi"), policy=Policy(generation="track")
    )
    report = store.import_registry(replace(reg, characters=(reg.characters[0], tobio, reg.characters[2])))
    assert report.updated == ["tobio"]
    assert report.policy_changes == [
        {"character": "tobio", "version": 2, "policy": {"generation": "track", "training": "block"}}
    ]
    assert store.get_character("tobio").names[-1] == "Tobi"
    assert [h["version"] for h in store.policy_history("tobio")] == [1, 2]
    assert store.set_policy("tobio", None) == 3
    assert store.get_character("tobio").policy is None


def test_import_is_all_or_nothing(engine) -> None:  # type: ignore[no-untyped-def]
    store = RegistryStore(engine)
    reg = load_file(DATA)
    # a reference to a character that does not exist violates a foreign key at the very end of the import
    bad = ReferenceBlob("no-such-character", "x.png", b"\x89PNG\r\n\x1a\nxx", "image/png")
    with pytest.raises(Exception):  # noqa: B017 - the driver's integrity error
        store.import_registry(reg, [bad])
    assert store.load().characters == ()


def test_references_and_signal_cache(engine) -> None:  # type: ignore[no-untyped-def]
    store = RegistryStore(engine)
    store.import_registry(load_file(DATA))
    blob = ReferenceBlob("mirai", "refs/a.png", b"\x89PNG\r\n\x1a\n-one", "image/png")
    assert store.add_reference(blob) is True
    assert store.add_reference(blob) is False  # same content: nothing recomputed
    assert store.add_reference(replace(blob, data=b"\x89PNG\r\n\x1a\n-two")) is True
    refs = list(store.iter_references())
    assert len(refs) == 1 and refs[0][1:3] == ("mirai", "star-courier") and refs[0][4].endswith(b"-two")
    assert store.get_signal("abc", "pdq", "1") is None
    store.put_signal("abc", "pdq", "1", b"\x00\x01")
    store.put_signal("abc", "pdq", "1", b"\x00\x02")
    assert store.get_signal("abc", "pdq", "1") == b"\x00\x02"


def test_allowlist(engine) -> None:  # type: ignore[no-untyped-def]
    store = RegistryStore(engine)
    store.add_allowlist("mirai", "mirai hoshino festival", None, 7)
    assert store.allowlist() == [("mirai", "mirai hoshino festival", None)]


def test_ledger_chain_and_tamper_detection(engine) -> None:  # type: ignore[no-untyped-def]
    ledger = LedgerStore(engine)
    assert ledger.verify().ok and ledger.head() == GENESIS
    ledger.append("a", {"n": 1, "text": "星野ミライ"})
    ledger.append_many([("b", {"n": 2}), ("c", {"n": 3})])
    result = ledger.verify()
    assert result.ok and result.rows == 3 and result.head == ledger.head()
    rows = list(ledger.rows())
    with engine.begin() as conn:
        conn.execute(
            update(t.ledger)
            .where(t.ledger.c.seq == rows[1].seq)
            .values(payload=rows[1].payload.replace("2", "9"))
        )
    bad = ledger.verify()
    assert not bad.ok and bad.first_bad == rows[1].seq


def test_ledger_deleted_row_is_detected(engine) -> None:  # type: ignore[no-untyped-def]
    ledger = LedgerStore(engine)
    for i in range(4):
        ledger.append("e", {"i": i})
    rows = list(ledger.rows())
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM ledger WHERE seq = :s"), {"s": rows[2].seq})
    result = ledger.verify()
    assert not result.ok and result.first_bad == rows[3].seq


def test_ledger_concurrent_threads_never_fork(engine) -> None:  # type: ignore[no-untyped-def]
    ledger = LedgerStore(engine)
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            for i in range(25):
                ledger.append("w", {"worker": k, "i": i})
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    result = ledger.verify()
    assert result.ok and result.rows == 150


def _proc_writer(url: str, k: int, n: int) -> None:
    e = make_engine(url)
    ledger = LedgerStore(e)
    for i in range(n):
        ledger.append("p", {"proc": k, "i": i})
    e.dispose()


def test_ledger_concurrent_processes_never_fork(engine, db_url: str) -> None:  # type: ignore[no-untyped-def]
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_proc_writer, args=(db_url, k, 20)) for k in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert all(p.exitcode == 0 for p in procs)
    result = LedgerStore(engine).verify()
    assert result.ok and result.rows == 80


def _killed_writer(url: str) -> None:
    e = make_engine(url)
    ledger = LedgerStore(e)
    i = 0
    while True:
        ledger.append_many([("k", {"i": i}), ("k", {"i": i + 1})])
        i += 2


def test_process_killed_mid_write_leaves_a_verifiable_chain(engine, db_url: str) -> None:  # type: ignore[no-untyped-def]
    import time

    ctx = mp.get_context("spawn")
    p = ctx.Process(target=_killed_writer, args=(db_url,))
    p.start()
    ledger = LedgerStore(engine)
    deadline = time.monotonic() + 60
    while ledger.count() < 20 and time.monotonic() < deadline:
        time.sleep(0.05)
    p.kill()
    p.join()
    result = ledger.verify()
    assert result.ok and result.rows >= 20 and result.rows % 2 == 0  # batches are atomic
    ledger.append("after", {})
    assert ledger.verify().ok
