"""Run `mamori serve` as a real process on a free loopback port (end-to-end tests, load benchmarks, demos)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class RunningServer:
    base: str
    proc: subprocess.Popen[bytes]
    log: Path


class ServerDidNotStart(RuntimeError):
    pass


@contextmanager
def running_server(
    db: str, log: Path, env: dict[str, str] | None = None, timeout: float = 60.0, workers: int = 1
) -> Iterator[RunningServer]:
    """Start `mamori serve --db DB`, wait for /readyz, yield it, and stop it afterwards (output goes to `log`)."""
    import httpx

    port = free_port()
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "mamori.cli.main", "serve", "--port", str(port), "--db", db]
            + (["--workers", str(workers)] if workers != 1 else []),
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise ServerDidNotStart(f"mamori serve did not become ready:\n{log.read_text()}")
            time.sleep(0.1)
        yield RunningServer(base, proc, log)
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
