"""SQLite WAL checkpoints off the committing writer (storage.wal): a server's engine does not checkpoint inside a
commit; the background thread copies the WAL into the database file; closing checkpoints what is left."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import text

from mamori.service import Mamori


def _autocheckpoint(svc: Mamori) -> int:
    with svc.engine.connect() as conn:
        return int(conn.execute(text("PRAGMA wal_autocheckpoint")).scalar() or 0)


def test_a_server_checkpoints_in_the_background_not_in_the_commit(tmp_path: Path) -> None:
    svc = Mamori.open(f"sqlite:///{tmp_path}/wal.db", sqlite_wal_checkpoint_seconds=0.05)
    try:
        assert svc.wal_checkpointer is not None
        copied: list[int] = []
        svc.wal_checkpointer.observe = lambda seconds, pages: copied.append(pages)
        for i in range(40):
            svc.ledger.append_many([("test.event", {"i": i, "pad": "x" * 2000}) for _ in range(5)])
        deadline = time.monotonic() + 10
        while not copied and time.monotonic() < deadline:
            time.sleep(0.02)
        assert copied and sum(copied) > 0  # the background thread did
        assert _autocheckpoint(svc) == 0  # the committing connections never do
        assert svc.ledger.count("test.event") == 200
    finally:
        svc.close()
    # reopened as a CLI would be: everything is there, the chain verifies
    again = Mamori.open(f"sqlite:///{tmp_path}/wal.db")
    try:
        assert again.wal_checkpointer is None and _autocheckpoint(again) > 0  # SQLite's own checkpoints again
        assert again.ledger.count("test.event") == 200 and again.ledger.verify().ok
    finally:
        again.close()
