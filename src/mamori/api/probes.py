"""Where a request's time goes besides its own code, as Prometheus histograms on the app's `/metrics`:

- `mamori_ledger_queue_wait_seconds`: how long the oldest request of a group commit waited before its batch's write
  began (the window plus any commit still running); `mamori_ledger_commit_seconds`: the batch's transaction;
  `mamori_ledger_batch_events`: events per commit;
- `mamori_event_loop_lag_seconds`: how late a 10 ms timer on the event loop fires (anything that holds the loop —
  a long synchronous call, the GIL held by another thread — shows here, and every request on the loop waits for it);
- `mamori_gc_pause_seconds{generation}`: the cyclic garbage collector's pauses (they stop every thread).

The loop probe and the GC hook run between the app's start-up and shut-down (`lifespan`), so several apps in one
process (tests) do not pile up hooks."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from typing import Any

from prometheus_client import Counter, Histogram

from mamori.api.metrics import Metrics

_BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1.0)
LOOP_TICK_S = 0.01


class StageProbes:
    def __init__(self, metrics: Metrics) -> None:
        r = metrics.registry
        self.queue_wait = Histogram(
            "mamori_ledger_queue_wait_seconds",
            "Oldest request's wait before its group commit's write began",
            registry=r,
            buckets=_BUCKETS,
        )
        self.commit = Histogram(
            "mamori_ledger_commit_seconds", "One group commit's transaction", registry=r, buckets=_BUCKETS
        )
        self.batch = Histogram(
            "mamori_ledger_batch_events",
            "Events per group commit",
            registry=r,
            buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512),
        )
        self.loop_lag = Histogram(
            "mamori_event_loop_lag_seconds",
            f"How late a {LOOP_TICK_S * 1000:.0f} ms timer on the event loop fired",
            registry=r,
            buckets=_BUCKETS,
        )
        self.gc_pause = Histogram(
            "mamori_gc_pause_seconds",
            "Cyclic garbage collector pauses by generation",
            ["generation"],
            registry=r,
            buckets=_BUCKETS,
        )
        self.gc_cpu = Counter(
            "mamori_gc_cpu_seconds",
            "CPU time of the collecting thread in cyclic garbage collections, by generation (wall pauses above "
            "also hold time the machine gave to other processes)",
            ["generation"],
            registry=r,
        )
        self.sqlite_checkpoint = Histogram(
            "mamori_sqlite_wal_checkpoint_seconds",
            "Background SQLite WAL checkpoints (off the committing writer)",
            registry=r,
            buckets=_BUCKETS,
        )
        self.sqlite_checkpoint_pages = Counter(
            "mamori_sqlite_wal_checkpointed_pages", "WAL pages copied into the database file", registry=r
        )
        self._gc_started = 0.0
        self._gc_cpu_started = 0.0
        self._starts = 0

    def observe_commit(self, wait_s: float, write_s: float, events: int) -> None:
        """GroupCommitter.observe (on the writer thread)."""
        self.queue_wait.observe(wait_s)
        self.commit.observe(write_s)
        self.batch.observe(events)

    def observe_checkpoint(self, seconds: float, pages: int) -> None:
        self.sqlite_checkpoint.observe(seconds)
        self.sqlite_checkpoint_pages.inc(pages)

    def _gc(self, phase: str, info: dict[str, Any]) -> None:
        """The collector's callback: a probe, so it never raises. A collection may start anywhere, also deep in a
        recursion near the limit (a hostile nested document being refused): there the metric is skipped."""
        try:
            if phase == "start":
                self._gc_started = time.perf_counter()
                self._gc_cpu_started = time.thread_time()
            elif self._gc_started:
                gen = str(info.get("generation", "?"))
                self.gc_pause.labels(gen).observe(time.perf_counter() - self._gc_started)
                self.gc_cpu.labels(gen).inc(max(0.0, time.thread_time() - self._gc_cpu_started))
                self._gc_started = 0.0
        except RecursionError:
            self._gc_started = 0.0

    async def _loop_probe(self) -> None:
        while True:
            due = time.perf_counter() + LOOP_TICK_S
            await asyncio.sleep(LOOP_TICK_S)
            self.loop_lag.observe(max(0.0, time.perf_counter() - due))

    def start(self) -> asyncio.Task[None]:
        """On the app's event loop, at start-up: the loop probe's task there (for `stop`). Where the process keeps
        a frozen heap (`Mamori.warm`'s `settle_heap`, as `mamori serve` does), also moves what starting the HTTP
        server made since (its modules and objects) out of the cyclic collector's sight, so full collections under
        load walk only what requests leave behind. An app may be started on several loops at once (test clients):
        each start has its own probe task, and the GC hook stays until the last one stops."""
        if gc.get_freeze_count():
            gc.collect()
            gc.freeze()
        self._starts += 1
        if self._gc not in gc.callbacks:
            gc.callbacks.append(self._gc)
        return asyncio.get_running_loop().create_task(self._loop_probe())

    async def stop(self, task: asyncio.Task[None]) -> None:
        """At shut-down, on the loop `start` ran on."""
        self._starts -= 1
        if self._starts <= 0 and self._gc in gc.callbacks:
            gc.callbacks.remove(self._gc)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
