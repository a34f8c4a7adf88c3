"""The ledger store with group commit: `append`/`append_many` from concurrent threads go through one writer
thread that commits them in shared transactions (`mamori.ledger.group_commit`); reads are the plain store's.
`enqueue` is the same without blocking (an asyncio route awaits the future)."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future
from typing import Any

from sqlalchemy import Engine

from mamori.ledger.group_commit import GroupCommitter
from mamori.storage.ledger_store import Appended, Encoded, Event, LedgerStore, encode


class GroupCommitLedgerStore(LedgerStore):
    def __init__(self, engine: Engine, window_s: float = 0.002, max_events: int = 512, **kwargs: Any):
        super().__init__(engine, **kwargs)
        # The writer calls the plain store's append_many: one transaction per batch, retried on a new head.
        self.group: GroupCommitter[Appended] = GroupCommitter(
            lambda events: LedgerStore.append_many(self, events), window_s, max_events
        )

    def append_many(self, events: Sequence[Event]) -> list[Appended]:
        """Append in one transaction shared with concurrent callers; returns once it is committed."""
        return self.enqueue(events).result()

    def enqueue(self, events: Sequence[Event]) -> Future[list[Appended]]:
        """`append_many` without waiting: the future is done once the events are committed (or failed).
        Each event is encoded here, on the caller's thread: an unserialisable event fails its own caller, not the
        whole batch, and the writer does not encode it again."""
        encoded: list[Event] = [
            (kind, data if isinstance(data, Encoded) else encode(data)) for kind, data in events
        ]
        return self.group.enqueue(encoded)

    def close(self) -> None:
        self.group.close()
