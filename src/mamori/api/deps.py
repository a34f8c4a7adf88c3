"""Request dependencies: the service instance and the caller's principal, checked against a route's roles."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from mamori.ops.keys import NOT_CACHED, Principal, authenticate, cached_principal
from mamori.service import Mamori

bearer = HTTPBearer(auto_error=False, description="An API key from `mamori keys create`")


# The dependencies are `async def` so FastAPI does not hop to a worker thread for each of them: they only read
# the request, except a key lookup that missed the cache, which runs in the thread pool.


async def get_svc(request: Request) -> Mamori:
    return request.app.state.svc  # type: ignore[no-any-return]


async def principal(
    request: Request, creds: HTTPAuthorizationCredentials | None = Depends(bearer)
) -> Principal:
    if creds is None or creds.scheme.lower() != "bearer" or not creds.credentials:
        raise HTTPException(
            401, "missing API key (Authorization: Bearer <key>)", {"WWW-Authenticate": "Bearer"}
        )
    svc: Mamori = request.app.state.svc
    who = cached_principal(svc, creds.credentials)
    if who is NOT_CACHED:
        who = await run_in_threadpool(authenticate, svc, creds.credentials)
    if not isinstance(who, Principal):
        raise HTTPException(401, "unknown or revoked API key", {"WWW-Authenticate": "Bearer"})
    request.state.principal = who
    return who


def require(*roles: str) -> Callable[..., Awaitable[Principal]]:
    """A dependency that lets only the given roles through (403 for any other valid key)."""

    async def check(who: Principal = Depends(principal)) -> Principal:
        if who.role not in roles:
            raise HTTPException(403, f"a {who.role} key may not use this route (needs {' or '.join(roles)})")
        return who

    check.__name__ = f"require_{'_'.join(roles)}"
    return check
