"""Small expiring state that several `mamori serve` processes share: console sessions and rate-limit counters.

In the database (`shared_state` table: SQLite or PostgreSQL) by default, or in Redis when MAMORI_REDIS_URL is set
(the `redis` extra). Both answer the same four questions: get, put with a time to live, delete, and count the
recent hits on a key (a sliding window in the database, a fixed window in Redis).
"""

from __future__ import annotations

import secrets
import time
from typing import Any, Protocol

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from mamori.storage import schema as t

_PURGE_EVERY = 60.0  # seconds between sweeps of expired rows


class SharedState(Protocol):
    def get(self, key: str) -> str | None: ...
    def put(self, key: str, value: str, ttl: float) -> None: ...
    def delete(self, key: str) -> None: ...
    def hit(self, key: str, window: float) -> None: ...
    def hits(self, key: str, window: float) -> int: ...


class SqlSharedState:
    def __init__(self, engine: Engine):
        self.engine = engine
        self._purged = 0.0
        dialect = engine.dialect.name
        self._insert: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert

    def get(self, key: str) -> str | None:
        st = t.shared_state
        with self.engine.connect() as conn:
            row = conn.execute(select(st.c.value, st.c.expires).where(st.c.key == key)).first()
        return row.value if row is not None and row.expires > time.time() else None

    def put(self, key: str, value: str, ttl: float) -> None:
        st = t.shared_state
        stmt = self._insert(st).values(key=key, value=value, expires=time.time() + ttl)
        stmt = stmt.on_conflict_do_update(
            index_elements=[st.c.key], set_={"value": stmt.excluded.value, "expires": stmt.excluded.expires}
        )
        with self.engine.begin() as conn:
            conn.execute(stmt)
        self._maybe_purge()

    def delete(self, key: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(t.shared_state).where(t.shared_state.c.key == key))

    def hit(self, key: str, window: float) -> None:
        # one row per hit, so concurrent processes never lose an increment
        self.put(f"{key}#{secrets.token_hex(8)}", "1", window)

    def hits(self, key: str, window: float) -> int:
        st = t.shared_state
        prefix = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "#%"
        q = select(func.count()).where(st.c.key.like(prefix, escape="\\"), st.c.expires > time.time())
        with self.engine.connect() as conn:
            return int(conn.execute(q).scalar_one())

    def _maybe_purge(self) -> None:
        now = time.time()
        if now - self._purged < _PURGE_EVERY:
            return
        self._purged = now
        with self.engine.begin() as conn:
            conn.execute(delete(t.shared_state).where(t.shared_state.c.expires <= now))


class RedisSharedState:
    def __init__(self, url: str, namespace: str = "mamori:"):
        try:
            import redis
        except ImportError:
            raise RuntimeError(
                "MAMORI_REDIS_URL is set but the redis package is not installed: pip install 'mamori[redis]'"
            ) from None

        self.client = redis.Redis.from_url(url, socket_timeout=5, decode_responses=True)
        self.ns = namespace

    def get(self, key: str) -> str | None:
        value = self.client.get(self.ns + key)
        return None if value is None else str(value)

    def put(self, key: str, value: str, ttl: float) -> None:
        self.client.set(self.ns + key, value, px=max(1, int(ttl * 1000)))

    def delete(self, key: str) -> None:
        self.client.delete(self.ns + key)

    def hit(self, key: str, window: float) -> None:
        pipe = self.client.pipeline()
        pipe.incr(self.ns + "hits:" + key)
        pipe.expire(self.ns + "hits:" + key, max(1, int(window)), nx=True)
        pipe.execute()

    def hits(self, key: str, window: float) -> int:
        value = self.client.get(self.ns + "hits:" + key)
        return int(value) if value is not None else 0


def open_shared_state(engine: Engine, redis_url: str | None) -> SharedState:
    """Redis when a URL is configured, else the database every process already shares."""
    if redis_url:
        return RedisSharedState(redis_url)
    return SqlSharedState(engine)
