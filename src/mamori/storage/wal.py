"""SQLite WAL checkpoints off the committing writer.

By default SQLite checkpoints the WAL inside the commit that makes it pass 1,000 pages: that commit copies the pages
into the database file and syncs it, and every request waiting for that group commit waits too (a latency tail
under steady load). A long-running server instead opens its engine with `make_engine(url,
sqlite_autocheckpoint=False)` and runs this thread: a PASSIVE checkpoint (it never blocks writers or readers) every
`interval` seconds, on a pooled connection held only while it runs. Durability is unchanged: a commit is in the WAL
(synced as `PRAGMA synchronous` says) before it is acknowledged, whoever checkpoints it later; and if this process
dies, SQLite checkpoints at the next open or at the last connection's close."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy import Engine

log = logging.getLogger("mamori.storage")


class WalCheckpointer:
    def __init__(self, engine: Engine, interval: float = 0.5):
        self.engine = engine
        self.interval = max(0.01, interval)
        # observe(seconds, pages copied) after each checkpoint that copied something (metrics)
        self.observe: Callable[[float, int], None] | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-wal-checkpoint", daemon=True)

    def start(self) -> WalCheckpointer:
        self._thread.start()
        return self

    def checkpoint(self, mode: str = "PASSIVE") -> tuple[int, int, int]:
        """One checkpoint: (busy, WAL pages, pages checkpointed), as `PRAGMA wal_checkpoint` answers."""
        if mode not in ("PASSIVE", "FULL", "RESTART", "TRUNCATE"):
            raise ValueError(f"unknown checkpoint mode {mode!r}")
        raw = self.engine.raw_connection()
        try:
            cur = raw.cursor()
            cur.execute(f"PRAGMA wal_checkpoint({mode})")
            row = cur.fetchone()
            cur.close()
        finally:
            raw.close()  # back to the pool
        return (int(row[0]), int(row[1]), int(row[2])) if row else (0, 0, 0)

    def _run(self) -> None:
        done = 0  # pages already checkpointed out of the current WAL (the counts restart when the WAL does)
        while not self._stop.wait(self.interval):
            started = time.perf_counter()
            try:
                _busy, pages, copied = self.checkpoint()
            except Exception:  # the database away or locked for long: the next tick tries again
                log.warning("background WAL checkpoint failed", exc_info=True)
                continue
            new = copied - done if copied >= done else copied
            done = copied if pages > 0 else 0
            if new > 0 and self.observe is not None:
                self.observe(time.perf_counter() - started, new)

    def close(self, timeout: float = 5.0) -> None:
        """Stop the thread and checkpoint what is left (the WAL does not wait for the next process)."""
        if self._stop.is_set():
            return
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        try:
            self.checkpoint()
        except Exception:
            log.warning("final WAL checkpoint failed", exc_info=True)
