"""Batch prompt screening over JSONL: one output line per input line, in order, whatever each line holds.

A line that cannot be screened (not UTF-8, not JSON, wrong fields, too long) yields an output line with an
`error` and the fail-closed verdict `block`; it never stops the run and never loses a line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from mamori.service import Mamori, PromptError

RECORD_BATCH = 500
MAX_LINE_BYTES = 8 * 1024 * 1024


def _error_line(line_no: int, ident: Any, message: str) -> dict[str, Any]:
    return {
        "id": ident if isinstance(ident, str) else None,
        "line": line_no,
        "verdict": "block",
        "matches": [],
        "themes": [],
        "reasons": [f"not screened: {message}"],
        "obligations": {},
        "error": message,
    }


def _parse(line_no: int, raw: bytes) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(row, None) or (None, error line)."""
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
            line_no, ident, f"'territory' must be an ISO 3166-1 alpha-2 code, got {territory!r}"
        )
    return row, None


def screen_lines(
    svc: Mamori,
    lines: Iterable[bytes],
    default_platform: str | None = None,
    default_territory: str | None = None,
    record: bool = True,
) -> Iterator[dict[str, Any]]:
    pending: list[tuple[str, dict[str, Any]]] = []
    for line_no, raw in enumerate(lines, start=1):
        raw = raw.rstrip(b"\r\n")
        if not raw.strip():
            continue
        row, err = _parse(line_no, raw)
        if err is not None:
            yield err
            continue
        assert row is not None
        ctx = svc.context(row.get("platform") or default_platform, row.get("territory") or default_territory)
        try:
            decision = svc.decide_prompt(row["text"], ctx)
        except PromptError as exc:
            yield _error_line(line_no, row["id"], str(exc))
            continue
        if record:
            pending.append(("decision.prompt", svc.decision_event(decision, ctx, row["text"], row["id"])))
            if len(pending) >= RECORD_BATCH:
                svc.ledger.append_many(pending)
                pending = []
        yield {"id": row["id"], **decision.to_json()}
    if pending:
        svc.ledger.append_many(pending)
