"""Ledger appends from an event loop's requests, handed to the group committer a loop turn at a time.

Each request awaiting its own cross-thread future costs the loop, per request: a queue put that wakes the writer,
a future chained to an asyncio one, and, when the batch is committed, one `call_soon_threadsafe` (a write to the
loop's wake-up pipe) per request (profiled: about a tenth of the screening route's CPU on the loop). Here the
requests that arrive during one turn of the loop become one `enqueue` to the writer, and their batch's commit comes
back as one call: the same transaction boundaries (the writer's window gathers either way), the same guarantee (a
request is answered only after its entry is committed; an error fails every request of the batch, as a failed
transaction does), a fraction of the cross-thread traffic.

A request cancelled while it waits (its client went away) still has its entry written once its batch has been
handed over: the decision was made and is recorded; it is never answered."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from mamori.storage.grouped_ledger import GroupCommitLedgerStore
from mamori.storage.ledger_store import Appended, Event, encode

_Waiter = tuple[Event, "asyncio.Future[Appended]"]


class LoopAppender:
    """`await appender.append(kind, data)`: the committed entry, appended with whatever else this loop turn
    appends."""

    def __init__(self, ledger: GroupCommitLedgerStore) -> None:
        self.ledger = ledger
        self._pending: dict[asyncio.AbstractEventLoop, list[_Waiter]] = {}
        self.handovers = 0  # enqueues made (each one batch of a loop turn's requests)

    async def append(self, kind: str, data: dict[str, Any]) -> Appended:
        loop = asyncio.get_running_loop()
        event: Event = (kind, encode(data))  # an event that cannot be encoded fails its own request
        future: asyncio.Future[Appended] = loop.create_future()
        pending = self._pending.get(loop)
        if pending is None:
            pending = self._pending[loop] = []
            loop.call_soon(self._hand_over, loop)
        pending.append((event, future))
        return await future

    def _hand_over(self, loop: asyncio.AbstractEventLoop) -> None:
        waiters = [w for w in self._pending.pop(loop, []) if not w[1].done()]
        if not waiters:
            return
        try:
            committed = self.ledger.enqueue([event for event, _ in waiters])
        except Exception as exc:  # the writer is closed: every request of this turn fails with it
            _fail(waiters, exc)
            return
        self.handovers += 1

        def back(done: Any) -> None:  # on the writer thread
            with contextlib.suppress(RuntimeError):  # a closed loop: nobody is waiting any more
                loop.call_soon_threadsafe(_deliver, waiters, done)

        committed.add_done_callback(back)


def _deliver(waiters: list[_Waiter], done: Any) -> None:
    """On the loop: each request its own entry (the batch's results are in the order of its events), or the batch's
    error."""
    if done.cancelled():
        _fail(waiters, asyncio.CancelledError("the ledger batch was withdrawn"))
        return
    exc = done.exception()
    if exc is not None:
        _fail(waiters, exc)
        return
    for (_, future), appended in zip(waiters, done.result(), strict=True):
        if not future.done():
            future.set_result(appended)


def _fail(waiters: list[_Waiter], exc: BaseException) -> None:
    for _, future in waiters:
        if not future.done():
            future.set_exception(exc)
