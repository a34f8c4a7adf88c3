"""API keys: random secrets stored only as sha256, bound to a role and (for rightsholders and platforms) an id.

Creating and revoking a key are ledger events; the secret itself never enters the ledger or the database.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mamori.ops import NotFound, OpsError, store
from mamori.storage.ops_store import KeyRow

if TYPE_CHECKING:  # pragma: no cover
    from mamori.service import Mamori

ROLES = ("admin", "rightsholder", "platform", "auditor")
KEY_PREFIX = "mk_"


@dataclass(frozen=True)
class Principal:
    """Who is acting: a key's role and the rightsholder or platform it is bound to."""

    key_id: str
    role: str
    rightsholder: str | None = None
    platform: str | None = None

    @classmethod
    def cli(cls) -> Principal:
        """The operator at the command line acts as admin."""
        return cls("cli", "admin")

    @property
    def actor(self) -> str:
        return f"key:{self.key_id}" if self.key_id != "cli" else "cli"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_key(
    svc: Mamori,
    role: str,
    rightsholder: str | None = None,
    platform: str | None = None,
    label: str | None = None,
    actor: Principal | None = None,
) -> tuple[KeyRow, str]:
    """A new key; returns its row and the secret (shown once, never stored)."""
    if role not in ROLES:
        raise OpsError(f"unknown role {role!r}: use one of {', '.join(ROLES)}", 422)
    if role == "rightsholder" and not rightsholder:
        raise OpsError("a rightsholder key needs --rightsholder ID", 422)
    if role == "platform" and not platform:
        raise OpsError("a platform key needs --platform ID", 422)
    if role != "rightsholder" and rightsholder:
        raise OpsError("only rightsholder keys are bound to a rightsholder", 422)
    if role != "platform" and platform:
        raise OpsError("only platform keys are bound to a platform", 422)
    if rightsholder and not any(r.id == rightsholder for r in svc.registry_store.load().rightsholders):
        raise NotFound(f"no rightsholder with id {rightsholder!r}")
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    ident = "k_" + secrets.token_hex(8)
    row = store(svc).insert_key(ident, hash_key(secret), role, rightsholder, platform, label)
    svc.ledger.append("key.create", {**_public(row), "by": (actor or Principal.cli()).actor})
    return row, secret


def revoke_key(svc: Mamori, ident: str, actor: Principal | None = None) -> KeyRow:
    st = store(svc)
    if st.key(ident) is None:
        raise NotFound(f"no key with id {ident!r}")
    if not st.revoke_key(ident):
        raise OpsError(f"key {ident} is already revoked", 409)
    svc.key_cache.clear()
    row = st.key(ident)
    assert row is not None
    svc.ledger.append("key.revoke", {**_public(row), "by": (actor or Principal.cli()).actor})
    return row


def list_keys(svc: Mamori) -> list[KeyRow]:
    return store(svc).keys()


NOT_CACHED = object()


def cached_principal(svc: Mamori, secret: str) -> Principal | None | object:
    """The cached answer for a key (no database access), or NOT_CACHED."""
    if not secret.startswith(KEY_PREFIX) or len(secret) > 200:
        return None
    cached = svc.key_cache.get(hash_key(secret))
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]  # type: ignore[no-any-return]
    return NOT_CACHED


def cache_expires_within(svc: Mamori, secret: str, seconds: float) -> bool:
    """Whether the cached answer for a key runs out within `seconds` (a server looks the key up again ahead of
    that, so a busy key's requests never all miss the cache at once)."""
    cached = svc.key_cache.get(hash_key(secret))
    return cached is not None and cached[0] - time.monotonic() < seconds


def lookup_principal(svc: Mamori, secret: str) -> Principal | None:
    """The principal for a key from the database, cached for `key_cache_seconds` (whatever was cached before)."""
    if not secret.startswith(KEY_PREFIX) or len(secret) > 200:
        return None
    digest = hash_key(secret)
    now = time.monotonic()
    row = store(svc).key_by_hash(digest)
    who = None
    if row is not None and row.revoked_at is None:
        who = Principal(row.id, row.role, row.rightsholder, row.platform)
    if len(svc.key_cache) > 10_000:
        svc.key_cache.clear()
    svc.key_cache[digest] = (now + svc.settings.key_cache_seconds, who)
    return who


def authenticate(svc: Mamori, secret: str) -> Principal | None:
    """The principal for a presented key; None when unknown or revoked.

    Answers are kept for `key_cache_seconds` (a lookup per request was a sizeable share of a screening's cost);
    a revocation made in this process takes effect at once, one made through another within that time."""
    if not secret.startswith(KEY_PREFIX) or len(secret) > 200:
        return None
    hit = cached_principal(svc, secret)
    if hit is not NOT_CACHED:
        return hit  # type: ignore[return-value]
    return lookup_principal(svc, secret)


def _public(row: KeyRow) -> dict[str, object]:
    return {
        "key_id": row.id,
        "role": row.role,
        "rightsholder": row.rightsholder,
        "platform": row.platform,
        "label": row.label,
    }
