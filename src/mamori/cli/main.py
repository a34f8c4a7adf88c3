"""The `mamori` command: thin typer commands over mamori.service."""

from __future__ import annotations

import importlib
import logging

import typer

from mamori import __version__

app = typer.Typer(
    help="mamori (守り): the rights gate for generative image and video.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

# (module, command name): each module exposes `app`, a typer group mounted under that name, or a
# `register(root)` function that adds its own top-level commands (serve, statements).
GROUPS = (
    ("mamori.cli.registry", "registry"),
    ("mamori.cli.screen", "screen"),
    ("mamori.cli.ledger", "ledger"),
    ("mamori.cli.keys", "keys"),
    ("mamori.cli.serve", "serve"),
    ("mamori.cli.statements", "statements"),
    ("mamori.cli.audit", "audit"),
    ("mamori.cli.review", "review"),
    ("mamori.cli.media_matches", "media-matches"),
    ("mamori.cli.provenance", "provenance"),
    ("mamori.cli.datasets", "datasets"),
    ("mamori.cli.report", "report"),
    ("mamori.cli.witness", "witness"),
)

for module_name, name in GROUPS:
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:  # a group still being built in this checkout
        if exc.name != module_name:
            raise
        continue
    if hasattr(module, "register"):
        module.register(app)
    else:
        app.add_typer(module.app, name=name)


@app.command("version")
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app()


if __name__ == "__main__":
    main()
