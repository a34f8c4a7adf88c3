"""`mamori report`: public transparency reports from the ledger."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from mamori.cli.common import DbOption, fail, open_service
from mamori.ops import OpsError

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

    if fmt not in ("csv", "json"):
        fail(f"--format must be csv or json, not {fmt!r}")
    svc = open_service(db)
    try:
        report = enforcement_report(svc, period)
    except OpsError as exc:
        fail(str(exc))
    finally:
        svc.close()
    text = report_csv(report) if fmt == "csv" else json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    if out:
        out.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False)
