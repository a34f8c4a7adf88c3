"""`mamori keys create|list|revoke`: API keys for `mamori serve`."""

from __future__ import annotations

import typer

from mamori.cli.common import DbOption, fail, open_service
from mamori.ops import OpsError

app = typer.Typer(
    help="API keys for the HTTP API (admin, rightsholder, platform, auditor).", no_args_is_help=True
)


@app.command("create")
def create(
    role: str = typer.Option(..., "--role", help="admin, rightsholder, platform or auditor"),
    rightsholder: str | None = typer.Option(
        None, "--rightsholder", help="The rightsholder id a rightsholder key manages"
    ),
    platform: str | None = typer.Option(
        None, "--platform", help="The licensee id a platform key screens for"
    ),
    label: str | None = typer.Option(None, "--label", help="A note to tell keys apart"),
    db: str | None = DbOption,
) -> None:
    """Create a key. The secret is printed alone on the last line, once; only its hash is stored."""
    from mamori.ops.keys import create_key

    svc = open_service(db)
    try:
        row, secret = create_key(svc, role, rightsholder, platform, label)
    except OpsError as exc:
        fail(str(exc))
    finally:
        svc.close()
    binding = row.rightsholder or row.platform
    typer.echo(
        f"created key {row.id} ({row.role}{' ' + binding if binding else ''}); store it now, it is not shown again:",
        err=True,
    )
    typer.echo(secret)


@app.command("list")
def list_(db: str | None = DbOption) -> None:
    """List keys (never their secrets)."""
    from mamori.ops.keys import list_keys

    svc = open_service(db)
    try:
        rows = list_keys(svc)
    finally:
        svc.close()
    for r in rows:
        state = f"revoked {r.revoked_at.isoformat()}" if r.revoked_at else "active"
        typer.echo(f"{r.id}\t{r.role}\t{r.rightsholder or r.platform or '-'}\t{state}\t{r.label or ''}")


@app.command("revoke")
def revoke(
    key_id: str = typer.Argument(..., help="The key id (from `keys list`)"), db: str | None = DbOption
) -> None:
    """Revoke a key; it stops working at once."""
    from mamori.ops.keys import revoke_key

    svc = open_service(db)
    try:
        revoke_key(svc, key_id)
    except OpsError as exc:
        fail(str(exc))
    finally:
        svc.close()
    typer.echo(f"revoked {key_id}")
