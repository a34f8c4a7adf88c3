"""API load benchmark: `mamori serve` as a subprocess on a free loopback port, N concurrent httpx clients (200 by
default) hitting GET /healthz (the baseline: the server doing no work), then posting to /v1/screen/prompt, in the
same run. Prints requests/s, p50/p99 latency, errors, the ratio to /healthz, and checks that the ledger holds
exactly one decision row per acknowledged request and that the chain verifies. SQLite (WAL) in a temp folder, and
PostgreSQL in a scratch database when MAMORI_TEST_POSTGRES_URL is set (or MAMORI_BENCH_API_DB names one it fills).

    python -m benchmarks.api_bench
    MAMORI_BENCH_API_CLIENTS=32 MAMORI_BENCH_API_SECONDS=20 MAMORI_BENCH_API_WORKERS=2 python -m benchmarks.api_bench
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

REGISTRY = Path(__file__).resolve().parent.parent / "tests" / "data" / "registry.yaml"
PROMPTS = [
    "Mirai Hoshino delivering letters across the night sky",
    "a watercolour of a lighthouse in the rain",
    "星野ミライ がロケットスケートで走る",
    "Tobio Kuroda with a crow-feather cloak",
    "a courier with a silver postal cap and a comet-tail scarf",
    "K4ppa-X surfing a tidal wave",
    "portrait of an old fisherman, oil painting",
    "cyberpunk street market at dusk, neon signs",
]


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def _load(
    base: str, key: str, clients: int, seconds: float, baseline: bool = False, warmups: int = 1
) -> tuple[list[float], int, float]:
    """N client threads posting prompts (or, as the baseline, GET /healthz: the server with no work) until the
    time is up: (latencies, errors, elapsed seconds)."""
    headers = {"Authorization": f"Bearer {key}"}
    if not baseline:
        with httpx.Client(base_url=base, headers=headers) as warm:  # build the indexes before timing
            for _ in range(warmups):
                warm.post("/v1/screen/prompt", json={"text": "warm-up"}).raise_for_status()
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    stop = time.monotonic() + seconds

    def run(k: int) -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=30) as c:
            i = k
            while time.monotonic() < stop:
                t0 = time.perf_counter()
                try:
                    if baseline:
                        r = c.get("/healthz")
                    else:
                        body = {"text": PROMPTS[i % len(PROMPTS)], "territory": "JP"}
                        r = c.post("/v1/screen/prompt", json=body)
                    ok = r.status_code == 200
                except httpx.HTTPError:
                    ok = False
                if ok:
                    latencies[k].append(time.perf_counter() - t0)
                else:
                    errors[k] += 1
                i += 1

    t_start = time.monotonic()
    threads = [threading.Thread(target=run, args=(k,)) for k in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return [x for per in latencies for x in per], sum(errors), time.monotonic() - t_start


def _scratch_pg(admin: str) -> tuple[str, Any]:
    """A fresh PostgreSQL database beside the admin URL's; returns its URL and a function that drops it."""
    import uuid

    import psycopg

    name = f"mamori_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"{admin.rpartition('/')[0]}/{name}", drop


def run_one(db: str, clients: int, seconds: float, workers: int) -> bool:
    """One backend: the /healthz baseline and prompt screening against the same server, in this run."""
    from mamori.ops.keys import create_key
    from mamori.service import Mamori
    from mamori.testing import ServerDidNotStart, running_server

    tmp = tempfile.TemporaryDirectory(prefix="mamori-api-bench-")
    svc = Mamori.open(db)
    svc.import_registry(REGISTRY)
    key = create_key(svc, "platform", platform="acme-video", label="api_bench")[1]
    rows_before = svc.ledger.count("decision.prompt")
    try:
        with running_server(db, Path(tmp.name) / "serve.log", workers=workers) as server:
            base_flat, _, base_elapsed = _load(server.base, key, clients, min(seconds, 5.0), baseline=True)
            flat, errors, elapsed = _load(server.base, key, clients, seconds, warmups=4 * workers)
    except ServerDidNotStart as exc:
        print(exc)
        return False
    ok_requests = len(flat)
    rows = svc.ledger.count("decision.prompt") - rows_before - 4 * workers  # minus the warm-ups
    chain = svc.ledger.verify()
    svc.close()
    tmp.cleanup()
    backend = db.split(":", 1)[0].split("+")[0]
    rate = ok_requests / elapsed
    base_rate = len(base_flat) / base_elapsed
    print(
        f"api_bench: {clients} clients × {seconds:.0f} s against mamori serve --workers {workers} ({backend}), "
        f"/v1/screen/prompt"
    )
    print(f"  requests ok      {ok_requests}")
    print(f"  errors           {errors}")
    print(f"  throughput       {rate:.1f} req/s")
    print(f"  latency p50      {_pct(flat, 0.50) * 1000:.1f} ms")
    print(f"  latency p99      {_pct(flat, 0.99) * 1000:.1f} ms")
    print(
        f"  baseline         GET /healthz (same server, same clients): {base_rate:.1f} req/s, "
        f"p50 {_pct(base_flat, 0.5) * 1000:.1f} ms, p99 {_pct(base_flat, 0.99) * 1000:.1f} ms"
    )
    print(f"  ratio            screening runs at {rate / base_rate:.2f}x of /healthz (target >= 0.70)")
    print(
        f"  ledger rows      {rows} (== acknowledged requests: {rows == ok_requests}); "
        f"chain ok: {chain.ok} ({chain.rows} rows)"
    )
    return rows == ok_requests and chain.ok and not errors


def main() -> int:
    """SQLite (WAL) always; PostgreSQL too when MAMORI_BENCH_API_DB or MAMORI_TEST_POSTGRES_URL names one."""
    clients = int(os.environ.get("MAMORI_BENCH_API_CLIENTS", "200"))
    seconds = float(os.environ.get("MAMORI_BENCH_API_SECONDS", "10"))
    workers = int(os.environ.get("MAMORI_BENCH_API_WORKERS", "1"))
    ok = True
    with tempfile.TemporaryDirectory(prefix="mamori-api-bench-db-") as folder:
        ok &= run_one(f"sqlite:///{folder}/bench.db", clients, seconds, workers)
    pg = os.environ.get("MAMORI_BENCH_API_DB")
    admin = os.environ.get("MAMORI_TEST_POSTGRES_URL")
    if pg:
        ok &= run_one(pg, clients, seconds, workers)
    elif admin:
        url, drop = _scratch_pg(admin)
        try:
            ok &= run_one(url, clients, seconds, workers)
        finally:
            drop()
    else:
        print("api_bench: PostgreSQL skipped (set MAMORI_TEST_POSTGRES_URL or MAMORI_BENCH_API_DB)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
