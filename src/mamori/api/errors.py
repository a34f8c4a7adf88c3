"""One error shape for every route, and an OpenAPI document that says which errors each operation can answer.

Every error body is `ErrorOut` (`{"error": "...", "problems"?: [{path, message}], "details"?: ...}`): the
framework's own errors (bad JSON, failed validation, HTTPException) are rewritten to it here. `document_errors`
writes each operation's error responses from what the route is: authenticated (401), role-checked (403), with
path parameters (404), with parameters or a body (422), with a body (413); a route declares what only its own
code can raise (409, 415, 503) with `responses=raises(...)`. tests/unit/hardening/test_openapi_errors.py and the
schemathesis run check the spec against what the routes answer.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from mamori.api.deps import principal


class ProblemOut(BaseModel):
    path: str = Field(description="Where in the request: body.territory, query.limit, characters[3].names[0]")
    message: str


class ErrorOut(BaseModel):
    error: str = Field(description="What went wrong, in a sentence")
    problems: list[ProblemOut] | None = Field(
        default=None, description="Every validation problem, with its path"
    )
    details: Any | None = None


WHY = {
    400: "The request is malformed (e.g. a control character in the URL)",
    401: "Missing, unknown or revoked API key",
    403: "The key's role may not use this operation, or the object belongs to someone else",
    404: "No such object",
    409: "The object's state does not allow this (already resolved, still in use)",
    413: "The request body is larger than MAMORI_MAX_UPLOAD_BYTES",
    415: "The upload is not an image or video",
    422: "The request is not valid; `problems` says where",
    503: "A part of the service is not available (database, visual gate)",
}


def raises(*codes: int) -> dict[int | str, dict[str, Any]]:
    """A route's `responses=`: the error statuses only the operation's own code can answer (409, 415, 503), declared
    where that code is; `error_statuses` adds those it derives from what the route is."""
    return {code: {"description": WHY[code], "model": ErrorOut} for code in codes}


def _problem_path(loc: Any) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [
        {"path": _problem_path(e.get("loc", ())), "message": str(e.get("msg", "invalid"))[:500]}
        for e in exc.errors()
    ]
    return JSONResponse(
        {"error": f"the request is not valid: {len(problems)} problem(s)", "problems": problems}, 422
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return JSONResponse({"error": str(exc.detail)}, exc.status_code, headers=exc.headers)


async def _too_deep(request: Request, exc: Exception) -> JSONResponse:
    # JSON nested a few hundred levels deep exhausts the validators' recursion; the body is refused, as invalid.
    return JSONResponse({"error": "the request body is nested too deeply to validate"}, 422)


def install_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RecursionError, _too_deep)


def _calls(dependant: Any) -> list[Any]:
    out = []
    for dep in dependant.dependencies:
        out.append(dep.call)
        out += _calls(dep)
    return out


def api_routes(app: FastAPI) -> list[Any]:
    """Every API operation with its full path (this FastAPI mounts included routers lazily, as contexts)."""
    from fastapi import routing

    if hasattr(routing, "iter_route_contexts"):
        return [
            rc
            for rc in routing.iter_route_contexts(app.routes)
            if isinstance(rc.original_route, APIRoute) and rc.include_in_schema
        ]
    return [r for r in app.routes if isinstance(r, APIRoute) and r.include_in_schema]


def error_statuses(route: Any) -> list[int]:
    """The error statuses an operation can answer."""
    calls = _calls(route.dependant)
    codes = {400}
    if principal in calls:
        codes.add(401)
    if any(getattr(c, "__name__", "").startswith("require_") for c in calls):
        codes.add(403)
    if route.dependant.path_params:
        codes.add(404)
    if route.dependant.query_params or route.dependant.path_params or route.body_field is not None:
        codes.add(422)
    if route.body_field is not None:
        codes |= {413, 422}
    declared = getattr(route, "responses", None)
    if declared is None:  # a route context: the declaration is on the route it wraps
        declared = getattr(getattr(route, "original_route", None), "responses", None) or {}
    codes.update(int(c) for c in declared if str(c).isdigit() and int(c) >= 400)
    return sorted(codes)


def document_errors(app: FastAPI) -> None:
    """Make `app.openapi()` declare every operation's error responses with the one error schema, in place of
    the framework's own 422 shape (which the handlers above never answer)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        spec = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        error = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(error.pop("$defs", {}))
        schemas["ErrorOut"] = error
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        ref = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        for route in api_routes(app):
            for method in route.methods:
                op = spec["paths"].get(route.path_format, {}).get(method.lower())
                if op is None:
                    continue
                responses = op.setdefault("responses", {})
                for code in error_statuses(route):
                    responses[str(code)] = {"description": WHY[code], "content": ref}
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]
