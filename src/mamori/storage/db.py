"""Engines and migrations. SQLite (default, WAL) and PostgreSQL (psycopg 3) behind one SQLAlchemy URL."""

from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

DEFAULT_URL = "sqlite:///./mamori.db"
MIGRATIONS = Path(__file__).parent / "migrations"
_migrated: set[str] = set()
WAL_SIZE_LIMIT = 64 * 1024 * 1024
_lock = threading.Lock()


class StorageError(RuntimeError):
    """The store cannot be reached or used; the message says which URL and why (never the password)."""


def normalise_url(url: str) -> str:
    """Accept plain `postgresql://` URLs and use the psycopg 3 driver for them."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def safe_url(url: str) -> str:
    return make_url(normalise_url(url)).render_as_string(hide_password=True)


def make_engine(url: str, sqlite_autocheckpoint: bool = True, pool_size: int = 5) -> Engine:
    """`sqlite_autocheckpoint=False`: SQLite's WAL is not checkpointed by the committing writer (its default, every
    1,000 pages, inside the commit that crosses the mark); the caller runs `storage.wal.WalCheckpointer` instead."""
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        db = parsed.database
        if db and db != ":memory:":
            Path(db).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            # WAL lets readers run beside one writer; busy_timeout makes concurrent writers wait, not fail.
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            # Deleted content (erased prompt text) is overwritten, not left in free pages of the file.
            cur.execute("PRAGMA secure_delete=ON")
            if not sqlite_autocheckpoint:
                cur.execute("PRAGMA wal_autocheckpoint=0")
                # once checkpointed and reset, a WAL file that grew under a burst shrinks back to this size
                cur.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT}")
            cur.close()

        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(url, pool_pre_ping=True, pool_size=pool_size, max_overflow=2 * pool_size)
    raise StorageError(f"unsupported database URL {safe_url(url)!r}: use sqlite:///PATH or postgresql://…")


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (idempotent; once per engine URL per process)."""
    key = str(engine.url)
    with _lock:
        if key in _migrated:
            return
        cfg = alembic_config()
        try:
            with engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        except Exception as exc:  # a bad URL, refused connection, missing rights
            raise StorageError(
                f"cannot open database {safe_url(key)}: {exc.__class__.__name__}: {exc}"
            ) from exc
        _migrated.add(key)


def forget_engines() -> None:
    """Tests drop databases; forget which URLs were migrated so a recreated one is migrated again."""
    with _lock:
        _migrated.clear()


def database_problem(exc: BaseException) -> str | None:
    """What is wrong with the database, in words for an operator or client, when `exc` is a database error
    (unreachable, read-only, disk full); None for anything else."""
    from sqlalchemy.exc import DBAPIError, DisconnectionError, TimeoutError

    if isinstance(exc, TimeoutError):
        return "the database is busy: no connection became free in time"
    if not isinstance(exc, DBAPIError | DisconnectionError):
        return None
    msg = str(getattr(exc, "orig", None) or exc).lower()
    if "readonly" in msg or "read-only" in msg or "read only" in msg:
        return "the database is read-only: nothing was written"
    if "disk is full" in msg or "no space left" in msg or "disk full" in msg:
        return "the database's disk is full: nothing was written"
    if isinstance(exc, DBAPIError) and not exc.connection_invalidated:
        kinds = ("connect", "connection", "server closed", "terminat", "shutdown", "starting up", "refused")
        if not any(k in msg for k in kinds):
            return None
    return "the database is unreachable; retry shortly"
