"""`mamori statements`: what a rightsholder is owed for a month, from the ledger."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from mamori.cli.common import DbOption, fail, open_service
from mamori.ops import OpsError


def statements(
    rightsholder: str = typer.Option(..., "--rightsholder", help="Rightsholder id"),
    period: str = typer.Option(..., "--period", help="Month, YYYY-MM (UTC)"),
    fmt: str = typer.Option("json", "--format", help="csv or json"),
    out: Path | None = typer.Option(None, "--out", help="Write here instead of standard output"),
    db: str | None = DbOption,
) -> None:
    """Per character: licensed generations, fees and revenue share owed (per currency), blocked attempts."""
    from mamori.ops.statements import statement, to_csv

    if fmt not in ("csv", "json"):
        fail(f"--format must be csv or json, not {fmt!r}")
    svc = open_service(db)
    try:
        st = statement(svc, rightsholder, period)
    except OpsError as exc:
        fail(str(exc))
    finally:
        svc.close()
    text = to_csv(st) if fmt == "csv" else json.dumps(st, ensure_ascii=False, indent=2) + "\n"
    if out:
        out.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False)


def register(root: typer.Typer) -> None:
    root.command("statements")(statements)
