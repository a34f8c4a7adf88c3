"""`mamori serve`: the HTTP API on uvicorn, over the same service the CLI uses."""

from __future__ import annotations

import typer

from mamori.cli.common import DbOption, open_service


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on"),
    port: int = typer.Option(8000, "--port", help="TCP port"),
    db: str | None = DbOption,
    log_level: str = typer.Option("warning", "--log-level", help="uvicorn log level"),
) -> None:
    """Serve the HTTP API (OpenAPI docs at /docs). Authenticate with keys from `mamori keys create`."""
    import uvicorn

    from mamori.api.app import create_app

    svc = open_service(db)
    try:
        uvicorn.run(create_app(svc), host=host, port=port, log_level=log_level, access_log=False)
    finally:
        svc.close()


def register(root: typer.Typer) -> None:
    root.command("serve")(serve)
