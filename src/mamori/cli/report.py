"""`mamori report`: public transparency reports from the ledger."""

from __future__ import annotations

from pathlib import Path

import typer

from mamori.cli.common import DbOption, write_table

app = typer.Typer(help="Transparency reports from the ledger.", no_args_is_help=True)


@app.command("enforcement")
def enforcement(
    period: str = typer.Option(..., "--period", help="Month YYYY-MM or year YYYY (UTC)"),
    fmt: str = typer.Option("json", "--format", help="csv or json"),
    out: Path | None = typer.Option(None, "--out", help="Write here instead of standard output"),
    db: str | None = DbOption,
) -> None:
    """Per work origin (rightsholder country) and per prompt language/script: decisions allowed, licensed,
    blocked and sent to review, disputes filed, and blocks overturned on dispute."""
    from mamori.ops.enforcement import enforcement_report, report_csv

    write_table(db, fmt, out, lambda svc: enforcement_report(svc, period), report_csv)
