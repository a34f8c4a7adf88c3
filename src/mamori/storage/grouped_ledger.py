"""The ledger store with group commit: `append`/`append_many` from concurrent threads go through one writer
thread that commits them in shared transactions (`mamori.ledger.group_commit`); reads are the plain store's.
`enqueue` is the same without blocking (an asyncio route awaits the future)."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future
from typing import Any

from sqlalchemy import Engine

from mamori.ledger.group_commit import GroupCommitter
from mamori.storage.db import make_engine
from mamori.storage.ledger_store import Appended, Encoded, Event, LedgerStore, encode


class GroupCommitLedgerStore(LedgerStore):
    def __init__(self, engine: Engine, window_s: float = 0.002, max_events: int = 512, **kwargs: Any):
        super().__init__(engine, **kwargs)
        if self._pg:
            # The writer's own connection: a commit never queues for a pooled connection behind request threads
            # (a burst of them holding the pool stalled every waiting request's commit); the pool's pre-ping
            # replaces it after a database restart.
            self.write_engine = make_engine(engine.url.render_as_string(hide_password=False), pool_size=1)
        # The writer appends as the plain store does: one transaction per batch, retried on a new head.
        self.group: GroupCommitter[Appended] = GroupCommitter(self._append_committed, window_s, max_events)
        # The after-commit work (a checkpoint when due) runs after the batch's awaiting callers are answered.
        self.group.after_commit = self._after_commit

    def _after_commit(self, appended: list[Appended]) -> None:
        if self.after_commit is not None:
            self.after_commit(appended)

    def append_many(self, events: Sequence[Event]) -> list[Appended]:
        """Append in one transaction shared with concurrent callers; returns once it is committed."""
        return self.enqueue(events, after_work=True).result()

    def enqueue(self, events: Sequence[Event], after_work: bool = False) -> Future[list[Appended]]:
        """`append_many` without waiting: the future is done once the events are committed (or failed); with
        `after_work`, once the batch's after-commit work (a checkpoint when due) is done too.
        Each event is encoded here, on the caller's thread: an unserialisable event fails its own caller, not the
        whole batch, and the writer does not encode it again."""
        encoded: list[Event] = [
            (kind, data if isinstance(data, Encoded) else encode(data)) for kind, data in events
        ]
        return self.group.enqueue(encoded, after_work)

    def close(self) -> None:
        self.group.close()
        if self.write_engine is not self.engine:
            self.write_engine.dispose()
