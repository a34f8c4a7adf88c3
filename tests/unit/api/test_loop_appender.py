"""LoopAppender: a loop turn's ledger appends handed to the group committer together, each request answered with
its own committed entry, only after the commit; a failed batch fails each of its requests."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from mamori.api.loop_appender import LoopAppender
from mamori.storage.db import make_engine, migrate
from mamori.storage.grouped_ledger import GroupCommitLedgerStore


@pytest.fixture()
def store(tmp_path: Path) -> Any:
    engine = make_engine(f"sqlite:///{tmp_path / 'l.db'}")
    migrate(engine)
    s = GroupCommitLedgerStore(engine, window_s=0.002)
    yield s
    s.close()


def _run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_one_turns_requests_are_one_handover_each_with_its_own_committed_entry(store: Any) -> None:
    appender = LoopAppender(store)

    async def main() -> list[Any]:
        return await asyncio.gather(*(appender.append("decision.prompt", {"n": i}) for i in range(50)))

    got = _run(main())
    assert appender.handovers == 1
    assert [a.index for a in got] == list(range(50))  # in the order the requests appended
    assert len({a.hash for a in got}) == 50
    for i, a in enumerate(got):  # each answer names its own entry, and that entry is in the database
        assert f'"n":{i}' in store.entry(a.index)
    assert store.size() == 50 and store.verify().ok


def test_later_turns_are_later_handovers(store: Any) -> None:
    appender = LoopAppender(store)

    async def main() -> None:
        first = await appender.append("decision.prompt", {"n": 0})
        second = await appender.append("decision.prompt", {"n": 1})
        assert (first.index, second.index) == (0, 1)

    _run(main())
    assert appender.handovers == 2


def test_an_unencodable_event_fails_its_own_request_only(store: Any) -> None:
    appender = LoopAppender(store)

    async def main() -> list[Any]:
        return await asyncio.gather(
            appender.append("decision.prompt", {"n": 1}),
            appender.append("decision.prompt", {"bad": object()}),
            appender.append("decision.prompt", {"n": 2}),
            return_exceptions=True,
        )

    ok1, bad, ok2 = _run(main())
    assert isinstance(bad, TypeError)
    assert (ok1.index, ok2.index) == (0, 1)


def test_a_failed_commit_fails_every_request_of_the_batch_and_acknowledges_none(
    store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    appender = LoopAppender(store)

    def disk_full(events: Any) -> Any:
        raise OSError("disk full")

    monkeypatch.setattr(store.group, "_write", disk_full)

    async def main() -> list[Any]:
        return await asyncio.gather(
            *(appender.append("decision.prompt", {"n": i}) for i in range(5)), return_exceptions=True
        )

    got = _run(main())
    assert all(isinstance(g, OSError) for g in got)
    assert store.size() == 0


def test_a_closed_writer_fails_the_turns_requests(store: Any) -> None:
    appender = LoopAppender(store)
    store.close()

    async def main() -> Any:
        return await asyncio.gather(appender.append("decision.prompt", {"n": 0}), return_exceptions=True)

    (err,) = _run(main())
    assert "closed" in str(err)


def test_entries_written_in_the_drivers_sql_read_back_as_sqlalchemy_writes_them(store: Any) -> None:
    """The SQLite append path writes timestamps in the column type's stored form: they read back equal, and
    filter by time (audit exports, enforcement reports, retention) as rows written through SQLAlchemy do."""
    from datetime import timedelta

    from sqlalchemy import insert, select

    from mamori.storage import schema as t

    got = store.append_many([("decision.prompt", {"n": 1}), ("decision.prompt", {"n": 2})])
    with store.engine.begin() as conn:
        stored = [r.ts for r in conn.execute(select(t.ledger.c.ts).order_by(t.ledger.c.idx))]
        conn.execute(
            insert(t.prompt_texts),
            [{"commitment": "c" * 64, "salt": "s", "text": "x", "created_at": got[0].ts}],
        )
        raw = conn.exec_driver_sql(
            "SELECT ts FROM ledger UNION ALL SELECT created_at FROM prompt_texts"
        ).all()
    assert [s.replace(tzinfo=None) for s in stored] == [a.ts.replace(tzinfo=None) for a in got]
    assert len({len(r[0]) for r in raw}) == 1  # one spelling for both ways of writing
    lo = got[0].ts - timedelta(seconds=1)
    assert len(list(store.rows(since=lo, until=got[1].ts + timedelta(seconds=1)))) == 2
    assert list(store.rows(until=lo)) == []


def test_two_processes_appending_to_one_sqlite_file_never_retry(tmp_path: Path) -> None:
    """The SQLite writer takes the write lock before it reads the head: a second process's writer waits for it
    instead of reading a head that is about to change, losing on the UNIQUE index and retrying."""
    import multiprocessing as mp

    url = f"sqlite:///{tmp_path / 'two.db'}"
    migrate(make_engine(url))
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_append_counting_retries, args=(url, queue)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    retries = [queue.get(timeout=5) for _ in procs]
    from mamori.storage.ledger_store import LedgerStore

    final = LedgerStore(make_engine(url))
    assert final.size() == 2 * 60 * 10 and final.verify().ok
    assert retries == [0, 0]


def _append_counting_retries(url: str, queue: Any) -> None:
    from mamori.storage.ledger_store import LedgerStore

    store = LedgerStore(make_engine(url))
    tries = 0
    attempt = store._try_append

    def counted(events: Any) -> Any:
        nonlocal tries
        tries += 1
        return attempt(events)

    store._try_append = counted  # type: ignore[method-assign]
    for i in range(60):
        store.append_many([("decision.prompt", {"n": i, "k": k}) for k in range(10)])
    queue.put(tries - 60)
