"""Group commit: ledger appends from concurrent callers are gathered for a short window and written by one
transaction, so N concurrent requests cost one commit instead of N.

Each caller blocks until the batch holding its events has been committed and then gets exactly its own results,
in order; if the commit fails, every caller of that batch gets the error, so nothing is acknowledged that is not
durable. One caller's events stay contiguous in the batch (a registry import's events are not interleaved).
The committer is generic over the writer (`append_many(events) -> list[result]`), so this module does no I/O.

`enqueue()` hands back the batch's future without blocking, so an asyncio server awaits the commit without holding
a thread per waiting request; `submit()` blocks on it.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

Event = tuple[str, Any]  # (kind, data): the data is whatever the writer takes (a dict, or it pre-encoded)
R = TypeVar("R")
log = logging.getLogger("mamori.ledger")


class CommitterClosed(RuntimeError):
    """An append after `close()`."""


@dataclass
class _Request(Generic[R]):
    events: Sequence[Event]
    future: Future[list[R]] = field(default_factory=Future)
    queued_at: float = field(default_factory=time.perf_counter)
    # answered only after the batch's after-commit work (a blocking caller that expects a checkpoint due now to
    # exist when it returns); an awaiting server's request is answered before it
    after_work: bool = False


_STOP = object()


class GroupCommitter(Generic[R]):
    """One writer thread per committer; `submit()` is thread-safe and blocks until the commit.

    `window_s`: how long the writer waits for more callers after the first one arrives (0: take only what is
    already queued — callers that arrive during a commit still share the next one). `max_events` caps a batch.
    """

    def __init__(
        self,
        write: Callable[[Sequence[Event]], list[R]],
        window_s: float = 0.002,
        max_events: int = 512,
        name: str = "ledger-group-commit",
    ):
        self._write = write
        self.window_s = max(0.0, window_s)
        self.max_events = max(1, max_events)
        # queue.Queue, not SimpleQueue: CPython 3.11's SimpleQueue.get(timeout=...) can block forever when its
        # deadline passes between its first lock attempt and the timeout's recomputation (a negative remainder
        # becomes "wait forever"); a preempted writer then held its batch, and every caller waited for good.
        # queue.Queue waits on a Condition, whose timed lock acquire treats an expired deadline as a timeout.
        self._queue: queue.Queue[Any] = queue.Queue()
        self._name = name
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._closed = False
        self.batches = 0  # commits made (for tests and metrics)
        self.events = 0  # events committed
        # Per-commit stage timings for metrics: observe(oldest request's wait before its write began, the write's
        # seconds, events in the batch), called on the writer thread after the batch's callers are answered.
        self.observe: Callable[[float, float, int], None] | None = None
        # Work for after a commit (cutting a checkpoint when due): called with the batch's results on the writer
        # thread once the batch's callers have been answered, so they never wait for it.
        self.after_commit: Callable[[list[R]], None] | None = None

    def submit(self, events: Sequence[Event]) -> list[R]:
        """Append these events (all or none, contiguous) and return their results once committed and the batch's
        after-commit work is done."""
        return self.enqueue(events, after_work=True).result()

    def enqueue(self, events: Sequence[Event], after_work: bool = False) -> Future[list[R]]:
        """Queue these events (all or none, contiguous); the future holds their results once committed, or the
        error that failed their batch. Cancelling it before the writer takes the batch withdraws the events.
        `after_work`: the future is done only after the batch's `after_commit` work too."""
        req: _Request[R] = _Request(list(events), after_work=after_work)
        if not req.events:
            req.future.set_result([])
            return req.future
        if self._closed:
            raise CommitterClosed("the ledger writer is closed")
        self._ensure_thread()
        self._queue.put(req)
        return req.future

    def close(self, timeout: float = 30.0) -> None:
        """Commit what is queued, then stop the writer thread."""
        self._closed = True
        thread = self._thread
        if thread is not None and thread.is_alive():
            self._queue.put(_STOP)
            thread.join(timeout)

    def _ensure_thread(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is _STOP:
                return
            batch: list[_Request[R]] = [first]
            count = len(first.events)
            deadline = time.monotonic() + self.window_s
            while count < self.max_events:
                wait = deadline - time.monotonic()
                try:
                    item = self._queue.get(timeout=wait) if wait > 0 else self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    stopping = True
                    break
                batch.append(item)
                count += len(item.events)
            self._commit(batch)

    def _commit(self, batch: list[_Request[R]]) -> None:
        batch = [r for r in batch if r.future.set_running_or_notify_cancel()]
        if not batch:
            return
        started = time.perf_counter()
        try:
            results = self._write([e for r in batch for e in r.events])
            if len(results) != sum(len(r.events) for r in batch):
                raise RuntimeError(f"the ledger wrote {len(results)} entries for a batch of {len(batch)}")
        except BaseException as exc:  # every waiter of this batch fails; none is acknowledged
            for r in batch:
                r.future.set_exception(exc)
            return
        self.batches += 1
        self.events += len(results)
        written = time.perf_counter()
        at, later = 0, []
        for r in batch:
            if r.after_work:
                later.append((r, results[at : at + len(r.events)]))
            else:
                r.future.set_result(results[at : at + len(r.events)])
            at += len(r.events)
        try:
            if self.observe is not None:
                self.observe(started - batch[0].queued_at, written - started, len(results))
            if self.after_commit is not None:
                self.after_commit(results)
        except (
            Exception
        ):  # the entries are committed; a failed hook must neither fail them nor stop the writer
            log.exception("after-commit work failed")
        for r, mine in later:
            r.future.set_result(mine)
