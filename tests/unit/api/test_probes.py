"""`api/probes.py`: the stage metrics on /metrics (group commit, event-loop lag, GC) exist while the app runs."""

from __future__ import annotations

import gc
import re
import time

from fastapi.testclient import TestClient

from mamori.ops.keys import create_key
from mamori.service import Mamori
from tests.unit.api.conftest import auth


def _count(text: str, name: str) -> float:
    found = re.findall(rf"^{name}_count(?:{{[^}}]*}})? ([0-9.e+]+)$", text, re.M)
    return sum(float(x) for x in found)


def test_stage_metrics_follow_commits_the_loop_and_collections(svc: Mamori, client: TestClient) -> None:
    key = create_key(svc, "platform", platform="acme-video")[1]
    for text in ("a lighthouse in the rain", "Mirai Hoshino delivering mail"):
        assert client.post("/v1/screen/prompt", json={"text": text}, headers=auth(key)).status_code == 200
    gc.collect(0)
    deadline = time.monotonic() + 10
    while True:
        body = client.get("/metrics").text
        if _count(body, "mamori_event_loop_lag_seconds") >= 3 or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert _count(body, "mamori_ledger_commit_seconds") >= 2
    assert _count(body, "mamori_ledger_queue_wait_seconds") >= 2
    assert _count(body, "mamori_event_loop_lag_seconds") >= 3  # the probe ticks on the app's loop
    assert _count(body, "mamori_gc_pause_seconds") >= 1
    # the probes stop with the app: its GC hook is removed (apps other tests of this worker still run keep theirs)
    before = _probe_hooks()
    client.__exit__(None, None, None)
    after = _probe_hooks()
    assert after < before and len(before - after) == 1


def _probe_hooks() -> set[int]:
    """The StageProbes objects whose GC hook is installed, by identity."""
    return {
        id(getattr(cb, "__self__", None))
        for cb in gc.callbacks
        if getattr(cb, "__qualname__", "").startswith("StageProbes")
    }


def test_the_gc_probe_never_raises_near_the_recursion_limit() -> None:
    # a collection can start deep in a recursion (a hostile nested document being refused); the probe's metric
    # calls need stack frames there, and an exception from a GC callback is unraisable
    import sys

    from mamori.api.metrics import Metrics
    from mamori.api.probes import StageProbes

    probes = StageProbes(Metrics())

    def depth() -> int:
        f, n = sys._getframe(), 0
        while f is not None:
            f, n = f.f_back, n + 1
        return n

    limit = sys.getrecursionlimit()
    raised_inside = []
    try:
        base = depth()  # the lowest limit the interpreter takes here (its count of the depth is its own)
        while True:
            try:
                sys.setrecursionlimit(base)
                break
            except RecursionError:
                base += 1
        for headroom in range(1, 40):  # the call itself fits; what the probe calls may not
            sys.setrecursionlimit(base + headroom)
            try:
                probes._gc("start", {"generation": 2})
                probes._gc("stop", {"generation": 2})
            except RecursionError as exc:
                if exc.__traceback__ is not None and exc.__traceback__.tb_next is not None:
                    raised_inside.append(headroom)
            finally:
                sys.setrecursionlimit(limit)
    finally:
        sys.setrecursionlimit(limit)
    assert not raised_inside
