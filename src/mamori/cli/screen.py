"""`mamori screen prompts|prompt|media`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from sqlalchemy.exc import SQLAlchemyError
from tqdm import tqdm

from mamori.cli.common import DbOption, fail, open_service
from mamori.types import Decision

app = typer.Typer(help="Screen prompts and media against the registry.", no_args_is_help=True)


def _count_lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(1 for line in f if line.strip())


@app.command("prompts")
def prompts(
    infile: Path = typer.Argument(
        ..., help="JSONL: {id, text, platform?, territory?} per line ('-' for stdin)"
    ),
    out: Path = typer.Option(..., "--out", help="Where decisions go, one JSON line per input line, in order"),
    db: str | None = DbOption,
    platform: str | None = typer.Option(None, "--platform", help="Default platform for lines without one"),
    territory: str | None = typer.Option(None, "--territory", help="Default territory for lines without one"),
    record: bool = typer.Option(True, "--record/--no-record", help="Record each decision in the ledger"),
) -> None:
    """Screen a JSONL file of prompts. Exit 0 whatever the verdicts; non-zero only on errors."""
    from mamori.batch import screen_lines

    if str(infile) != "-" and not infile.is_file():
        fail(f"cannot read {infile}: no such file")
    svc = open_service(db)
    total = None if str(infile) == "-" else _count_lines(infile)
    src = sys.stdin.buffer if str(infile) == "-" else infile.open("rb")
    counts: dict[str, int] = {}
    written = 0
    try:
        with (
            out.open("w", encoding="utf-8") as dst,
            tqdm(total=total, unit="prompt", file=sys.stderr, disable=None, desc="screening") as bar,
        ):
            # screen_lines yields a line only once its decision is in the ledger (write-ahead)
            for row in screen_lines(svc, src, platform, territory, record):
                dst.write(json.dumps(row, ensure_ascii=False) + "\n")
                written += 1
                counts[row["verdict"]] = counts.get(row["verdict"], 0) + 1
                if "error" in row:
                    counts["errors"] = counts.get("errors", 0) + 1
                bar.update(1)
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror or exc}")
    except SQLAlchemyError as exc:
        fail(
            f"the ledger could not record decisions ({type(exc).__name__}); {out} holds the first {written} "
            "line(s), each recorded; run again for the rest"
        )
    finally:
        if src is not sys.stdin.buffer:
            src.close()
        svc.close()
    summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    typer.echo(f"wrote {out}: {summary or 'no prompts'}", err=True)


def explain(text: str, d: Decision) -> str:
    lines = [f"verdict: {d.verdict.value.upper()}"]
    for m in d.matches:
        who = m.character or f"(work {m.work})"
        lines.append(f"  match {who} [{m.work}] score {m.score:.2f}")
        for e in m.evidence:
            where = f" at {e.span.start}-{e.span.end}" if e.span else ""
            quoted = f" '{e.text}'" if e.text else ""
            lines.append(f"    - {e.rule}{quoted}{where} ({e.score:.2f}) {e.detail}")
    if d.themes:
        lines.append(f"  themes: {', '.join(d.themes)}")
    for r in d.reasons:
        lines.append(f"  because {r}")
    if d.obligations:
        lines.append(f"  obligations: {json.dumps(d.obligations, ensure_ascii=False)}")
    return "\n".join(lines)


@app.command("prompt")
def prompt(
    text: str = typer.Argument(..., help="The prompt"),
    db: str | None = DbOption,
    platform: str | None = typer.Option(None, "--platform"),
    territory: str | None = typer.Option(None, "--territory"),
    as_json: bool = typer.Option(False, "--json", help="Print the decision as JSON"),
    record: bool = typer.Option(True, "--record/--no-record", help="Record the decision in the ledger"),
) -> None:
    """Screen one prompt and explain the decision."""
    from mamori.service import PromptError

    svc = open_service(db)
    try:
        d = svc.screen_prompt(text, svc.context(platform, territory), record=record)
    except PromptError as exc:
        fail(str(exc))
    finally:
        svc.close()
    typer.echo(json.dumps(d.to_json(), ensure_ascii=False, indent=2) if as_json else explain(text, d))


@app.command("media")
def media(
    paths: list[Path] = typer.Argument(..., help="Image, video or audio files; directories recurse"),
    out: Path | None = typer.Option(None, "--out", help="JSONL output (default: standard output)"),
    db: str | None = DbOption,
    platform: str | None = typer.Option(None, "--platform"),
    territory: str | None = typer.Option(None, "--territory"),
    record: bool = typer.Option(True, "--record/--no-record", help="Record each decision in the ledger"),
) -> None:
    """Screen images, videos and audio against registered reference art and sound. One JSON line per file; errors
    per file."""
    from mamori.screening.media import iter_media_paths

    files = list(iter_media_paths(paths))
    svc = open_service(db)
    ctx = svc.context(platform, territory)
    dst = out.open("w", encoding="utf-8") if out else sys.stdout
    counts: dict[str, int] = {}
    try:
        with tqdm(
            total=len(files), unit="file", file=sys.stderr, disable=None, desc="screening media"
        ) as bar:
            for f in files:
                row = svc.screen_media_path(f, ctx, record=record)
                dst.write(json.dumps(row, ensure_ascii=False) + "\n")
                dst.flush()
                key = "errors" if "error" in row else row["verdict"]
                counts[key] = counts.get(key, 0) + 1
                bar.update(1)
    finally:
        if out:
            dst.close()
        svc.close()
    typer.echo(
        f"screened {len(files)} file(s): " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())),
        err=True,
    )
