"""Console sessions: a random id in an HttpOnly, SameSite=Strict cookie; a CSRF token per session.

A session starts anonymous (so the login form itself carries a CSRF token) and gets a fresh id at login, so an id
planted before login is worthless after it. Sessions end after `IDLE_SECONDS` without a request or
`MAX_AGE_SECONDS` in all. `SessionStore` keeps them in one process's memory (at most `MAX_SESSIONS`, oldest
dropped first); `SharedSessionStore` keeps them, and the failed-login counters, in state every `mamori serve`
process shares (the database, or Redis), so several workers behave as one console and a restart logs nobody out.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from mamori.ops.keys import Principal

COOKIE = "mamori_console"
IDLE_SECONDS = 2 * 3600
MAX_AGE_SECONDS = 12 * 3600
MAX_SESSIONS = 10_000
LOGIN_FAILURES = 10  # per client address within LOGIN_WINDOW before logins are refused for a while
LOGIN_WINDOW = 600.0


@dataclass
class Session:
    id: str
    csrf: str
    created: float
    seen: float
    lang: str | None = None
    key_id: str | None = None
    flash: list[tuple[str, str]] = field(default_factory=list)  # (kind, message) shown once on the next page

    def principal_key(self) -> str | None:
        return self.key_id

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, raw: str) -> Session:
        d = json.loads(raw)
        d["flash"] = [tuple(f) for f in d.get("flash", [])]
        return cls(**d)


class SessionStore:
    def __init__(
        self, idle: float = IDLE_SECONDS, max_age: float = MAX_AGE_SECONDS, limit: int = MAX_SESSIONS
    ):
        self.idle = idle
        self.max_age = max_age
        self.limit = limit
        self._lock = threading.Lock()
        self._sessions: dict[str, Session] = {}
        self._failures: dict[str, list[float]] = {}

    def __len__(self) -> int:
        return len(self._sessions)

    def _alive(self, s: Session, now: float) -> bool:
        return now - s.seen < self.idle and now - s.created < self.max_age

    def get(self, sid: str | None) -> Session | None:
        if not sid or len(sid) > 100:
            return None
        now = time.monotonic()
        with self._lock:
            s = self._sessions.get(sid)
            if s is None:
                return None
            if not self._alive(s, now):
                del self._sessions[sid]
                return None
            s.seen = now
            return s

    def new(self, lang: str | None = None, key_id: str | None = None) -> Session:
        now = time.monotonic()
        s = Session(secrets.token_urlsafe(32), secrets.token_urlsafe(32), now, now, lang, key_id)
        with self._lock:
            if len(self._sessions) >= self.limit:
                self._evict(now)
            self._sessions[s.id] = s
        return s

    def login(self, old: Session, who: Principal) -> Session:
        """A new session (new id, new CSRF token) for a verified key; the anonymous one is dropped."""
        self.drop(old.id)
        return self.new(old.lang, who.key_id)

    def drop(self, sid: str) -> None:
        with self._lock:
            self._sessions.pop(sid, None)

    def save(self, session: Session) -> None:
        """Changes to a session (language, flashes) are kept: in memory they already are."""

    def _evict(self, now: float) -> None:
        for sid in [k for k, s in self._sessions.items() if not self._alive(s, now)]:
            del self._sessions[sid]
        if len(self._sessions) >= self.limit:
            # anonymous sessions go first, then the least recently used
            order = sorted(self._sessions.values(), key=lambda s: (s.key_id is not None, s.seen))
            for s in order[: len(self._sessions) - self.limit + 1]:
                del self._sessions[s.id]

    # --- failed logins ------------------------------------------------------------------------------------

    def login_refused(self, client: str) -> bool:
        now = time.monotonic()
        with self._lock:
            recent = [t for t in self._failures.get(client, []) if now - t < LOGIN_WINDOW]
            if recent:
                self._failures[client] = recent
            else:
                self._failures.pop(client, None)
            return len(recent) >= LOGIN_FAILURES

    def login_failed(self, client: str) -> None:
        with self._lock:
            if len(self._failures) > self.limit:
                self._failures.clear()
            self._failures.setdefault(client, []).append(time.monotonic())


class SharedSessionStore:
    """Sessions and failed-login counters in shared state (`mamori.storage.shared_state`), for several processes.
    Times are wall-clock seconds, since processes do not share a monotonic clock."""

    def __init__(self, state: Any, idle: float = IDLE_SECONDS, max_age: float = MAX_AGE_SECONDS):
        self.state = state
        self.idle = idle
        self.max_age = max_age

    def _ttl(self, s: Session, now: float) -> float:
        return max(1.0, min(self.idle, s.created + self.max_age - now))

    def get(self, sid: str | None) -> Session | None:
        if not sid or len(sid) > 100:
            return None
        raw = self.state.get("session:" + sid)
        if raw is None:
            return None
        s = Session.from_json(raw)
        now = time.time()
        if now - s.created >= self.max_age:
            self.drop(sid)
            return None
        if now - s.seen > 60:  # extend the idle deadline, at most one write a minute per session
            s.seen = now
            self.save(s)
        return s

    def new(self, lang: str | None = None, key_id: str | None = None) -> Session:
        now = time.time()
        s = Session(secrets.token_urlsafe(32), secrets.token_urlsafe(32), now, now, lang, key_id)
        self.save(s)
        return s

    def login(self, old: Session, who: Principal) -> Session:
        self.drop(old.id)
        return self.new(old.lang, who.key_id)

    def drop(self, sid: str) -> None:
        self.state.delete("session:" + sid)

    def save(self, session: Session) -> None:
        self.state.put("session:" + session.id, session.to_json(), self._ttl(session, time.time()))

    def login_refused(self, client: str) -> bool:
        return int(self.state.hits("login-fail:" + client, LOGIN_WINDOW)) >= LOGIN_FAILURES

    def login_failed(self, client: str) -> None:
        self.state.hit("login-fail:" + client, LOGIN_WINDOW)
