"""The group committer alone, over an in-memory writer: batching, per-caller results, errors fail the batch."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import pytest

from mamori.ledger.group_commit import CommitterClosed, Event, GroupCommitter


class ListWriter:
    """A writer that records each batch; results are global positions, like ledger sequence numbers."""

    def __init__(self, delay: float = 0.0, fail_on: str | None = None):
        self.rows: list[Event] = []
        self.batches: list[int] = []
        self.delay = delay
        self.fail_on = fail_on
        self.lock = threading.Lock()

    def __call__(self, events: Sequence[Event]) -> list[int]:
        with self.lock:
            time.sleep(self.delay)
            if self.fail_on is not None and any(k == self.fail_on for k, _ in events):
                raise OSError("disk full")
            start = len(self.rows)
            self.rows.extend(events)
            self.batches.append(len(events))
            return list(range(start, start + len(events)))


def _concurrently(n: int, fn) -> list[object]:  # type: ignore[no-untyped-def]
    out: list[object] = [None] * n
    barrier = threading.Barrier(n)

    def run(k: int) -> None:
        barrier.wait()
        try:
            out[k] = fn(k)
        except BaseException as exc:
            out[k] = exc

    threads = [threading.Thread(target=run, args=(k,)) for k in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return out


def test_concurrent_callers_share_commits_and_get_their_own_results() -> None:
    writer = ListWriter(delay=0.005)
    gc: GroupCommitter[int] = GroupCommitter(writer, window_s=0.002)
    results = _concurrently(64, lambda k: gc.submit([("e", {"k": k}), ("e", {"k": k, "second": True})]))
    gc.close()
    assert len(writer.rows) == 128
    assert len(writer.batches) < 64  # shared transactions
    for k, got in enumerate(results):
        assert isinstance(got, list) and len(got) == 2
        first, second = got
        assert second == first + 1  # one caller's events stay contiguous
        assert writer.rows[first] == ("e", {"k": k})
        assert writer.rows[second] == ("e", {"k": k, "second": True})


def test_an_error_fails_every_waiter_of_that_batch_and_only_that_batch() -> None:
    writer = ListWriter(delay=0.02, fail_on="bad")
    gc: GroupCommitter[int] = GroupCommitter(writer, window_s=0.05)
    results = _concurrently(8, lambda k: gc.submit([("bad" if k == 0 else "ok", {"k": k})]))
    # all eight arrived within the window, so they shared the failing transaction: none acknowledged
    assert all(isinstance(r, OSError) for r in results), results
    assert writer.rows == []
    assert gc.submit([("ok", {"after": 1})]) == [0]  # the writer goes on
    gc.close()


def test_max_events_caps_a_batch() -> None:
    writer = ListWriter(delay=0.002)
    gc: GroupCommitter[int] = GroupCommitter(writer, window_s=0.05, max_events=5)
    _concurrently(20, lambda k: gc.submit([("e", {"k": k})]))
    gc.close()
    assert max(writer.batches) <= 5 and sum(writer.batches) == 20


def test_a_lone_caller_is_not_held_for_long_and_closed_refuses() -> None:
    writer = ListWriter()
    gc: GroupCommitter[int] = GroupCommitter(writer, window_s=0.001)
    t0 = time.perf_counter()
    assert gc.submit([("e", {})]) == [0]
    assert time.perf_counter() - t0 < 0.5
    assert gc.submit([]) == []
    gc.close()
    with pytest.raises(CommitterClosed):
        gc.submit([("e", {})])


def test_after_commit_work_waits_for_blocking_callers_only_and_timings_are_observed() -> None:
    """An awaiting server's request is answered before the batch's after-commit work (a checkpoint) runs; a blocking
    caller returns only after it; a failing hook neither fails the committed entries nor stops the writer."""
    gc: GroupCommitter[int] = GroupCommitter(ListWriter(), window_s=0.0)
    release = threading.Event()
    seen: list[tuple[str, object]] = []

    def after(results: list[int]) -> None:
        seen.append(("after", list(results)))
        release.wait(10)
        if results == [2]:
            raise RuntimeError("checkpoint store away")

    gc.after_commit = after
    gc.observe = lambda wait, write, n: seen.append(("observe", (wait >= 0 and write >= 0, n)))
    fut = gc.enqueue([("a", 0)])
    assert fut.result(timeout=10) == [0]  # answered while the hook is still blocked
    assert not release.is_set()
    release.set()
    assert gc.submit([("b", 1)]) == [1]
    assert ("after", [1]) in seen  # the blocking caller came back after its batch's hook ran
    assert gc.submit([("c", 2)]) == [2]  # the hook failed: the entry is committed all the same
    assert gc.submit([("d", 3)]) == [3]  # and the writer goes on
    assert ("observe", (True, 1)) in seen
    gc.close()


def test_a_window_that_expires_in_the_writers_wait_never_holds_a_batch_for_good() -> None:
    """Windows of a microsecond or so, with another thread taking the GIL: the writer's wait for more callers often
    ends past its deadline. On CPython 3.11 `queue.SimpleQueue.get(timeout=...)` then waits forever (a negative
    remainder means "block"): this test hung the committer within a second when it used one (a stuck `make test`
    found it); every batch must be committed."""
    from concurrent.futures import TimeoutError as FutureTimeout

    stop = threading.Event()

    def spin() -> None:
        x = 0
        while not stop.is_set():
            x += 1

    spinner = threading.Thread(target=spin, daemon=True)
    spinner.start()
    try:
        for window in (5e-7, 1e-6, 2e-6, 5e-6):
            committer = GroupCommitter(ListWriter(), window_s=window)
            started, n = time.monotonic(), 0
            while time.monotonic() - started < 0.5:
                future = committer.enqueue([("k", n)])
                try:
                    assert future.result(timeout=5) == [n]
                except FutureTimeout:
                    pytest.fail(f"batch {n} was never committed (window {window} s): the writer is stuck")
                n += 1
            committer.close(5)
    finally:
        stop.set()
        spinner.join()
