"""Monthly statements for a rightsholder, computed from the ledger alone: per character, licensed generations,
fees and revenue share owed (Decimal, per currency) from `settlement` events, and blocked attempts from decision
events, for the works the rightsholder holds."""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from mamori.ops import OpsError

if TYPE_CHECKING:  # pragma: no cover
    from mamori.service import Mamori

DECISION_KINDS = ("decision.prompt", "decision.media", "decision.output")


def month_range(period: str) -> tuple[datetime, datetime]:
    if not re.fullmatch(r"\d{4}-\d{2}", period or ""):
        raise OpsError(f"period {period!r} is not a month (YYYY-MM)", 422)
    year, month = int(period[:4]), int(period[5:])
    if not 1 <= month <= 12:
        raise OpsError(f"period {period!r} is not a month (YYYY-MM)", 422)
    start = datetime(year, month, 1, tzinfo=UTC)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=UTC)
    return start, end


def statement(svc: Mamori, rightsholder: str, period: str) -> dict[str, Any]:
    start, end = month_range(period)
    reg = svc.registry_store.load()
    if not any(r.id == rightsholder for r in reg.rightsholders):
        raise OpsError(f"no rightsholder with id {rightsholder!r}", 404)
    own_works = {w.id for w in reg.works if w.rightsholder == rightsholder}
    rows: dict[str, dict[str, Any]] = {}

    def row(character: str, work: str | None) -> dict[str, Any]:
        return rows.setdefault(
            character,
            {
                "character": character,
                "work": work,
                "licensed_generations": 0,
                "tracked_generations": 0,
                "fees": defaultdict(Decimal),
                "revenue_share": defaultdict(Decimal),
                "revenue_share_unpriced": 0,
                "blocked_attempts": 0,
            },
        )

    for lr in svc.ledger.rows(kinds=("settlement", *DECISION_KINDS), since=start, until=end):
        ev = lr.event
        data = ev["data"]
        if ev["kind"] == "settlement":
            for line in data.get("lines", []):
                if line.get("rightsholder") != rightsholder and line.get("work") not in own_works:
                    continue
                r = row(line["character"], line.get("work"))
                r["tracked_generations" if line.get("mode") == "tracked" else "licensed_generations"] += 1
                if line.get("fee"):
                    r["fees"][line["fee"]["currency"]] += Decimal(line["fee"]["amount"])
                share = line.get("revenue_share")
                if share:
                    if share.get("amount") is None:
                        r["revenue_share_unpriced"] += 1
                    else:
                        r["revenue_share"][share["currency"]] += Decimal(share["amount"])
        elif data.get("decision", {}).get("verdict") == "block":
            seen: set[str] = set()
            for m in data["decision"].get("matches", []):
                if m["work"] not in own_works:
                    continue
                cid = m.get("character") or f"(work {m['work']})"
                if cid not in seen:
                    seen.add(cid)
                    row(cid, m["work"])["blocked_attempts"] += 1

    characters = []
    totals_fees: dict[str, Decimal] = defaultdict(Decimal)
    totals_share: dict[str, Decimal] = defaultdict(Decimal)
    for cid in sorted(rows):
        r = rows[cid]
        for cur, amt in r["fees"].items():
            totals_fees[cur] += amt
        for cur, amt in r["revenue_share"].items():
            totals_share[cur] += amt
        characters.append(
            {
                **r,
                "fees": {k: str(v) for k, v in sorted(r["fees"].items())},
                "revenue_share": {k: str(v) for k, v in sorted(r["revenue_share"].items())},
            }
        )
    return {
        "rightsholder": rightsholder,
        "period": period,
        "from": start.isoformat(),
        "until": end.isoformat(),
        "characters": characters,
        "totals": {
            "licensed_generations": sum(c["licensed_generations"] for c in characters),
            "blocked_attempts": sum(c["blocked_attempts"] for c in characters),
            "fees": {k: str(v) for k, v in sorted(totals_fees.items())},
            "revenue_share": {k: str(v) for k, v in sorted(totals_share.items())},
        },
    }


def to_csv(st: dict[str, Any]) -> str:
    """One row per character and currency (a character with no money owed still gets one row)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(
        [
            "period",
            "rightsholder",
            "character",
            "work",
            "licensed_generations",
            "tracked_generations",
            "blocked_attempts",
            "currency",
            "fees",
            "revenue_share",
            "revenue_share_unpriced",
        ]
    )
    for c in st["characters"]:
        currencies = sorted(set(c["fees"]) | set(c["revenue_share"])) or [""]
        for cur in currencies:
            w.writerow(
                [
                    st["period"],
                    st["rightsholder"],
                    c["character"],
                    c["work"],
                    c["licensed_generations"],
                    c["tracked_generations"],
                    c["blocked_attempts"],
                    cur,
                    c["fees"].get(cur, "0") if cur else "0",
                    c["revenue_share"].get(cur, "0") if cur else "0",
                    c["revenue_share_unpriced"],
                ]
            )
    return buf.getvalue()
