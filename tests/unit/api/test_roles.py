"""Every route × every role: 401 without a key, 403 for a role the route does not admit, through otherwise.

The table must name every route the app documents; a new route without a row fails `test_table_covers_every_route`.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest

from mamori.api.app import create_app
from mamori.ops import generations, reviews
from mamori.ops.keys import Principal
from mamori.service import Mamori
from tests.unit.api.conftest import auth, make_client

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
PUBLIC = ("anyone",)
ALL = ("admin", "rightsholder", "platform", "auditor")
OWNER = ("admin", "rightsholder")

# method, path, request kwargs, roles let through
TABLE: list[tuple[str, str, dict[str, Any], tuple[str, ...]]] = [
    ("GET", "/healthz", {}, PUBLIC),
    ("GET", "/readyz", {}, PUBLIC),
    ("GET", "/metrics", {}, PUBLIC),
    ("GET", "/v1/whoami", {}, ALL),
    ("POST", "/v1/keys", {"json": {"role": "auditor"}}, ("admin",)),
    ("GET", "/v1/keys", {}, ("admin",)),
    ("DELETE", "/v1/keys/k_nope", {}, ("admin",)),
    ("GET", "/v1/rightsholders", {}, OWNER),
    ("GET", "/v1/rightsholders/hoshi-studio", {}, OWNER),
    ("PUT", "/v1/rightsholders/hoshi-studio", {"json": {"name": "Hoshi Studio K.K."}}, OWNER),
    ("DELETE", "/v1/rightsholders/hoshi-studio", {}, ("admin",)),
    ("GET", "/v1/works", {}, OWNER),
    ("GET", "/v1/works/star-courier", {}, OWNER),
    (
        "PUT",
        "/v1/works/star-courier",
        {"json": {"rightsholder": "hoshi-studio", "titles": ["Star Courier"]}},
        OWNER,
    ),
    ("DELETE", "/v1/works/star-courier", {}, OWNER),
    ("GET", "/v1/characters", {}, OWNER),
    ("GET", "/v1/characters/mirai", {}, OWNER),
    ("PUT", "/v1/characters/mirai", {"json": {"work": "star-courier", "names": ["Mirai Hoshino"]}}, OWNER),
    ("DELETE", "/v1/characters/tobio", {}, OWNER),
    ("GET", "/v1/characters/mirai/policy", {}, OWNER),
    ("PUT", "/v1/characters/mirai/policy", {"json": {"policy": {"generation": "track"}}}, OWNER),
    ("POST", "/v1/characters/mirai/references", {"files": {"file": ("a.png", PNG, "image/png")}}, OWNER),
    ("DELETE", "/v1/characters/mirai/references/999", {}, OWNER),
    ("GET", "/v1/usage?period=2026-11", {}, OWNER),
    ("POST", "/v1/screen/prompt", {"json": {"text": "a cat"}}, ("admin", "platform")),
    ("POST", "/v1/screen/media", {"files": {"file": ("a.png", PNG, "image/png")}}, ("admin", "platform")),
    ("POST", "/v1/generations", {"json": {"prompt": "a cat"}}, ("platform",)),
    ("GET", "/v1/generations/{gen}", {}, ("admin", "platform", "auditor")),
    ("POST", "/v1/generations/{gen}/output", {"files": {"file": ("o.png", PNG, "image/png")}}, ("platform",)),
    (
        "POST",
        "/v1/disputes",
        {"json": {"character": "mirai", "reason": "not her", "prompt": "a star"}},
        ("platform",),
    ),
    ("GET", "/v1/reviews", {}, ("admin", "rightsholder", "auditor")),
    ("GET", "/v1/reviews/{review}", {}, ("admin", "rightsholder", "auditor")),
    ("POST", "/v1/reviews/{review}/resolve", {"json": {"action": "uphold"}}, OWNER),
    ("GET", "/v1/media-matches", {}, ("admin", "rightsholder", "auditor")),
    ("GET", "/v1/media-matches/1/frame", {}, OWNER),  # pictures: the character's rightsholder and admins
    ("GET", "/v1/media-matches/1/reference", {}, OWNER),
    ("POST", "/v1/media-matches/1/decide", {"json": {"action": "uphold"}}, OWNER),
    ("GET", "/v1/ledger/verify", {}, ("admin", "auditor")),
    ("GET", "/v1/ledger/events", {}, ("admin", "auditor")),
    ("GET", "/v1/ledger/checkpoint", {}, PUBLIC),
    ("GET", "/v1/ledger/key", {}, PUBLIC),
    ("GET", "/v1/ledger/keys", {}, PUBLIC),
    ("GET", "/v1/ledger/proofs/inclusion?index=0&size=2", {}, PUBLIC),
    ("GET", "/v1/ledger/proofs/consistency?first=1&second=2", {}, PUBLIC),
    (
        "GET",
        "/v1/ledger/entries/0",
        {},
        ("admin", "auditor"),
    ),  # a platform reads only its own requests' entries
    ("GET", "/v1/audit/export?work=star-courier&from=2026-01-01&to=2026-12-31", {}, ("admin", "auditor")),
]


def _template(path: str) -> str:
    return path.split("?")[0]


def test_table_covers_every_route(svc: Mamori) -> None:
    documented = {(m.upper(), p) for p, ops in create_app(svc).openapi()["paths"].items() for m in ops}
    import re

    def matches(method: str, template: str) -> bool:
        rx = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        return any(
            m == method and re.match(rx, _template(p).replace("{gen}", "g").replace("{review}", "1"))
            for m, p, _, _ in TABLE
        )

    missing = sorted(f"{m} {p}" for m, p in documented if not matches(m, p))
    assert missing == [], f"routes without a row in the role table: {missing}"


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "allowed"), TABLE, ids=[f"{m} {p}" for m, p, _, _ in TABLE]
)
def test_route_roles(
    svc: Mamori,
    keys: dict[str, str],
    method: str,
    path: str,
    kwargs: dict[str, Any],
    allowed: tuple[str, ...],
) -> None:
    acme = Principal("setup", "platform", platform="acme-video")
    gen = generations.open_generation(svc, "a quiet harbour at dawn", acme)["generation_id"]
    review = reviews.file_dispute(svc, "mirai", "wrong match", acme, prompt="a star courier")["id"]
    path = path.replace("{gen}", gen).replace("{review}", str(review))
    client = make_client(create_app(svc))
    has_gate = hasattr(svc, "screen_media_bytes")

    def call(headers: dict[str, str]) -> int:
        return client.request(method, path, headers=headers, **kwargs).status_code

    if allowed == PUBLIC:
        assert call({}) == 200
        return
    assert call({}) == 401
    assert call({"Authorization": "Bearer mk_not-a-real-key"}) == 401
    for role in ALL:
        status = call(auth(keys[role]))
        if role in allowed:
            assert status not in (401, 403), f"{role} was refused {method} {path}"
            assert status < 500 or (status == 503 and not has_gate), f"{role}: {method} {path} -> {status}"
        else:
            assert status == 403, f"{role} got {status} on {method} {path}, expected 403"
