"""`mamori serve`: the HTTP API on uvicorn, over the same service the CLI uses."""

from __future__ import annotations

import os

import typer

from mamori.cli.common import DbOption, fail, open_service

SERVE_WAL_CHECKPOINT_SECONDS = 0.5


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on"),
    port: int = typer.Option(8000, "--port", help="TCP port"),
    db: str | None = DbOption,
    workers: int = typer.Option(
        1, "--workers", help="Worker processes; they share the database (one ledger, sessions, rate limits)"
    ),
    log_level: str = typer.Option("warning", "--log-level", help="uvicorn log level"),
    loop: str = typer.Option(
        "auto",
        "--loop",
        envvar="MAMORI_SERVE_LOOP",
        help="Event loop: auto (uvloop when installed, as it is with mamori), asyncio or uvloop",
    ),
    http: str = typer.Option(
        "auto",
        "--http",
        envvar="MAMORI_SERVE_HTTP",
        help="HTTP/1.1 parser: auto (httptools when installed, as it is with mamori), h11 or httptools",
    ),
) -> None:
    """Serve the HTTP API (OpenAPI docs at /docs). Authenticate with keys from `mamori keys create`."""
    import uvicorn

    from mamori.api.app import create_app, tune_server_process

    if workers < 1:
        fail("--workers must be at least 1")
    if loop not in ("auto", "asyncio", "uvloop"):
        fail(f"--loop must be auto, asyncio or uvloop, not {loop!r}")
    if http not in ("auto", "h11", "httptools"):
        fail(f"--http must be auto, h11 or httptools, not {http!r}")
    stack = {"loop": loop, "http": http}
    # Opened here first even for several workers: the schema is migrated once, and a bad URL or signing key
    # is a start-up error rather than N crashing workers.
    # A server checkpoints SQLite's WAL in the background, not inside a group commit (storage.wal)
    wal = None if os.environ.get("MAMORI_SQLITE_WAL_CHECKPOINT_SECONDS") else SERVE_WAL_CHECKPOINT_SECONDS
    svc = open_service(db, sqlite_wal_checkpoint_seconds=wal)
    if workers > 1:
        svc.close()
        os.environ["MAMORI_DB"] = (
            svc.settings.db
        )  # each worker process builds its service from the environment
        os.environ["MAMORI_SQLITE_WAL_CHECKPOINT_SECONDS"] = str(svc.settings.sqlite_wal_checkpoint_seconds)
        uvicorn.run(
            "mamori.api.app:create_app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level=log_level,
            access_log=False,
            **stack,  # type: ignore[arg-type]
        )
        return
    tune_server_process()
    app = create_app(svc)
    svc.warm()  # indexes built and lazy dictionaries loaded before the first request, not during it
    try:
        uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False, **stack)  # type: ignore[arg-type]
    finally:
        svc.close()


def register(root: typer.Typer) -> None:
    root.command("serve")(serve)
