"""`mamori serve` as a real process on a free port: keys from the CLI, screening and the ledger over HTTP."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from mamori.ops.keys import create_key
from mamori.service import Mamori
from mamori.testing import running_server

pytestmark = pytest.mark.e2e
DATA = Path(__file__).resolve().parents[1] / "data" / "registry.yaml"


def mamori(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mamori.cli.main", *args], capture_output=True, text=True, timeout=120
    )


def test_serve_end_to_end(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'serve.db'}"
    # set up in process (the CLI commands themselves are tested in tests/integration); serve is the real process
    svc = Mamori.open(db)
    svc.import_registry(DATA)
    platform_key = create_key(svc, "platform", platform="acme-video")[1]
    auditor_key = create_key(svc, "auditor")[1]
    svc.close()
    with running_server(db, tmp_path / "serve.log") as server:
        base = server.base
        p = {"Authorization": f"Bearer {platform_key}"}
        r = httpx.post(
            f"{base}/v1/screen/prompt", json={"text": "Mirai Hoshino", "territory": "JP"}, headers=p
        )
        assert r.status_code == 200 and r.json()["verdict"] == "licensed"
        assert httpx.post(f"{base}/v1/screen/prompt", json={"text": "x"}).status_code == 401
        assert httpx.get(f"{base}/v1/ledger/verify", headers=p).status_code == 403
        v = httpx.get(f"{base}/v1/ledger/verify", headers={"Authorization": f"Bearer {auditor_key}"}).json()
        assert v["ok"] and v["first_bad"] is None
        assert "mamori_http_requests_total" in httpx.get(f"{base}/metrics").text
    verified = mamori("ledger", "verify", "--db", db)
    assert verified.returncode == 0 and "ledger ok" in verified.stdout


@pytest.mark.parametrize("stack", [{}, {"MAMORI_SERVE_LOOP": "asyncio", "MAMORI_SERVE_HTTP": "h11"}])
def test_serve_on_either_http_stack(tmp_path: Path, stack: dict[str, str]) -> None:
    """uvloop + httptools (chosen when installed, as they are with mamori) and asyncio + h11 serve alike."""
    db = f"sqlite:///{tmp_path / 'serve.db'}"
    svc = Mamori.open(db)
    svc.import_registry(DATA)
    key = create_key(svc, "platform", platform="acme-video")[1]
    svc.close()
    with running_server(db, tmp_path / "serve.log", env=stack) as server:
        r = httpx.post(
            f"{server.base}/v1/screen/prompt",
            json={"text": "Mirai Hoshino", "territory": "JP"},
            headers={"Authorization": f"Bearer {key}"},
        )
        assert r.status_code == 200 and r.json()["verdict"] == "licensed"


def test_serve_refuses_an_unknown_loop_or_parser() -> None:
    for option in (["--loop", "tornado"], ["--http", "hyper"]):
        done = mamori("serve", "--port", "0", *option)
        assert done.returncode != 0 and "must be" in (done.stdout + done.stderr)
