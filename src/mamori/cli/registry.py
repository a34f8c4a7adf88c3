"""`mamori registry import|export|validate`."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from mamori.cli.common import DbOption, handle_known_errors, open_service
from mamori.registry.fileformat import RegistryFileError, dump_yaml, to_document

app = typer.Typer(help="Register works, characters, references and policies.", no_args_is_help=True)


@app.command("validate")
def validate(file: Path = typer.Argument(..., help="A mamori-registry/1 file (YAML or JSON)")) -> None:
    """Check a registry file and its reference files (images, videos, audio) without importing it."""
    from mamori.config import Settings
    from mamori.service import read_registry_file

    try:
        reg, _ = read_registry_file(file, Settings.from_env())
    except RegistryFileError as exc:
        handle_known_errors(exc)
    typer.echo(
        f"{file}: ok — {len(reg.rightsholders)} rightsholders, {len(reg.works)} works, {len(reg.characters)} characters"
    )


@app.command("import")
def import_(
    file: Path = typer.Argument(..., help="A mamori-registry/1 file"), db: str | None = DbOption
) -> None:
    """Import a registry file in one transaction (all or nothing); re-import updates by id."""
    svc = open_service(db)
    try:
        report = svc.import_registry(file)
    except RegistryFileError as exc:
        handle_known_errors(exc)
    finally:
        svc.close()
    typer.echo(
        f"imported {file}: {report.characters} characters ({len(report.created)} new, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged), {len(report.policy_changes)} policy change(s), "
        f"{report.references_added} reference(s) stored, {report.references_unchanged} unchanged"
    )


@app.command("export")
def export(
    db: str | None = DbOption,
    fmt: str = typer.Option("yaml", "--format", help="yaml or json"),
    out: Path | None = typer.Option(None, "--out", help="Write here instead of standard output"),
) -> None:
    """Export the registry in the same format it is imported in."""
    svc = open_service(db)
    try:
        reg = svc.registry_store.load()
    finally:
        svc.close()
    text = (
        dump_yaml(reg) if fmt == "yaml" else json.dumps(to_document(reg), ensure_ascii=False, indent=2) + "\n"
    )
    if out:
        out.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False)
