"""Request dependencies: the service instance and the caller's principal, checked against a route's roles."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from mamori.ops.keys import Principal, authenticate
from mamori.service import Mamori

bearer = HTTPBearer(auto_error=False, description="An API key from `mamori keys create`")


def get_svc(request: Request) -> Mamori:
    return request.app.state.svc  # type: ignore[no-any-return]


def principal(request: Request, creds: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Principal:
    if creds is None or creds.scheme.lower() != "bearer" or not creds.credentials:
        raise HTTPException(
            401, "missing API key (Authorization: Bearer <key>)", {"WWW-Authenticate": "Bearer"}
        )
    who = authenticate(get_svc(request), creds.credentials)
    if who is None:
        raise HTTPException(401, "unknown or revoked API key", {"WWW-Authenticate": "Bearer"})
    request.state.principal = who
    return who


def require(*roles: str) -> Callable[..., Principal]:
    """A dependency that lets only the given roles through (403 for any other valid key)."""

    def check(who: Principal = Depends(principal)) -> Principal:
        if who.role not in roles:
            raise HTTPException(403, f"a {who.role} key may not use this route (needs {' or '.join(roles)})")
        return who

    check.__name__ = f"require_{'_'.join(roles)}"
    return check
