"""Shared state (console sessions, login limits) behaves the same in the database and in Redis."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from mamori.ops.keys import Principal
from mamori.storage.db import make_engine, migrate
from mamori.storage.shared_state import RedisSharedState, SqlSharedState
from mamori.web.sessions import LOGIN_FAILURES, SharedSessionStore

REDIS = "redis://127.0.0.1:6379/15"


@pytest.fixture(params=["database", "redis"])
def state(request: pytest.FixtureRequest, db_url: str) -> Iterator[Any]:
    if request.param == "redis":
        import redis

        try:
            redis.Redis.from_url(REDIS, socket_timeout=2).ping()
        except redis.RedisError as exc:
            pytest.skip(f"Redis not reachable at {REDIS}: {exc}")
        s = RedisSharedState(REDIS, namespace=f"mamori-test-{uuid.uuid4().hex[:8]}:")
        yield s
        for key in s.client.scan_iter(s.ns + "*"):
            s.client.delete(key)
        return
    e = make_engine(db_url)
    migrate(e)
    yield SqlSharedState(e)
    e.dispose()


def test_get_put_delete_and_expiry(state: Any) -> None:
    assert state.get("a") is None
    state.put("a", "1", 60)
    state.put("a", "2", 60)
    assert state.get("a") == "2"
    state.delete("a")
    assert state.get("a") is None
    state.put("short", "x", 0.2)
    time.sleep(0.4)
    assert state.get("short") is None


def test_hits_count_per_key(state: Any) -> None:
    for _ in range(3):
        state.hit("fail:10.0.0.1", 60)
    state.hit("fail:10.0.0.2", 60)
    assert state.hits("fail:10.0.0.1", 60) == 3
    assert state.hits("fail:10.0.0.2", 60) == 1
    assert state.hits("fail:10.0.0.3", 60) == 0


def test_sessions_survive_a_second_store_on_the_same_state(state: Any) -> None:
    one, two = SharedSessionStore(state), SharedSessionStore(state)  # two processes
    anon = one.new("ja")
    logged = one.login(anon, Principal("k_1", "admin"))
    assert one.get(anon.id) is None
    seen = two.get(logged.id)
    assert seen is not None and seen.key_id == "k_1" and seen.lang == "ja" and seen.csrf == logged.csrf
    seen.flash.append(("ok", "saved"))
    two.save(seen)
    again = one.get(logged.id)
    assert again is not None and again.flash == [("ok", "saved")]
    two.drop(logged.id)
    assert one.get(logged.id) is None
    for _ in range(LOGIN_FAILURES):
        assert not two.login_refused("192.0.2.7")
        one.login_failed("192.0.2.7")
    assert two.login_refused("192.0.2.7") and not two.login_refused("192.0.2.8")
