"""Random bytes from the kernel's CSPRNG (`os.urandom`), fetched a block at a time.

`os.urandom` releases the interpreter lock around its `getrandom` call. On a busy API server each release hands the
lock to another thread (the ledger writer) for up to the switch interval (5 ms) before the event loop gets it back;
two such calls per screened prompt (request id, commitment salt) cost more than the screening itself. These are the
same kernel bytes, read 4 KiB per call; each byte is handed out once, and a forked child starts with an empty block
so it never repeats its parent's bytes.
"""

from __future__ import annotations

import os
import threading

BLOCK = 4096


class _Pool:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buf = b""
        self._at = 0

    def take(self, n: int) -> bytes:
        if n > BLOCK:
            return os.urandom(n)
        with self._lock:
            if self._at + n > len(self._buf):
                self._buf, self._at = os.urandom(BLOCK), 0
            out = self._buf[self._at : self._at + n]
            self._at += n
            return out

    def forget(self) -> None:
        self._lock = threading.Lock()
        self._buf, self._at = b"", 0


_POOL = _Pool()
os.register_at_fork(after_in_child=_POOL.forget)


def random_bytes(n: int) -> bytes:
    """`n` bytes from the kernel CSPRNG, as `os.urandom(n)` (buffered; see the module note)."""
    return _POOL.take(n)


def token_hex(n: int) -> str:
    """`secrets.token_hex(n)` from the same buffered source."""
    return random_bytes(n).hex()
