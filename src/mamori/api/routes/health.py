from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from mamori.api.deps import get_svc, principal
from mamori.api.errors import raises
from mamori.ops import store
from mamori.ops.keys import Principal
from mamori.service import Mamori

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up (answered on the event loop: no worker thread for a constant)."""
    return {"status": "ok"}


@router.get("/readyz", responses=raises(503))
def readyz(svc: Mamori = Depends(get_svc)) -> Response:
    """The database is reachable."""
    try:
        store(svc).ping()
    except Exception as exc:  # any driver error means not ready
        from mamori.storage.db import database_problem

        reason = database_problem(exc) or exc.__class__.__name__
        return JSONResponse({"status": "unavailable", "error": reason}, status_code=503)
    return JSONResponse({"status": "ready"})


@router.get("/metrics", response_class=Response)
def metrics(request: Request) -> Response:
    """Prometheus metrics: request counts and latency by route and status, verdict counts."""
    return Response(request.app.state.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")


@router.get("/v1/whoami", tags=["keys"])
def whoami(who: Principal = Depends(principal)) -> dict[str, str | None]:
    """The role and binding of the presented key."""
    return {
        "key_id": who.key_id,
        "role": who.role,
        "rightsholder": who.rightsholder,
        "platform": who.platform,
    }
