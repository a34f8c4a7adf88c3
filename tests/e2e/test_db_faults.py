"""Faults under load. PostgreSQL going away: `mamori serve` answers 503 with a reason while it is away, recovers by
itself within 5 s after it returns, and loses no acknowledged ledger entry. `mamori serve` killed with SIGKILL
during group commits: every decision it answered is in the ledger, and the chain verifies.

The database is taken away for this test's database only (connections refused, backends terminated), so other
tests on the same server are not disturbed. The real server restart (`pg_ctlcluster ... restart`) runs when
MAMORI_TEST_PG_RESTART=1, since it breaks every other test using PostgreSQL at that moment: `make test` runs it
alone after the suite in CI (CI=true), where the test database is this machine's own cluster."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import psycopg
import pytest

from mamori.ops.keys import create_key
from mamori.service import Mamori
from mamori.testing import running_server

pytestmark = pytest.mark.e2e
DATA = Path(__file__).resolve().parents[1] / "data" / "registry.yaml"
PROMPT = {"text": "Mirai Hoshino delivering letters", "territory": "JP"}
ADMIN = os.environ.get("MAMORI_TEST_POSTGRES_URL", "")


Answers = list[tuple[float, int, dict[str, object]]]


def _under_load(pg_url: str, tmp_path: Path, outage: Callable[[Answers], float]) -> tuple[float, int]:
    """Screen from 6 clients while `outage(answers)` runs (it returns when the database is back, as a monotonic
    time; it may watch the answers so far)."""
    svc = Mamori.open(pg_url)
    svc.import_registry(DATA)
    key = create_key(svc, "platform", platform="acme-video")[1]
    answers: Answers = []
    done = threading.Event()
    with running_server(pg_url, tmp_path / "serve.log") as server:

        def client() -> None:
            with httpx.Client(
                base_url=server.base, headers={"Authorization": f"Bearer {key}"}, timeout=30
            ) as c:
                while not done.is_set():
                    try:
                        r = c.post("/v1/screen/prompt", json=PROMPT)
                        answers.append((time.monotonic(), r.status_code, r.json()))
                    except httpx.HTTPError as exc:  # the service must not drop connections either
                        answers.append((time.monotonic(), 0, {"error": repr(exc)}))
                    time.sleep(0.01)

        threads = [threading.Thread(target=client) for _ in range(6)]
        for th in threads:
            th.start()
        try:
            time.sleep(1.0)
            back = outage(answers)
            deadline = back + 10
            while time.monotonic() < deadline and not any(t > back and s == 200 for t, s, _ in answers):
                time.sleep(0.05)
            time.sleep(0.5)
        finally:
            done.set()
            for th in threads:
                th.join()
    recovered = min((t for t, s, _ in answers if t > back and s == 200), default=None)
    assert recovered is not None and recovered - back <= 5.0, "no 200 within 5 s after the database returned"
    bad = [(s, body) for _, s, body in answers if s not in (200, 503)]
    assert bad == [], bad[:3]
    unavailable = [body for _, s, body in answers if s == 503]
    assert all(str(b.get("error", "")).startswith("the database is") for b in unavailable), unavailable[:3]
    acked = {str(body["id"]) for _, s, body in answers if s == 200}
    stored = {r.event["data"].get("request_id") for r in svc.ledger.rows(kinds=["decision.prompt"])}
    assert acked <= stored, f"{len(acked - stored)} acknowledged decisions are missing from the ledger"
    assert svc.ledger.verify().ok
    svc.close()
    print(
        f"recovered {recovered - back:.2f} s after the database returned; {len(unavailable)} answers were 503"
    )
    return recovered - back, len(unavailable)


def test_database_away_gives_503_then_recovers_without_losing_entries(pg_url: str, tmp_path: Path) -> None:
    name = pg_url.rpartition("/")[2]

    def outage(answers: Answers) -> float:
        with psycopg.connect(ADMIN, autocommit=True) as conn:
            try:
                conn.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
                conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
                )
                away = time.monotonic()
                # away until some requests have been answered 503 (at most 15 s: then the assertion below fails)
                while time.monotonic() - away < 15 and sum(1 for _, st, _ in answers if st == 503) < 3:
                    time.sleep(0.1)
            finally:
                conn.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true')
        return time.monotonic()

    _, unavailable = _under_load(pg_url, tmp_path, outage)
    assert unavailable >= 3  # while away, requests were answered 503 with the reason


def _pg_cluster(pg_url: str) -> str:
    """The version of this machine's cluster that serves `pg_url`; skips where there is none to restart, or where
    the URL names another machine's server (restarting ours would prove nothing)."""
    from urllib.parse import urlsplit

    host = urlsplit(pg_url).hostname or ""
    if host not in ("", "127.0.0.1", "localhost", "::1"):
        pytest.skip(f"the test database is on {host}, not on this machine's cluster")
    versions = sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else []
    if not versions:
        pytest.skip("no local PostgreSQL cluster to restart")
    if os.geteuid() != 0:
        import pwd

        if pwd.getpwuid(os.geteuid()).pw_name != "postgres":
            pytest.skip("restarting the cluster needs root or the postgres user")
    return versions[-1]


@pytest.mark.skipif(os.environ.get("MAMORI_TEST_PG_RESTART") != "1", reason="set MAMORI_TEST_PG_RESTART=1")
def test_postgresql_restarted_under_load(pg_url: str, tmp_path: Path) -> None:
    version = _pg_cluster(pg_url)
    ctl = ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main"]

    def outage(answers: Answers) -> float:
        try:
            subprocess.run([*ctl, "restart"], check=True, capture_output=True, timeout=60)
        finally:  # PostgreSQL must be left running whatever happened
            if subprocess.run([*ctl, "status"], capture_output=True).returncode != 0:
                subprocess.run([*ctl, "start"], capture_output=True, timeout=60)
        return time.monotonic()

    _, unavailable = _under_load(pg_url, tmp_path, outage)
    assert unavailable >= 1  # the restart was seen: some requests were answered 503 with the reason


def test_serve_killed_during_group_commits_loses_no_acknowledged_decision(tmp_path: Path) -> None:
    """SIGKILL of `mamori serve` under load (SQLite: no PostgreSQL needed): every answered decision is stored."""
    db = f"sqlite:///{tmp_path / 'kill.db'}"
    svc = Mamori.open(db)
    svc.import_registry(DATA)
    key = create_key(svc, "platform", platform="acme-video")[1]
    acked: list[str] = []
    with running_server(db, tmp_path / "serve.log") as server:

        def client() -> None:
            with httpx.Client(
                base_url=server.base, headers={"Authorization": f"Bearer {key}"}, timeout=30
            ) as c:
                while True:
                    try:
                        r = c.post("/v1/screen/prompt", json=PROMPT)
                    except httpx.HTTPError:
                        return  # the server is gone
                    if r.status_code == 200:
                        acked.append(str(r.json()["id"]))

        threads = [threading.Thread(target=client) for _ in range(8)]
        for th in threads:
            th.start()
        deadline = time.monotonic() + 30
        while len(acked) < 60 and time.monotonic() < deadline:
            time.sleep(0.01)
        server.proc.kill()  # SIGKILL while batches are being committed
        server.proc.wait()
        for th in threads:
            th.join()
    assert len(acked) >= 60
    stored = {r.event["data"].get("request_id") for r in svc.ledger.rows(kinds=["decision.prompt"])}
    assert set(acked) <= stored
    assert svc.ledger.verify().ok
    svc.close()
