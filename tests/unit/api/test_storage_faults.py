"""A read-only or full database: the API answers 503 with the reason, and the ledger never holds a partial entry."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event

from mamori.api.app import create_app
from mamori.ops.keys import create_key
from mamori.service import Mamori
from tests.unit.api.conftest import DATA, auth, make_client

PROMPT = {"text": "Mirai Hoshino delivering letters", "territory": "JP"}


def _prepared(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "m.db"
    svc = Mamori.open(f"sqlite:///{path}")
    svc.import_registry(DATA)
    key = create_key(svc, "platform", platform="acme-video")[1]
    svc.close()
    return path, key


def test_read_only_database_is_a_clear_503_and_writes_nothing(tmp_path: Path) -> None:
    path, key = _prepared(tmp_path)
    ro = Mamori.open(f"sqlite:///file:{path}?mode=ro&uri=true")  # the database as a read-only mount gives it
    before = ro.ledger.count()
    with make_client(create_app(ro)) as c:
        r = c.post("/v1/screen/prompt", json=PROMPT, headers=auth(key))
        assert r.status_code == 503 and r.headers["retry-after"] == "1"
        assert r.json()["error"] == "the database is read-only: nothing was written"
        assert c.get("/healthz").status_code == 200  # the service itself lives on
    assert ro.ledger.count() == before and ro.ledger.verify().ok
    ro.close()


def test_full_disk_is_a_clear_503_and_never_a_partial_entry(tmp_path: Path) -> None:
    path, key = _prepared(tmp_path)
    svc = Mamori.open(f"sqlite:///{path}")
    with svc.engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar_one()

    @event.listens_for(svc.engine, "connect")
    def _small_disk(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        # SQLite reports SQLITE_FULL ("database or disk is full") at this size: what a full disk gives
        dbapi_conn.execute(f"PRAGMA max_page_count={pages + 8}")

    svc.engine.dispose()
    acknowledged = 0
    with make_client(create_app(svc)) as c:
        for _ in range(400):
            r = c.post("/v1/screen/prompt", json=PROMPT, headers=auth(key))
            if r.status_code != 200:
                break
            acknowledged += 1
        assert r.status_code == 503, r.text
        assert r.json()["error"] == "the database's disk is full: nothing was written"
    svc.close()
    after = Mamori.open(f"sqlite:///{path}")
    assert after.ledger.count("decision.prompt") == acknowledged and after.ledger.verify().ok
    after.close()
