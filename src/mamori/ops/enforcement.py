"""The enforcement transparency report: for one period, per work origin (the rightsholder's country) and per prompt
language/script, how many decisions allowed, licensed, blocked or sent to review, how many disputes were filed,
and how many blocks were overturned on dispute (the measured false-positive rate).

Read from the ledger, the record the figures must agree with: decisions are `decision.prompt`, `decision.media`
and `decision.output` entries; disputes are `dispute.file`; overturns are `review.resolve` of a dispute released or
allow-listed. A dispute's language is its prompt's, while the prompt is still retained.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from mamori.ops import OpsError, store

if TYPE_CHECKING:  # pragma: no cover
    from mamori.service import Mamori

DECISIONS = ("decision.prompt", "decision.media", "decision.output")
VERDICTS = ("allow", "licensed", "block", "review")
OVERTURNING = ("release", "allowlist")
NO_MATCH = "none"  # the decision matched no registered work
UNKNOWN = "unknown"  # the rightsholder gave no country / the prompt text is no longer retained
MEDIA = "media"  # a media decision has no prompt language
COLUMNS = ("decisions", *VERDICTS, "disputes", "overturned", "overturned_rate")


def parse_period(period: str) -> tuple[datetime, datetime]:
    """'2026-11' (a month) or '2026' (a year) → [start, end) in UTC."""
    m = re.fullmatch(r"(\d{4})(?:-(\d{2}))?", period.strip())
    if not m or (m.group(2) and not 1 <= int(m.group(2)) <= 12):
        raise OpsError(f"period {period!r}: use a month YYYY-MM or a year YYYY", 422)
    year = int(m.group(1))
    if m.group(2) is None:
        return datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
    month = int(m.group(2))
    start = datetime(year, month, 1, tzinfo=UTC)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=UTC)
    return start, end


def _empty() -> dict[str, int]:
    return {c: 0 for c in COLUMNS if c != "overturned_rate"}


def enforcement_report(svc: Mamori, period: str) -> dict[str, Any]:
    from mamori.textsafe import prompt_language

    start, end = parse_period(period)
    country = {r.id: (r.country or UNKNOWN) for r in svc.registry().rightsholders}
    origin: dict[str, dict[str, int]] = defaultdict(_empty)
    language: dict[str, dict[str, int]] = defaultdict(_empty)
    totals = _empty()

    def origins(rightsholders: list[str]) -> set[str]:
        return {country.get(r, UNKNOWN) for r in rightsholders if r} or {NO_MATCH}

    def dispute_language(review_id: int | None) -> str:
        row = store(svc).review(review_id) if review_id is not None else None
        prompt = (row or {}).get("subject", {}).get("prompt")
        return prompt_language(prompt) if isinstance(prompt, str) and prompt else UNKNOWN

    for row in svc.ledger.rows(kinds=[*DECISIONS, "dispute.file", "review.resolve"], since=start, until=end):
        event = row.event
        kind, data = event["kind"], event["data"]
        if kind in DECISIONS:
            verdict = (data.get("decision") or {}).get("verdict")
            if verdict not in VERDICTS:
                continue
            lang = data.get("language") or UNKNOWN if kind == "decision.prompt" else MEDIA
            counted = [totals, language[lang], *(origin[o] for o in origins(data.get("rightsholders") or []))]
            for bucket in counted:
                bucket["decisions"] += 1
                bucket[verdict] += 1
        elif data.get("kind") == "dispute":
            column = "disputes" if kind == "dispute.file" else None
            if kind == "review.resolve" and data.get("action") in OVERTURNING:
                column = "overturned"
            if column is None:
                continue
            lang = dispute_language(data.get("review_id"))
            for bucket in (totals, language[lang], *(origin[o] for o in origins([data.get("rightsholder")]))):
                bucket[column] += 1
    return {
        "report": "enforcement",
        "period": period.strip(),
        "from": start.isoformat(),
        "until": end.isoformat(),
        "totals": _with_rate(totals),
        "by_origin": [{"origin": k, **_with_rate(v)} for k, v in sorted(origin.items())],
        "by_language": [{"language": k, **_with_rate(v)} for k, v in sorted(language.items())],
    }


def _with_rate(counts: dict[str, int]) -> dict[str, Any]:
    """Overturned blocks per block: the share of blocks found wrong on dispute (None when nothing was blocked)."""
    rate = round(counts["overturned"] / counts["block"], 4) if counts["block"] else None
    return {**counts, "overturned_rate": rate}


def report_csv(report: dict[str, Any]) -> str:
    """One table: a row per origin and per language (`dimension`, `value`), then the totals."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["period", "dimension", "value", *COLUMNS])
    rows = [("origin", r["origin"], r) for r in report["by_origin"]]
    rows += [("language", r["language"], r) for r in report["by_language"]]
    rows.append(("total", "", report["totals"]))
    for dimension, value, r in rows:
        rate = r["overturned_rate"]
        w.writerow(
            [report["period"], dimension, value, *(r[c] for c in COLUMNS[:-1]), "" if rate is None else rate]
        )
    return out.getvalue()
