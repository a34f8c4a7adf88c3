"""`mamori audit export|verify`: evidence for one work over a date range, provable against the ledger."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from mamori.cli.common import DbOption, fail, open_service
from mamori.ops import OpsError

app = typer.Typer(help="Audit exports for auditors and regulators.", no_args_is_help=True)


@app.command("export")
def export(
    work: str = typer.Option(..., "--work", help="Work id"),
    start: str = typer.Option(..., "--from", help="First day, YYYY-MM-DD (UTC)"),
    end: str = typer.Option(..., "--to", help="Last day, YYYY-MM-DD (UTC), inclusive"),
    out: Path = typer.Option(..., "--out", help="Folder to write (created)"),
    db: str | None = DbOption,
) -> None:
    """Decisions with evidence and the policy in force, ledger rows that prove them, summary, manifest."""
    from mamori.ops.audit import export as do_export

    svc = open_service(db)
    try:
        manifest = do_export(svc, work, start, end, out)
    except OpsError as exc:
        fail(str(exc))
    finally:
        svc.close()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    typer.echo(
        f"wrote {out}: {summary['decisions']} decision(s), {len(manifest['files'])} files + manifest.json"
    )


@app.command("verify")
def verify(
    folder: Path = typer.Argument(..., help="An export folder"),
    as_json: bool = typer.Option(False, "--json"),
    vkey: list[str] = typer.Option(
        [],
        "--vkey",
        help="The log's verifier key (`mamori ledger key`), or @FILE; repeat across a key rotation; "
        "default: the export's own",
    ),
    witness: list[str] = typer.Option(
        [], "--witness", help="A trusted witness's vkey (cosignature/v1), or @FILE; repeat"
    ),
    min_witnesses: int = typer.Option(
        0, "--min-witnesses", min=0, help="How many trusted witnesses must have cosigned the checkpoint"
    ),
) -> None:
    """Recompute file hashes, ledger row hashes, chain links and summary figures, and check every row's inclusion
    proof against the signed checkpoint (and its witness cosignatures) — no database needed. Exit 1 on any
    tampering."""
    from mamori.ops.audit import verify_export

    def lines(values: list[str]) -> list[str]:
        out: list[str] = []
        for v in values:
            try:
                text = Path(v[1:]).read_text(encoding="utf-8") if v.startswith("@") else v
            except OSError as exc:
                typer.echo(f"error: cannot read {v[1:]}: {exc.strerror or exc}", err=True)
                raise typer.Exit(2) from None
            out.extend(x.strip() for x in text.splitlines() if x.strip())
        return out

    result = verify_export(folder, lines(vkey) or None, lines(witness), min_witnesses)
    if as_json:
        typer.echo(json.dumps(result, indent=2))
    elif result["ok"]:
        cp = result.get("checkpoint")
        signed = f", each proven in the signed checkpoint of size {cp['tree_size']}" if cp else ""
        typer.echo(
            f"export ok: {result['decisions']} decision(s), {result['rows']} ledger row(s) verified{signed}"
        )
    else:
        typer.echo(f"export TAMPERED: {len(result['problems'])} problem(s)")
        for p in result["problems"]:
            typer.echo(f"  - {p}")
    raise typer.Exit(0 if result["ok"] else 1)
