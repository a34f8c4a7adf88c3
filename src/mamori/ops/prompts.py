"""Prompt text outside the ledger: erasure (by date, entry or platform user), retention, and who may read it.

The ledger entry holds only HMAC-SHA-256(salt, prompt); the text and salt sit in `prompt_texts`. Erasing them
leaves every entry, hash and proof untouched. Open reviews and disputes hold the text they need until resolved
(`--force` erases it anyway). The copies the workflow keeps for an open generation or a review are scrubbed too.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from mamori.ledger.commitment import opens
from mamori.ops import NotFound, OpsError
from mamori.storage import schema as t

if TYPE_CHECKING:  # pragma: no cover
    from mamori.ops.keys import Principal
    from mamori.service import Mamori


def _commitment_of(svc: Mamori, index: int) -> str:
    try:
        data = json.loads(svc.ledger.entry(index)).get("data", {})
    except KeyError:
        raise NotFound(f"no ledger entry {index}") from None
    c = data.get("prompt_commitment")
    if not c:
        raise OpsError(f"ledger entry {index} records no prompt", 422)
    return str(c)


def erase(
    svc: Mamori,
    before: str | date | datetime | None = None,
    entry: int | None = None,
    user: str | None = None,
    force: bool = False,
) -> dict[str, Any]:
    """Erase prompt text; returns {"erased": n, "held": n} (held: kept for an open review; see `force`)."""
    if before is None and entry is None and user is None:
        raise OpsError("say what to erase: --before DATE, --entry I or --user ID", 422)
    cutoff: datetime | None = None
    if isinstance(before, str):
        try:
            before = date.fromisoformat(before)
        except ValueError:
            raise OpsError(f"--before {before!r} is not a date (YYYY-MM-DD)", 422) from None
    if isinstance(before, datetime):
        cutoff = before
    elif isinstance(before, date):
        cutoff = datetime(before.year, before.month, before.day, tzinfo=UTC)
    commitments = [_commitment_of(svc, entry)] if entry is not None else None
    keep = set() if force else _open_review_texts(svc)
    texts = {r["text"] for r in svc.prompts.texts_matching(cutoff, commitments, user)} - keep
    erased, held = svc.prompts.erase(cutoff, commitments, user, keep)
    if erased:
        _scrub_copies(svc, texts, force)
    return {"erased": erased, "held": held}


def _open_review_texts(svc: Mamori) -> set[str]:
    r = t.reviews
    with svc.engine.connect() as conn:
        rows = conn.execute(select(r.c.subject).where(r.c.status == "open")).all()
    return {s.subject["prompt"] for s in rows if isinstance(s.subject, dict) and s.subject.get("prompt")}


def purge_expired(svc: Mamori) -> dict[str, Any]:
    """Retention: erase text older than MAMORI_PROMPT_RETENTION_DAYS (except what open reviews hold), and the
    frame thumbnails of media matches decided before then (open ones are kept until decided)."""
    from mamori.ops.media_matches import purge_thumbnails

    days = svc.settings.prompt_retention_days
    cutoff = datetime.now(UTC) - timedelta(days=max(days, 0))
    return {**erase(svc, before=cutoff), "thumbnails": purge_thumbnails(svc, cutoff)}


def _scrub_copies(svc: Mamori, texts: set[str], force: bool) -> None:
    """Blank the prompt in closed generations and resolved reviews (any, with `force`) that carried an erased text."""
    if not texts:
        return
    g, r = t.generations, t.reviews
    with svc.engine.begin() as conn:
        gq = update(g).where(g.c.prompt.in_(list(texts)))
        conn.execute((gq if force else gq.where(g.c.status != "open")).values(prompt=""))
        rq = select(r.c.id, r.c.subject)
        for row in conn.execute(rq if force else rq.where(r.c.status != "open")).all():
            subject = dict(row.subject or {})
            if subject.get("prompt") in texts:
                subject["prompt"] = None
                subject["prompt_erased"] = True
                conn.execute(update(r).where(r.c.id == row.id).values(subject=subject))


def reveal(svc: Mamori, data: dict[str, Any], who: Principal | None) -> str | None:
    """The prompt text of a decision entry, where it is still retained, checks against the entry's commitment,
    and `who` may see it (admins and auditors: yes; a platform: its own requests; nobody else)."""
    c = data.get("prompt_commitment")
    if not c:
        return data.get("prompt")  # entries written before commitments held the text itself
    may_see = who is None or who.role in ("admin", "auditor")
    if not may_see and (who is None or who.role != "platform" or data.get("platform") != who.platform):
        return None
    row = svc.prompts.get(c)
    if row is None or not opens(c, row["salt"], row["text"]):
        return None
    return str(row["text"])
