"""API load benchmark: `mamori serve` as a subprocess on a free loopback port (signing checkpoints every 10 s, as
a deployed log does), 200 concurrent client connections by default, and in the same run against the same server:

1. closed loop, GET /healthz: the baseline, the server doing no work; its rate R is the reference;
2. closed loop, POST /v1/screen/prompt: each connection sends its next request when the last is answered; the
   target is a screening rate >= 0.7 R;
3. open loop, POST /v1/screen/prompt at 0.7 R: requests sent on a fixed schedule over the 200 connections whatever
   the answers' pace, latency counted from each request's scheduled send time (no coordinated omission); the
   target is p99 <= 50 ms (and the offered rate answered);
4. open loop, GET /healthz at the same rate: what the machine and the clients alone cost in latency;
5. open loop, POST /v1/screen/prompt at 70 % of the screening rate of step 2 (not a target; run right after step 2,
   before the overload of step 3 can leave a backlog): the tail below saturation, where a service is run, when
   0.7 R is above what one server can screen.

Then it checks that the ledger holds exactly one decision entry per acknowledged request and that the chain
verifies, and prints PASS/FAIL per target. SQLite (WAL) in a temp folder, and PostgreSQL in a scratch database when
MAMORI_TEST_POSTGRES_URL is set (or MAMORI_BENCH_API_DB names one it fills).

Why the open loop for latency: in a closed loop latency is ~clients / throughput (Little's law), so with 200 clients
p99 <= 50 ms would need > 4,000 req/s whatever the server does; the bench prints that too. Beside the client's
figures it prints the server's own (from its /metrics, read around the open loop): server-side latency, the group
commit's queue wait and commit time, event-loop lag, GC pauses and background WAL checkpoints, and the server CPU per
request of each route (the figure least disturbed by other work on a shared machine).

    python -m benchmarks.api_bench
    MAMORI_BENCH_API_CLIENTS=32 MAMORI_BENCH_API_SECONDS=20 MAMORI_BENCH_API_WORKERS=2 python -m benchmarks.api_bench
    MAMORI_BENCH_API_OPEN_RATE=1000 python -m benchmarks.api_bench   # a fixed offered load instead of 0.7 R
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


def _stack() -> str:
    """The server's event loop and HTTP parser, as uvicorn picks them (`mamori serve --loop/--http`, or
    MAMORI_SERVE_LOOP / MAMORI_SERVE_HTTP, which the server inherits: `asyncio` and `h11` measure the slow stack)."""
    import importlib.util

    loop = os.environ.get("MAMORI_SERVE_LOOP", "auto")
    http = os.environ.get("MAMORI_SERVE_HTTP", "auto")
    if loop == "auto":
        loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    if http == "auto":
        http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    return f"{loop} + {http}"


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


async def _open_connections(c: Any, clients: int) -> None:
    """Open the pool's connections before the timed part (GET /healthz on each, all at once): otherwise the first
    `clients` requests of a step pay TCP set-up and the server's accept while the schedule runs, 2 % of a 5 s open
    loop at 2,000 req/s, enough to move its p99."""
    import asyncio

    async def one() -> None:
        async with c.get("/healthz") as r:
            await r.read()

    await asyncio.gather(*(one() for _ in range(clients)), return_exceptions=True)


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
        await _open_connections(c, clients)
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
        await _open_connections(c, clients)
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
    import gc

    # The load generator's own cyclic garbage collector stops its event loop, and every request in flight (its send
    # or its answer's read) waits with it: measured at 2,000 req/s open loop, one client process, 15 s, the slow
    # answers came in bursts every ~4 s (gen-2 collections over the growing lists of tasks and latencies) and
    # made p99 107–229 ms; with collection off p99 was 34 ms, p99.9 46 ms, the same server. A load generator must
    # not measure itself (wrk and vegeta have no collector): these processes live for one load step.
    gc.disable()

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
    # every client process starts and opens its connections first, then all go together
    start_at = time.time() + 3.0
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


TARGET_RATIO = 0.70  # screening rate / /healthz rate
TARGET_P99_S = 0.050  # open-loop p99 at TARGET_RATIO x the /healthz rate
CAPACITY_SHARE = 0.70  # an extra open loop at this share of the measured screening rate (informational)


def _scrape(base: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """The server's Prometheus samples: {(sample name, labels): value}."""
    from prometheus_client.parser import text_string_to_metric_families

    text = httpx.get(f"{base}/metrics", timeout=30).text
    out: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def _histogram(
    before: dict[Any, float], after: dict[Any, float], name: str, **labels: str
) -> tuple[float, float, list[tuple[float, float]]]:
    """(count, sum, [(bucket upper bound, cumulative count)]) of a histogram between two scrapes."""

    def pick(samples: dict[Any, float], suffix: str) -> dict[float, float]:
        got: dict[float, float] = {}
        for (sample, lbls), value in samples.items():
            d = dict(lbls)
            if sample != name + suffix or any(d.get(k) != v for k, v in labels.items()):
                continue
            key = float(d.get("le", "0").replace("+Inf", "inf"))
            got[key] = got.get(key, 0.0) + value
        return got

    count = sum(pick(after, "_count").values()) - sum(pick(before, "_count").values())
    total = sum(pick(after, "_sum").values()) - sum(pick(before, "_sum").values())
    b0, b1 = pick(before, "_bucket"), pick(after, "_bucket")
    return count, total, sorted((le, b1[le] - b0.get(le, 0.0)) for le in b1)


def _quantile_bound(buckets: list[tuple[float, float]], count: float, q: float) -> str:
    """The bucket bound the q-quantile lies under, as text ('<= 5 ms')."""
    for le, cum in buckets:
        if count and cum >= q * count:
            return "> 1 s" if le == float("inf") else f"<= {le * 1000:g} ms"
    return "-"


def _over(buckets: list[tuple[float, float]], count: float, bound: float) -> int:
    """How many observations were above `bound` (a bucket bound)."""
    return int(count - next((cum for le, cum in buckets if le >= bound), count))


def _stage_report(before: dict[Any, float], after: dict[Any, float]) -> list[str]:
    """The server's own view of the open loop, from its /metrics."""
    lines = []
    n, total, b = _histogram(before, after, "mamori_http_request_seconds", route="/v1/screen/prompt")
    if n:
        lines.append(
            f"  server latency   {n:.0f} screened: mean {total / n * 1000:.2f} ms, p50 {_quantile_bound(b, n, 0.5)}, "
            f"p99 {_quantile_bound(b, n, 0.99)}, > 50 ms: {_over(b, n, 0.05)}"
        )
    n, total, b = _histogram(before, after, "mamori_ledger_commit_seconds")
    if n:
        events, _, _ = _histogram(before, after, "mamori_ledger_batch_events")
        ev_sum = _histogram(before, after, "mamori_ledger_batch_events")[1]
        wn, wtotal, wb = _histogram(before, after, "mamori_ledger_queue_wait_seconds")
        lines.append(
            f"  group commit     {n:.0f} commits, {ev_sum / max(events, 1):.1f} entries each; commit mean "
            f"{total / n * 1000:.2f} ms, p99 {_quantile_bound(b, n, 0.99)}, > 20 ms: {_over(b, n, 0.02)}; "
            f"queue wait mean {wtotal / max(wn, 1) * 1000:.2f} ms, p99 {_quantile_bound(wb, wn, 0.99)}"
        )
    n, total, b = _histogram(before, after, "mamori_event_loop_lag_seconds")
    if n:
        lines.append(
            f"  event loop lag   {n:.0f} ticks: mean {total / n * 1000:.2f} ms, p99 {_quantile_bound(b, n, 0.99)}, "
            f"> 20 ms: {_over(b, n, 0.02)}, > 50 ms: {_over(b, n, 0.05)}"
        )
    gcs = []
    for gen in ("0", "1", "2"):
        n, total, b = _histogram(before, after, "mamori_gc_pause_seconds", generation=gen)
        if n:
            key = ("mamori_gc_cpu_seconds_total", (("generation", gen),))
            cpu = after.get(key, 0.0) - before.get(key, 0.0)
            gcs.append(
                f"gen{gen} {n:.0f}× mean {total / n * 1000:.2f} ms wall / {cpu / n * 1000:.2f} ms CPU "
                f"(p99 {_quantile_bound(b, n, 0.99)})"
            )
    if gcs:
        lines.append("  GC pauses        " + ", ".join(gcs))
    n, total, b = _histogram(before, after, "mamori_sqlite_wal_checkpoint_seconds")
    if n:
        lines.append(
            f"  WAL checkpoints  {n:.0f} in the background: mean {total / n * 1000:.2f} ms, "
            f"max {_quantile_bound(b, n, 1.0)}"
        )
    return lines


def screening_work(svc: Any, rounds: int = 250) -> float:
    """CPU seconds per prompt of the screening's own work, in this process, on the bench's prompts: what the route
    does beside HTTP and the database (decide, build the ledger event with its prompt commitment, encode the entry;
    `ops.screening.prepare_prompt` and `storage.ledger_store.encode`), best of three passes.

    It bounds the closed-loop ratio the target asks for: when the server is CPU-bound, a screened request costs at
    least a /healthz request plus this, so the ratio is at most healthz / (healthz + work), were every other cost of
    the route (reading a body, the ledger write, the receipt) free."""
    from mamori.ops.keys import Principal
    from mamori.ops.screening import prepare_prompt
    from mamori.storage.ledger_store import encode

    who = Principal("api_bench", "platform", platform="acme-video")
    for prompt in PROMPTS:  # lazily built parts (the indexes, pykakasi's dictionaries) before timing
        prepare_prompt(svc, prompt, None, who)
    best = float("inf")
    for _ in range(3):
        t0 = time.process_time()
        for _ in range(rounds):
            for prompt in PROMPTS:
                encode(prepare_prompt(svc, prompt, None, who).event)
        best = min(best, (time.process_time() - t0) / (rounds * len(PROMPTS)))
    return best


def run_one(db: str, clients: int, seconds: float, workers: int) -> bool:
    """One backend: the /healthz baseline and prompt screening against the same server, in this run."""
    from mamori.ledger.note import Signer
    from mamori.ops.keys import create_key
    from mamori.service import Mamori
    from mamori.testing import ServerDidNotStart, running_server

    tmp = tempfile.TemporaryDirectory(prefix="mamori-api-bench-")
    log_key = Signer.generate("mamori.bench/log").skey
    svc = Mamori.open(db, ledger_key=log_key)
    svc.import_registry(REGISTRY)
    key = create_key(svc, "platform", platform="acme-video", label="api_bench")[1]
    rows_before = svc.ledger.count("decision.prompt")
    work = screening_work(svc)
    env = {"MAMORI_LEDGER_KEY": log_key}
    try:
        with running_server(db, Path(tmp.name) / "serve.log", env=env, workers=workers) as server:
            with httpx.Client(
                base_url=server.base, headers={"Authorization": f"Bearer {key}"}, timeout=120
            ) as warm:
                # build the indexes and load lazily-built parts (pykakasi's dictionaries: the first Japanese
                # prompt of a process takes seconds) in every worker before timing
                for _ in range(2 * workers):
                    for prompt in PROMPTS:
                        warm.post("/v1/screen/prompt", json={"text": prompt}).raise_for_status()
            cpu0 = _cpu_seconds(server.proc.pid)
            base_flat, base_err, base_elapsed = _load(
                server.base, key, clients, min(seconds, 5.0), baseline=True
            )
            cpu1 = _cpu_seconds(server.proc.pid)
            flat, errors, elapsed = _load(server.base, key, clients, seconds)
            cpu2 = _cpu_seconds(server.proc.pid)
            base_rate = len(base_flat) / base_elapsed
            # not a target: the latency at 70 % of the screening capacity just measured (where a service is run),
            # before any overload can leave a backlog: the tail below saturation when 0.7 R is above capacity
            busy_rate = max(1.0, CAPACITY_SHARE * len(flat) / elapsed)
            busy_flat, busy_err, _ = _load(server.base, key, clients, min(seconds, 5.0), rate=busy_rate)
            # Open loop at TARGET_RATIO x the /healthz rate just measured (or MAMORI_BENCH_API_OPEN_RATE)
            open_rate = float(os.environ.get("MAMORI_BENCH_API_OPEN_RATE", "0")) or max(
                1.0, TARGET_RATIO * base_rate
            )
            open_seconds = seconds
            before = _scrape(server.base)
            open_flat, open_err, _ = _load(server.base, key, clients, open_seconds, rate=open_rate)
            after = _scrape(server.base)
            open_base, open_base_err, _ = _load(
                server.base, key, clients, min(seconds, 5.0), baseline=True, rate=open_rate
            )
    except ServerDidNotStart as exc:
        print(exc)
        return False
    ok_requests = len(flat)
    rows = (
        svc.ledger.count("decision.prompt") - rows_before - 2 * workers * len(PROMPTS)
    )  # minus the warm-ups
    acknowledged = ok_requests + len(open_flat) + len(busy_flat)
    chain = svc.ledger.verify(svc.checkpoints.roots())
    checkpoints = len(svc.checkpoints.notes())
    svc.close()
    tmp.cleanup()
    backend = db.split(":", 1)[0].split("+")[0]
    rate = ok_requests / elapsed
    ratio = rate / base_rate
    open_p99 = _pct(open_flat, 0.99)
    answered = len(open_flat) / (open_rate * open_seconds)
    print(
        f"api_bench: {clients} connections against mamori serve --workers {workers} ({backend}; {_stack()}), "
        f"POST /v1/screen/prompt beside GET /healthz, same server, same run"
    )
    print(
        f"  closed /healthz  {base_rate:.1f} req/s (baseline R), p50 {_pct(base_flat, 0.5) * 1000:.1f} ms, "
        f"p99 {_pct(base_flat, 0.99) * 1000:.1f} ms, errors {base_err}, {base_elapsed:.0f} s"
    )
    print(
        f"  closed screening {rate:.1f} req/s = {ratio:.2f} R, p50 {_pct(flat, 0.5) * 1000:.1f} ms, "
        f"p99 {_pct(flat, 0.99) * 1000:.1f} ms, errors {errors}, {elapsed:.0f} s"
    )
    print(
        f"  Little's law     {clients} clients in a closed loop wait ~{clients / rate * 1000:.0f} ms each at "
        f"{rate:.0f}/s: p99 <= 50 ms in a closed loop of {clients} would need > {clients / 0.05:.0f} req/s"
    )
    print(
        f"  open screening   {open_rate:.0f} req/s offered ({open_rate / base_rate:.2f} R) for {open_seconds:.0f} s "
        f"over {clients} connections: {answered * 100:.1f} % answered, p50 {_pct(open_flat, 0.5) * 1000:.1f} ms, "
        f"p99 {open_p99 * 1000:.1f} ms, p99.9 {_pct(open_flat, 0.999) * 1000:.1f} ms, "
        f"max {max(open_flat, default=float('nan')) * 1000:.1f} ms, errors {open_err}"
    )
    print(
        f"  open /healthz    same rate: p50 {_pct(open_base, 0.5) * 1000:.1f} ms, "
        f"p99 {_pct(open_base, 0.99) * 1000:.1f} ms, errors {open_base_err}"
    )
    print(
        f"  open screening   at {CAPACITY_SHARE:.0%} of the screening capacity ({busy_rate:.0f} req/s, not a target): "
        f"p50 {_pct(busy_flat, 0.5) * 1000:.1f} ms, p99 {_pct(busy_flat, 0.99) * 1000:.1f} ms, errors {busy_err}"
    )
    for line in _stage_report(before, after):
        print(line)
    print(
        f"  server CPU       {(cpu2 - cpu1) / max(ok_requests, 1) * 1000:.2f} ms per screened prompt, "
        f"{(cpu1 - cpu0) / max(len(base_flat), 1) * 1000:.2f} ms per /healthz "
        f"(busy {(cpu2 - cpu1) / elapsed:.2f} / {(cpu1 - cpu0) / base_elapsed:.2f} cores, closed loops)"
    )
    per_health = (cpu1 - cpu0) / max(len(base_flat), 1)
    print(
        f"  screening work   {work * 1000:.3f} ms CPU per prompt in-process (decide, event, commitment, entry; no "
        f"HTTP, no database): with /healthz's {per_health * 1000:.2f} ms, a CPU-bound server screens at most "
        f"{per_health / (per_health + work):.2f} R, were the rest of the route free"
    )
    print(
        f"  ledger rows      {rows} (acknowledged requests {acknowledged}); chain and {checkpoints} signed "
        f"checkpoints verify: {chain.ok} ({chain.rows} rows)"
    )
    checks = [
        (
            f"closed-loop screening rate >= {TARGET_RATIO:.2f} x /healthz",
            ratio >= TARGET_RATIO,
            f"{ratio:.2f}x",
        ),
        (
            f"open-loop p99 <= {TARGET_P99_S * 1000:.0f} ms at {open_rate / base_rate:.2f} x /healthz",
            open_p99 <= TARGET_P99_S and answered >= 0.99 and not open_err,
            f"{open_p99 * 1000:.1f} ms, {answered * 100:.1f} % answered, {open_err} errors",
        ),
        ("ledger entries == acknowledged requests", rows == acknowledged, f"{rows} == {acknowledged}"),
        (
            "ledger verifies, no errors",
            chain.ok and not errors and not base_err,
            f"chain {chain.ok}, {errors} errors",
        ),
    ]
    for what, ok, got in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {what} ({backend}): {got}")
    return all(ok for _, ok, _ in checks)


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
