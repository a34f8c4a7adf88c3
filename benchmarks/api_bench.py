"""API load benchmark (MAMORI_BENCH_API_DB may name a PostgreSQL database it fills: use a scratch one): `mamori serve` as a subprocess on a free loopback port, N concurrent httpx clients posting
to /v1/screen/prompt for a fixed time. Prints requests/s, p50/p99 latency, errors, and checks that the ledger
holds exactly one decision row per successful request and that the chain verifies.

    python -m benchmarks.api_bench                      # 16 clients, 10 s, SQLite in a temp folder
    MAMORI_BENCH_API_CLIENTS=32 MAMORI_BENCH_API_SECONDS=20 MAMORI_BENCH_API_DB=postgresql://… python -m benchmarks.api_bench
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from pathlib import Path

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
    base: str, key: str, clients: int, seconds: float, baseline: bool = False
) -> tuple[list[float], int, float]:
    """N client threads posting prompts (or, as the baseline, GET /healthz: the server with no work) until the
    time is up: (latencies, errors, elapsed seconds)."""
    headers = {"Authorization": f"Bearer {key}"}
    if not baseline:
        with httpx.Client(base_url=base, headers=headers) as warm:  # build the indexes before timing
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


def main() -> int:
    from mamori.ops.keys import create_key
    from mamori.service import Mamori
    from mamori.testing import ServerDidNotStart, running_server

    clients = int(os.environ.get("MAMORI_BENCH_API_CLIENTS", "16"))
    seconds = float(os.environ.get("MAMORI_BENCH_API_SECONDS", "10"))
    tmp = tempfile.TemporaryDirectory(prefix="mamori-api-bench-")
    db = os.environ.get("MAMORI_BENCH_API_DB") or f"sqlite:///{tmp.name}/bench.db"
    svc = Mamori.open(db)
    svc.import_registry(REGISTRY)
    key = create_key(svc, "platform", platform="acme-video", label="api_bench")[1]
    rows_before = svc.ledger.count("decision.prompt")
    try:
        with running_server(db, Path(tmp.name) / "serve.log") as server:
            base_flat, _, base_elapsed = _load(server.base, key, clients, min(seconds, 3.0), baseline=True)
            flat, errors, elapsed = _load(server.base, key, clients, seconds)
    except ServerDidNotStart as exc:
        print(exc)
        return 1
    ok_requests = len(flat)
    rows = svc.ledger.count("decision.prompt") - rows_before - 1  # minus the warm-up
    chain = svc.ledger.verify()
    svc.close()
    tmp.cleanup()
    backend = db.split(":", 1)[0]
    print(
        f"api_bench: {clients} clients × {seconds:.0f} s against mamori serve ({backend}), /v1/screen/prompt"
    )
    print(f"  requests ok      {ok_requests}")
    print(f"  errors           {errors}")
    print(f"  throughput       {ok_requests / elapsed:.1f} req/s")
    print(f"  latency p50      {_pct(flat, 0.50) * 1000:.1f} ms")
    print(f"  latency p99      {_pct(flat, 0.99) * 1000:.1f} ms")
    base_rate = len(base_flat) / base_elapsed
    print(
        f"  baseline         GET /healthz (same server, same clients): {base_rate:.1f} req/s, "
        f"p50 {_pct(base_flat, 0.5) * 1000:.1f} ms; screening runs at {ok_requests / elapsed / base_rate:.2f}x of it"
    )
    print(
        f"  ledger rows      {rows} (== requests: {rows == ok_requests}); chain ok: {chain.ok} ({chain.rows} rows)"
    )
    return 0 if rows == ok_requests and chain.ok and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
