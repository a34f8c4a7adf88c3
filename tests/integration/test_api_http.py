"""The API on a real uvicorn server (in a thread) over SQLite and PostgreSQL: concurrent clients never lose or
fork a ledger row; the SDK runs the same flow in process and over HTTP."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from mamori import Blocked, Guard
from mamori.api.app import create_app
from mamori.ops.keys import create_key
from mamori.service import Mamori
from mamori.testing import free_port
from tests.unit.api.test_api import SEEN_MIRAI, SEEN_TOBIO, fake_gate

DATA = Path(__file__).resolve().parents[1] / "data" / "registry.yaml"


@pytest.fixture
def server(db_url: str) -> Iterator[tuple[str, Mamori]]:
    import uvicorn

    svc = Mamori.open(db_url, registry_refresh_seconds=0.0)
    svc.import_registry(DATA)
    port = free_port()
    srv = uvicorn.Server(
        uvicorn.Config(create_app(svc), host="127.0.0.1", port=port, log_level="error", access_log=False)
    )
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert srv.started
    yield f"http://127.0.0.1:{port}", svc
    srv.should_exit = True
    th.join(10)
    svc.close()


def test_concurrent_clients_every_request_is_one_ledger_row(server: tuple[str, Mamori]) -> None:
    url, svc = server
    key = create_key(svc, "platform", platform="acme-video")[1]
    before = svc.ledger.count()
    prompts = [
        "Mirai Hoshino delivering mail",
        "a cat on a sofa",
        "Tobio Kuroda",
        "星野ミライ",
        "Kappa-X swims",
    ]
    n_clients, per_client = 8, 10

    def client(k: int) -> list[int]:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=30) as c:
            return [
                c.post("/v1/screen/prompt", json={"text": prompts[(k + i) % len(prompts)]}).status_code
                for i in range(per_client)
            ]

    with ThreadPoolExecutor(n_clients) as pool:
        statuses = [s for batch in pool.map(client, range(n_clients)) for s in batch]
    assert statuses == [200] * (n_clients * per_client)
    assert svc.ledger.count() - before == n_clients * per_client
    result = svc.ledger.verify()
    assert result.ok and result.rows == svc.ledger.count()


def test_sdk_remote_and_local_share_one_interface(server: tuple[str, Mamori]) -> None:
    url, svc = server
    fake_gate(svc)
    key = create_key(svc, "platform", platform="acme-video")[1]
    price = {"amount": "1.50", "currency": "USD"}
    calls: list[str] = []

    def draws(character: bytes):  # a fake generator that draws a registered character into its output
        def gen(prompt: str) -> bytes:
            calls.append(prompt)
            return character

        return gen

    for guard in (Guard.remote(url, key), Guard.local(svc=svc, platform="acme-video")):
        with guard:
            res = guard.generate(
                "Mirai Hoshino delivering mail", generator=draws(SEEN_MIRAI), territory="US", price=price
            )
            assert res.settlement is not None and res.settlement["lines"][0]["fee"]["amount"] == "0.05"
            assert res.settlement["lines"][0]["revenue_share"]["amount"] == "0.450"
            with pytest.raises(Blocked) as exc:
                guard.generate("a quiet harbour", generator=draws(SEEN_TOBIO), territory="US")
            assert exc.value.stage == "output" and exc.value.decision["verdict"] == "block"
            n = len(calls)
            with pytest.raises(Blocked) as exc:
                guard.generate("Tobio Kuroda", generator=draws(SEEN_TOBIO))
            assert (
                exc.value.stage == "prompt" and len(calls) == n
            )  # a blocked prompt never reaches the generator
            assert guard.screen("a cat")["verdict"] == "allow"
    assert svc.ledger.count("settlement") == 2
    assert svc.ledger.verify().ok
