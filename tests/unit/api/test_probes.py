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
    # the probes stop with the app: no GC hook is left behind
    client.__exit__(None, None, None)
    assert not [cb for cb in gc.callbacks if getattr(cb, "__qualname__", "").startswith("StageProbes")]
