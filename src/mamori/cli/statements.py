"""`mamori statements`: what a rightsholder is owed for a month, from the ledger."""

from __future__ import annotations

from pathlib import Path

import typer

from mamori.cli.common import DbOption, write_table


def statements(
    rightsholder: str = typer.Option(..., "--rightsholder", help="Rightsholder id"),
    period: str = typer.Option(..., "--period", help="Month, YYYY-MM (UTC)"),
    fmt: str = typer.Option("json", "--format", help="csv or json"),
    out: Path | None = typer.Option(None, "--out", help="Write here instead of standard output"),
    db: str | None = DbOption,
) -> None:
    """Per character: licensed generations, fees and revenue share owed (per currency), blocked attempts."""
    from mamori.ops.statements import statement, to_csv

    write_table(db, fmt, out, lambda svc: statement(svc, rightsholder, period), to_csv)


def register(root: typer.Typer) -> None:
    root.command("statements")(statements)
