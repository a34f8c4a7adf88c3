"""`mamori review list|resolve`: the review queue from the command line (acting as admin)."""

from __future__ import annotations

import json

import typer

from mamori.cli.common import DbOption, fail, open_service
from mamori.ops import OpsError

app = typer.Typer(help="The review queue: `review` verdicts and disputes.", no_args_is_help=True)


@app.command("list")
def list_(
    status: str = typer.Option("open", "--status", help="open, upheld, released, allowlisted or all"),
    as_json: bool = typer.Option(False, "--json"),
    db: str | None = DbOption,
) -> None:
    """List queue entries."""
    from mamori.ops.keys import Principal
    from mamori.ops.reviews import list_reviews

    svc = open_service(db)
    try:
        rows = list_reviews(svc, Principal.cli(), None if status == "all" else status)
    finally:
        svc.close()
    for r in rows:
        if as_json:
            typer.echo(json.dumps(r, ensure_ascii=False, default=str))
        else:
            typer.echo(
                f"{r['id']}\t{r['kind']}\t{r['status']}\t{r['character_id'] or r['work_id']}\t"
                f"due {r['deadline'][:10]}\t{(r['reason'] or '')[:80]}"
            )


@app.command("resolve")
def resolve(
    review_id: int = typer.Argument(...),
    action: str = typer.Option(..., "--action", help="uphold, release or allowlist"),
    phrase: str | None = typer.Option(None, "--phrase", help="allowlist: the phrase (default: the prompt)"),
    note: str | None = typer.Option(None, "--note"),
    db: str | None = DbOption,
) -> None:
    """Resolve an entry; allowlist applies to later screening."""
    from mamori.ops.keys import Principal
    from mamori.ops.reviews import resolve as do_resolve

    svc = open_service(db)
    try:
        r = do_resolve(svc, review_id, action, Principal.cli(), phrase, note)
    except OpsError as exc:
        fail(str(exc))
    finally:
        svc.close()
    typer.echo(f"review {review_id}: {r['status']}")
