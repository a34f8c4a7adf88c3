"""`mamori datasets scan|lookup`: thin commands over mamori.datasets."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from mamori.cli.common import DbOption, fail, open_service

app = typer.Typer(
    help="Scan training data for registered characters and opt-outs; write the disclosure.",
    no_args_is_help=True,
)


def _load_meta(path: Path | None) -> dict:  # type: ignore[type-arg]
    if path is None:
        return {}
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror or exc}")
    import yaml

    try:
        data = yaml.safe_load(text) if path.suffix in (".yaml", ".yml") else json.loads(text)
    except (ValueError, yaml.YAMLError) as exc:
        fail(f"{path} is not valid {'YAML' if path.suffix in ('.yaml', '.yml') else 'JSON'}: {exc}")
    if not isinstance(data, dict):
        fail(f"{path}: expected a mapping at the top level")
    return data


@app.command("scan")
def scan_cmd(
    inputs: list[Path] = typer.Argument(
        ..., help="Tar shards, img2dataset parquet files, or folders of them / of media"
    ),
    out: Path = typer.Option(
        ..., "--out", help="Output folder (re-running resumes: finished shards are skipped)"
    ),
    engine: str = typer.Option("local", "--engine", help="Where shards run: local | ray"),
    db: str | None = DbOption,
    workers: int = typer.Option(1, "--workers", min=1, help="Ray: CPUs for the local Ray instance"),
    snapshots: Path | None = typer.Option(
        None,
        "--snapshots",
        help="Crawl-time policy files: DIR/<host>/robots.txt, ai.txt, .well-known/tdmrep.json",
    ),
    meta: Path | None = typer.Option(
        None,
        "--meta",
        help="YAML/JSON: provider, model, crawlers, datasets [{name, category, inputs}] for the disclosure",
    ),
    shard_size: int = typer.Option(
        1000, "--shard-size", min=1, help="Files per shard when scanning a media folder"
    ),
    top_domains: int = typer.Option(20, "--top-domains", min=1, help="How many domains the disclosure lists"),
) -> None:
    """Screen every sample (pixels, caption, opt-out signals); write exclusions, kept manifest, disclosure."""
    from mamori.datasets import ScreenerSpec, scan
    from mamori.datasets.distributor import DISTRIBUTORS

    if engine not in DISTRIBUTORS:
        fail(f"unknown engine {engine!r}; choose from {', '.join(DISTRIBUTORS)}")
    for p in inputs:
        if not p.exists():
            fail(f"input {p} does not exist")
    if snapshots is not None and not snapshots.is_dir():
        fail(f"--snapshots {snapshots} is not a folder")
    meta_data = _load_meta(meta)
    svc = open_service(db)
    try:
        registry = svc.registry()
        db_url = svc.settings.db
    finally:
        svc.close()
    try:
        result = scan(
            [str(p) for p in inputs],
            out,
            ScreenerSpec(db_url),
            registry,
            engine=engine,
            workers=workers,
            snapshots=snapshots,
            shard_size=shard_size,
            meta=meta_data,
            meta_base=meta.parent if meta else None,
            top_domains=top_domains,
            progress=None,
        )
    except (ValueError, FileNotFoundError) as exc:
        fail(str(exc))
    t = result.totals
    typer.echo(
        f"wrote {out}: {t.get('samples', 0)} samples in {result.shards} shards "
        f"({result.skipped} already done): kept {t.get('kept', 0)}, excluded {t.get('excluded', 0)} "
        f"(character {t.get('excluded_by', {}).get('character', 0)}, opt-out {t.get('excluded_by', {}).get('opt-out', 0)}, "
        f"error {t.get('excluded_by', {}).get('error', 0)})",
        err=True,
    )
    if t["incomplete_shards"]:
        typer.echo(
            f"warning: {len(t['incomplete_shards'])} shard(s) could not be read to the end; re-run to retry",
            err=True,
        )


@app.command("lookup")
def lookup_cmd(
    out: Path = typer.Argument(..., help="A scan's output folder"),
    work: str = typer.Option(..., "--work", help="Work id (or character id) from the registry"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON"),
) -> None:
    """Was this work in the scanned data? How many samples were found, excluded and kept, with keys."""
    from mamori.datasets import lookup

    if not (out / "exclusions.jsonl").is_file():
        fail(f"{out} is not a scan output folder (no exclusions.jsonl)")
    r = lookup(out, work)
    if as_json:
        typer.echo(json.dumps(r, ensure_ascii=False, indent=1))
        return
    typer.echo(f"{work}: found in {r['found']} samples; excluded {r['excluded']}, kept {r['kept']}")
    for e in r["excluded_keys"]:
        typer.echo(f"  excluded {e['shard']}/{e['key']} ({', '.join(e['reasons'])})")
    for e in r["kept_keys"]:
        typer.echo(f"  kept     {e['shard']}/{e['key']}")
