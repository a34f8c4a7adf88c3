"""`mamori media-matches list|decide|export`: registered characters found in screened media, from the command line
(acting as admin); `export` writes the decided ones as labelled calibration data (JSON lines)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from mamori.cli.common import DbOption, fail, open_service
from mamori.ops import OpsError

app = typer.Typer(help="Media matches: characters found in screened images and videos.", no_args_is_help=True)


@app.command("list")
def list_(
    status: str = typer.Option("open", "--status", help="open, upheld, released or all"),
    as_json: bool = typer.Option(False, "--json"),
    db: str | None = DbOption,
) -> None:
    """List media matches (newest first)."""
    from mamori.ops.keys import Principal
    from mamori.ops.media_matches import list_matches

    svc = open_service(db)
    try:
        rows = list_matches(svc, Principal.cli(), None if status == "all" else status)
    except OpsError as exc:
        fail(str(exc))
    finally:
        svc.close()
    for r in rows:
        if as_json:
            typer.echo(json.dumps(r, ensure_ascii=False, default=str))
        else:
            signals = ", ".join(f"{k} {v:.2f}" for k, v in sorted(r["signals"].items()))
            typer.echo(
                f"{r['id']}\t{r['status']}\t{r['verdict']}\t{r['character_id'] or r['work_id']}\t"
                f"{r['score']:.2f}\t{signals}\t{r['filename'] or r['media_sha256'][:12]}"
            )


@app.command("decide")
def decide(
    match_id: int = typer.Argument(...),
    action: str = typer.Option(..., "--action", help="uphold or release"),
    note: str | None = typer.Option(None, "--note"),
    db: str | None = DbOption,
) -> None:
    """Uphold or release a match; a release allow-lists that file for that character."""
    from mamori.ops.keys import Principal
    from mamori.ops.media_matches import decide as do_decide

    svc = open_service(db)
    try:
        r = do_decide(svc, match_id, action, Principal.cli(), note)
    except OpsError as exc:
        fail(str(exc))
    finally:
        svc.close()
    typer.echo(f"media match {match_id}: {r['status']}")


@app.command("export")
def export(
    out: Path | None = typer.Option(None, "--out", help="file to write (default: standard output)"),
    db: str | None = DbOption,
) -> None:
    """Decided matches as calibration data: one JSON line each (signals, score, label: upheld = true).
    `scripts/calibrate_signature.py --decisions FILE` reads it."""
    from mamori.ops.media_matches import calibration_rows

    svc = open_service(db)
    try:
        rows = calibration_rows(svc)
    finally:
        svc.close()
    text = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows)
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"{len(rows)} decided matches written to {out}", err=True)
