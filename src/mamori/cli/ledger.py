"""`mamori ledger verify|tail`."""

from __future__ import annotations

import json

import typer

from mamori.cli.common import DbOption, open_service

app = typer.Typer(help="The tamper-evident ledger.", no_args_is_help=True)


@app.command("verify")
def verify(db: str | None = DbOption, as_json: bool = typer.Option(False, "--json")) -> None:
    """Recompute the hash chain; name the first broken row. Exit 1 when the chain is broken."""
    svc = open_service(db)
    try:
        result = svc.ledger.verify()
    finally:
        svc.close()
    if as_json:
        typer.echo(json.dumps(result.to_json()))
    elif result.ok:
        typer.echo(f"ledger ok: {result.rows} rows, head {result.head}")
    else:
        typer.echo(f"ledger BROKEN at row {result.first_bad}: {result.reason} ({result.rows} rows read)")
    raise typer.Exit(0 if result.ok else 1)


@app.command("tail")
def tail(db: str | None = DbOption, n: int = typer.Option(10, "-n", help="How many rows")) -> None:
    """Print the newest events."""
    svc = open_service(db)
    try:
        rows = list(svc.ledger.rows())[-n:]
    finally:
        svc.close()
    for r in rows:
        typer.echo(f"{r.seq} {r.hash[:12]} {r.payload[:300]}")
