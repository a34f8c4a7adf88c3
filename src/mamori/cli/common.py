"""Shared CLI plumbing: opening the service, printing errors the same way everywhere."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import typer

from mamori.registry.fileformat import RegistryFileError
from mamori.storage.db import StorageError

DbOption = typer.Option(None, "--db", help="Database URL (default: $MAMORI_DB or sqlite:///./mamori.db)")


def fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def open_service(db: str | None, **overrides: Any):  # type: ignore[no-untyped-def]
    from mamori.ops.transparency import LedgerKeyError
    from mamori.provenance.errors import ProvenanceConfigError
    from mamori.service import Mamori

    try:
        return Mamori.open(db, **overrides)
    except StorageError as exc:
        fail(str(exc))
    except ProvenanceConfigError as exc:
        fail(f"provenance signing is misconfigured: {exc}")
    except LedgerKeyError as exc:
        fail(f"ledger checkpoint signing is misconfigured: {exc}")


def handle_known_errors(exc: BaseException) -> NoReturn:
    if isinstance(exc, RegistryFileError):
        typer.echo(str(exc), err=True)
        raise typer.Exit(2)
    if isinstance(exc, StorageError):
        fail(str(exc))
    raise exc


def stderr_is_tty() -> bool:
    return sys.stderr.isatty()


def write_table(
    db: str | None,
    fmt: str,
    out: Path | None,
    build: Callable[[Any], dict[str, Any]],
    to_csv: Callable[[dict[str, Any]], str],
) -> None:
    """A report the service builds (`build(svc)`), as CSV or JSON, to `out` or standard output."""
    from mamori.ops import OpsError

    if fmt not in ("csv", "json"):
        fail(f"--format must be csv or json, not {fmt!r}")
    svc = open_service(db)
    try:
        table = build(svc)
    except OpsError as exc:
        fail(str(exc))
    finally:
        svc.close()
    text = to_csv(table) if fmt == "csv" else json.dumps(table, ensure_ascii=False, indent=2) + "\n"
    if out:
        out.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False)
