"""API load benchmark: `mamori serve` as a subprocess on a free loopback port, N concurrent httpx clients (200 by
default) hitting GET /healthz (the baseline: the server doing no work), then posting to /v1/screen/prompt, in the
same run. Prints requests/s, p50/p99 latency, errors, the ratio to /healthz, and checks that the ledger holds
exactly one decision row per acknowledged request and that the chain verifies. SQLite (WAL) in a temp folder, and
PostgreSQL in a scratch database when MAMORI_TEST_POSTGRES_URL is set (or MAMORI_BENCH_API_DB names one it fills).

Latency in a closed loop is ~clients / throughput (Little's law), so with 200 clients it says more about the client
count than the server; the bench therefore also sends an open-loop load (a fixed schedule, latency counted from the
scheduled time) at half the measured screening rate to both routes, and prints the server CPU per request of each
route, the figure least disturbed by other work on a shared machine.

    python -m benchmarks.api_bench
    MAMORI_BENCH_API_CLIENTS=32 MAMORI_BENCH_API_SECONDS=20 MAMORI_BENCH_API_WORKERS=2 python -m benchmarks.api_bench
"""

from __future__ import annotations

import os
import sys
import tempfile
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


def _session(base: str, key: str, clients: int) -> Any:
    """An aiohttp session of at most `clients` keep-alive connections to the server, with the bench's key."""
    import aiohttp

    return aiohttp.ClientSession(
        base,
        headers={"Authorization": f"Bearer {key}"},
        connector=aiohttp.TCPConnector(limit=clients, limit_per_host=clients),
        timeout=aiohttp.ClientTimeout(total=60),
    )


async def _clients(
    base: str, key: str, clients: int, start_at: float, seconds: float, baseline: bool, offset: int
) -> tuple[list[float], int]:
    """`clients` concurrent keep-alive connections in one event loop (aiohttp: its client pool stays cheap with
    hundreds of connections, httpx's does not), each sending its next request when the last is answered, from
    wall-clock `start_at` for `seconds`."""
    import asyncio

    latencies: list[float] = []
    errors = 0
    async with _session(base, key, clients) as c:
        await asyncio.sleep(max(0.0, start_at - time.time()))
        stop = time.monotonic() + seconds

        async def one(k: int) -> None:
            nonlocal errors
            i = k
            while time.monotonic() < stop:
                t0 = time.perf_counter()
                ok = await _one_request(c, baseline, i)
                if ok:
                    latencies.append(time.perf_counter() - t0)
                else:
                    errors += 1
                i += 1

        await asyncio.gather(*(one(offset + k) for k in range(clients)))
    return latencies, errors


async def _one_request(c: Any, baseline: bool, i: int) -> bool:
    """One request of a bench client: `/healthz` (the baseline) or a prompt screening; True when answered 200."""
    import aiohttp

    try:
        if baseline:
            request = c.get("/healthz")
        else:
            request = c.post("/v1/screen/prompt", json={"text": PROMPTS[i % len(PROMPTS)], "territory": "JP"})
        async with request as r:
            await r.read()
            return bool(r.status == 200)
    except (TimeoutError, aiohttp.ClientError):
        return False


async def _open_clients(
    base: str,
    key: str,
    clients: int,
    start_at: float,
    seconds: float,
    baseline: bool,
    offset: int,
    rate: float,
) -> tuple[list[float], int]:
    """Open loop: requests sent on a fixed schedule (`rate` per second, evenly spaced) over at most `clients`
    connections, whatever the answers' pace; each latency counts from the scheduled send time, so time spent
    waiting for a free connection is part of it (no coordinated omission)."""
    import asyncio

    latencies: list[float] = []
    errors = 0
    async with _session(base, key, clients) as c:
        await asyncio.sleep(max(0.0, start_at - time.time()))
        t0 = time.perf_counter()

        async def one(k: int, due: float) -> None:
            nonlocal errors
            ok = await _one_request(c, baseline, k)
            if ok:
                latencies.append(time.perf_counter() - due)
            else:
                errors += 1

        tasks = []
        for k in range(int(rate * seconds)):
            due = t0 + k / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            tasks.append(asyncio.ensure_future(one(offset + k, due)))
        await asyncio.gather(*tasks)
    return latencies, errors


def _client_process(args: tuple[Any, ...], out: Any) -> None:
    import asyncio

    if len(args) > 7:
        out.put(asyncio.run(_open_clients(*args)))
    else:
        out.put(asyncio.run(_clients(*args)))


def _load(
    base: str, key: str, clients: int, seconds: float, baseline: bool = False, rate: float | None = None
) -> tuple[list[float], int, float]:
    """N concurrent clients posting prompts (or, as the baseline, GET /healthz: the server with no work) until the
    time is up: (latencies, errors, elapsed seconds). The clients are asyncio connections spread over
    MAMORI_BENCH_API_CLIENT_PROCS processes (2): 200 client threads in one process would measure the GIL.
    Server CPU is read around the timed part only."""
    import multiprocessing as mp

    procs = max(1, min(clients, int(os.environ.get("MAMORI_BENCH_API_CLIENT_PROCS", "2"))))
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    start_at = time.time() + 2.0  # every client process connects first, then all start together
    shares = [clients // procs + (1 if p < clients % procs else 0) for p in range(procs)]
    open_loop = () if rate is None else (rate / procs,)
    workers = [
        ctx.Process(
            target=_client_process,
            args=((base, key, n, start_at, seconds, baseline, sum(shares[:p]), *open_loop), out),
        )
        for p, n in enumerate(shares)
    ]
    for w in workers:
        w.start()
    results = [out.get(timeout=seconds + 120) for _ in workers]
    for w in workers:
        w.join()
    return [x for lat, _ in results for x in lat], sum(e for _, e in results), seconds


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its direct children (the workers of `serve --workers N`)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


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
            with httpx.Client(
                base_url=server.base, headers={"Authorization": f"Bearer {key}"}, timeout=120
            ) as warm:
                # build the indexes and load lazily-built parts (pykakasi's dictionaries: the first Japanese
                # prompt of a process takes seconds) in every worker before timing
                for _ in range(2 * workers):
                    for prompt in PROMPTS:
                        warm.post("/v1/screen/prompt", json={"text": prompt}).raise_for_status()
            cpu0 = _cpu_seconds(server.proc.pid)
            base_flat, _, base_elapsed = _load(server.base, key, clients, min(seconds, 5.0), baseline=True)
            cpu1 = _cpu_seconds(server.proc.pid)
            flat, errors, elapsed = _load(server.base, key, clients, seconds)
            cpu2 = _cpu_seconds(server.proc.pid)
            # Open loop at a fixed offered load (half the screening rate just measured, i.e. the server ~50 % busy,
            # unless MAMORI_BENCH_API_OPEN_RATE says): latency there, for both routes, is what a client sees below
            # saturation; the closed loop's latency is ~clients/throughput by Little's law, whatever the server does.
            open_rate = float(os.environ.get("MAMORI_BENCH_API_OPEN_RATE", "0")) or max(
                1, round(len(flat) / seconds / 2)
            )
            open_seconds = min(seconds, 5.0)
            open_base, open_base_err, _ = _load(
                server.base, key, clients, open_seconds, baseline=True, rate=open_rate
            )
            open_flat, open_err, _ = _load(server.base, key, clients, open_seconds, rate=open_rate)
    except ServerDidNotStart as exc:
        print(exc)
        return False
    ok_requests = len(flat)
    rows = (
        svc.ledger.count("decision.prompt") - rows_before - 2 * workers * len(PROMPTS)
    )  # minus the warm-ups
    acknowledged = ok_requests + len(open_flat)
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
    print(
        f"  server CPU       {(cpu2 - cpu1) / max(ok_requests, 1) * 1000:.2f} ms per screened prompt, "
        f"{(cpu1 - cpu0) / max(len(base_flat), 1) * 1000:.2f} ms per /healthz "
        f"(busy {(cpu2 - cpu1) / elapsed:.2f} / {(cpu1 - cpu0) / base_elapsed:.2f} cores)"
    )
    print(f"  ratio            screening runs at {rate / base_rate:.2f}x of /healthz (target >= 0.70)")
    print(
        f"  Little's law     {clients} clients in a closed loop wait ~{clients / rate * 1000:.0f} ms each at "
        f"{rate:.0f}/s ({clients / base_rate * 1000:.0f} ms at the /healthz rate): p99 <= 50 ms with {clients} "
        f"clients needs > {clients / 0.05:.0f} req/s"
    )
    print(
        f"  open loop        {open_rate:.0f} req/s offered for {open_seconds:.0f} s: screening p50 "
        f"{_pct(open_flat, 0.5) * 1000:.1f} ms, p99 {_pct(open_flat, 0.99) * 1000:.1f} ms, errors {open_err}; "
        f"/healthz p50 {_pct(open_base, 0.5) * 1000:.1f} ms, p99 {_pct(open_base, 0.99) * 1000:.1f} ms, "
        f"errors {open_base_err}"
    )
    print(
        f"  ledger rows      {rows} (== acknowledged requests {acknowledged}: {rows == acknowledged}); "
        f"chain ok: {chain.ok} ({chain.rows} rows)"
    )
    return rows == acknowledged and chain.ok and not errors and not open_err


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
