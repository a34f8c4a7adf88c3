"""The spec tells the truth about errors: every operation declares its error responses with the one error schema,
and what the routes answer (no key, a key of the wrong role, an unknown id, a bad body) is declared and has that
shape."""

from __future__ import annotations

import re
from typing import Any

import pytest

from mamori.api.app import create_app
from mamori.api.errors import ErrorOut
from mamori.service import Mamori
from tests.unit.api.conftest import auth, make_client

ROLES = ("admin", "rightsholder", "platform", "auditor")


@pytest.fixture
def spec_and_client(svc: Mamori) -> Any:
    app = create_app(svc)
    with make_client(app) as c:
        yield app.openapi(), c


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m.upper(), p, op) for p, ops in spec["paths"].items() for m, op in ops.items()]


def url(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)  # an id that exists nowhere, valid for int and str parameters


def call(client: Any, method: str, path: str, headers: dict[str, str]) -> Any:
    kwargs: dict[str, Any] = {"headers": headers}
    if method in ("POST", "PUT"):
        kwargs["json"] = {}
    return client.request(method, url(path), **kwargs)


def declared(op: dict[str, Any]) -> set[int]:
    return {int(c) for c in op["responses"]}


def check_error(r: Any, op: dict[str, Any], method: str, path: str) -> None:
    assert r.status_code in declared(op), (
        f"{method} {path} answered undeclared {r.status_code}: {r.text[:200]}"
    )
    ErrorOut.model_validate(r.json())


def test_every_operation_declares_errors_with_the_one_schema(spec_and_client: Any) -> None:
    spec, _ = spec_and_client
    ops = operations(spec)
    assert len(ops) >= 30
    for method, path, op in ops:
        errors = {c: r for c, r in op["responses"].items() if int(c) >= 400}
        assert "400" in errors, f"{method} {path}"
        for code, resp in errors.items():
            ref = resp["content"]["application/json"]["schema"]["$ref"]
            assert ref == "#/components/schemas/ErrorOut", f"{method} {path} {code}"
    authed = [(m, p) for m, p, op in ops if "401" in op["responses"]]
    assert len(authed) >= 33  # every /v1 operation
    assert "HTTPValidationError" not in spec["components"]["schemas"]


def test_without_a_key_every_declared_401_is_answered_and_nothing_else_is(spec_and_client: Any) -> None:
    spec, client = spec_and_client
    for method, path, op in operations(spec):
        if path in ("/metrics",):
            continue
        r = call(client, method, path, {})
        if 401 in declared(op):
            assert r.status_code == 401, f"{method} {path}: {r.status_code}"
            check_error(r, op, method, path)
        else:
            assert r.status_code != 401


def test_wrong_roles_get_a_declared_403(spec_and_client: Any, keys: dict[str, str]) -> None:
    spec, client = spec_and_client
    for method, path, op in operations(spec):
        if 403 not in declared(op):
            continue
        statuses = {}
        for role in ROLES:
            r = call(client, method, path, auth(keys[role]))
            statuses[role] = r.status_code
            if r.status_code >= 400:
                check_error(r, op, method, path)
        assert 403 in statuses.values() or path.startswith("/v1/characters"), f"{method} {path}: {statuses}"


def test_unknown_ids_and_bad_bodies_answer_declared_errors(
    spec_and_client: Any, keys: dict[str, str]
) -> None:
    spec, client = spec_and_client
    for method, path, op in operations(spec):
        if 401 not in declared(op):
            continue
        r = call(client, method, path, auth(keys["admin"]))
        if r.status_code >= 400:
            check_error(r, op, method, path)
