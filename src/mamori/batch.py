"""Batch prompt screening over JSONL: one output line per input line, in order, whatever each line holds.

Write-ahead: a line is yielded only after its decision is durable in the ledger. Lines are screened in batches
of RECORD_BATCH, the batch's decisions are appended in one transaction, and only then are its lines yielded; so a
run that stops (killed, disk full, database gone) has written only recorded decisions, and a restart may redo the
unwritten tail. A line that cannot be screened (not UTF-8, not JSON, wrong fields, too long, or a screening
failure) yields an output line with an `error` and the fail-closed verdict `block`, and that error decision is
recorded like any other; it never stops the run and never loses a line.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from typing import Any

from mamori.service import Mamori, PromptError, noted
from mamori.textsafe import safe_text
from mamori.types import Decision, RequestContext, Verdict

log = logging.getLogger("mamori.batch")

RECORD_BATCH = 500
MAX_LINE_BYTES = 8 * 1024 * 1024

Event = tuple[str, dict[str, Any]]


def _error_line(line_no: int, ident: Any, message: str) -> dict[str, Any]:
    return {
        "id": safe_text(ident).text if isinstance(ident, str) else None,
        "line": line_no,
        "verdict": "block",
        "matches": [],
        "themes": [],
        "reasons": [f"not screened: {message}"],
        "obligations": {},
        "error": message,
    }


def _parse(line_no: int, raw: bytes) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(row, None) or (None, error line). The row's strings are made storable here, at the boundary."""
    if len(raw) > MAX_LINE_BYTES:
        return None, _error_line(
            line_no, None, f"line is {len(raw):,} bytes; the limit is {MAX_LINE_BYTES:,}"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, _error_line(line_no, None, f"line is not valid UTF-8 (byte {exc.start})")
    try:
        row = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, _error_line(line_no, None, f"line is not JSON: {exc.msg} at column {exc.colno}")
    except RecursionError:
        return None, _error_line(line_no, None, "line is JSON nested too deeply to read")
    if not isinstance(row, dict):
        return None, _error_line(line_no, None, "line is not a JSON object")
    ident = row.get("id")
    if not isinstance(ident, str) or not ident:
        return None, _error_line(line_no, ident, "'id' must be a non-empty string")
    if not isinstance(row.get("text"), str):
        return None, _error_line(line_no, ident, "'text' must be a string")
    for key in ("platform", "territory"):
        if row.get(key) is not None and not isinstance(row[key], str):
            return None, _error_line(line_no, ident, f"'{key}' must be a string")
    territory = row.get("territory")
    if territory is not None and (len(territory) != 2 or not territory.isascii() or not territory.isalpha()):
        return None, _error_line(
            line_no, ident, f"'territory' must be an ISO 3166-1 alpha-2 code, got {territory[:20]!r}"
        )
    row["safe"] = safe_text(row["text"])
    row["text"] = row["safe"].text
    row["id"] = safe_text(ident).text
    if row.get("platform") is not None:
        row["platform"] = safe_text(row["platform"]).text
    return row, None


def _screen_line(
    svc: Mamori, line_no: int, raw: bytes, platform: str | None, territory: str | None, record: bool
) -> tuple[dict[str, Any], Event | None]:
    """One output line and, when recording, its ledger event (an error line's too)."""
    row, err = _parse(line_no, raw)
    ctx: RequestContext | None = None
    if row is not None:
        ctx = svc.context(row.get("platform") or platform, row.get("territory") or territory)
        try:
            decision = noted(svc.decide_prompt(row["text"], ctx), row["safe"])
        except PromptError as exc:
            err = _error_line(line_no, row["id"], str(exc))
        except (
            Exception
        ) as exc:  # one line's failure is that line's (fail-closed) decision, not the run's end
            log.exception("screening line %d failed", line_no)
            err = _error_line(line_no, row["id"], f"internal error while screening ({type(exc).__name__})")
        else:
            out = {"id": row["id"], **decision.to_json()}
            event = svc.decision_event(decision, ctx, row["text"], row["id"]) if record else None
            return out, ("decision.prompt", event) if event is not None else None
    assert err is not None
    if not record:
        return err, None
    if ctx is None:
        ctx = svc.context(platform, territory)
    # The text is kept when it was readable and within the prompt limit (an 8 MB line is not ledger material).
    text = row["text"] if row is not None and len(row["text"]) <= svc.settings.max_prompt_chars else None
    event = svc.decision_event(Decision(Verdict.BLOCK, reasons=tuple(err["reasons"])), ctx, text, err["id"])
    event.update(error=err["error"], line=line_no)
    return err, ("decision.prompt", event)


def screen_lines(
    svc: Mamori,
    lines: Iterable[bytes],
    default_platform: str | None = None,
    default_territory: str | None = None,
    record: bool = True,
    batch: int | None = None,
) -> Iterator[dict[str, Any]]:
    """Output lines in input order; with `record`, each batch's decisions are in the ledger before its lines are
    yielded. A ledger failure propagates before the unrecorded lines are yielded."""
    size = max(1, batch or RECORD_BATCH) if record else 1
    out: list[dict[str, Any]] = []
    events: list[Event] = []
    for line_no, raw in enumerate(lines, start=1):
        raw = raw.rstrip(b"\r\n")
        if not raw.strip():
            continue
        line, event = _screen_line(svc, line_no, raw, default_platform, default_territory, record)
        out.append(line)
        if event is not None:
            events.append(event)
        if len(out) >= size:
            _record(svc, out, events)
            yield from out
            out, events = [], []
    _record(svc, out, events)
    yield from out


def _record(svc: Mamori, out: list[dict[str, Any]], events: list[Event]) -> None:
    """Append a batch's decisions in one transaction; each line then carries its ledger receipt (recording
    gives every line an event, error lines included, so they pair one to one)."""
    if not events:
        return
    appended = svc.ledger.append_many(events)
    if len(appended) == len(out):
        for line, a in zip(out, appended, strict=True):
            line["receipt"] = a.receipt()
