"""The activity dashboard, the review and dispute queue, statements and the ledger's status."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Response
from starlette.datastructures import FormData

from mamori.ops import OpsError, statements
from mamori.ops import registry_edit as registry_ops
from mamori.ops import reviews as review_ops
from mamori.web import queries
from mamori.web.pages import (
    DASHBOARD,
    LEDGER_READERS,
    OWNERS,
    PREFIX,
    REVIEW_READERS,
    Page,
    PageError,
    checked_form,
    need,
    ops_errors,
    page,
    secure,
    text,
)

router = APIRouter(prefix=PREFIX, include_in_schema=False)
DAY_CHOICES = (7, 14, 30, 90)
REVIEW_STATUSES = ("open", "upheld", "released", "allowlisted", "all")


@router.get("/")
def dashboard(days: int = 14, p: Page = Depends(page)) -> Response:
    if p.who is not None and p.who.role == "platform":
        return p.render("platform.html")
    p = need(*DASHBOARD)(p)
    assert p.who is not None
    days = days if days in DAY_CHOICES else 14
    act = queries.activity(p.svc, p.who, days)
    every = 1 if days <= 7 else (2 if days <= 14 else (5 if days <= 30 else 15))
    languages = sorted(act.languages.items(), key=lambda kv: -sum(kv[1].values()))
    top = max([sum(c.values()) for _, c in languages] + [1])
    return p.render(
        "dashboard.html",
        act=act,
        days=days,
        day_choices=DAY_CHOICES,
        every=every,
        languages=languages,
        lang_top=top,
    )


# --- reviews ------------------------------------------------------------------------------------------------------


@router.get("/reviews")
def reviews(status: str = "open", p: Page = Depends(need(*REVIEW_READERS))) -> Response:
    assert p.who is not None
    status = status if status in REVIEW_STATUSES else "open"
    with ops_errors():
        rows = review_ops.list_reviews(p.svc, p.who, None if status == "all" else status)
    for row in rows:
        decision = (row.get("subject") or {}).get("decision") or {}
        row["spans"] = [
            e["span"]
            for m in decision.get("matches", [])
            for e in m.get("evidence", [])
            if isinstance(e.get("span"), list)
        ]
    return p.render(
        "reviews.html",
        reviews=list(reversed(rows)),
        status=status,
        statuses=REVIEW_STATUSES,
        can_resolve=p.who.role in OWNERS,
    )


@router.post("/reviews/{review_id}/resolve")
def resolve(
    review_id: int, form: FormData = Depends(checked_form), p: Page = Depends(need(*OWNERS))
) -> Response:
    assert p.who is not None
    action = text(form, "action")
    with ops_errors():
        done = review_ops.resolve(
            p.svc, review_id, action, p.who, text(form, "phrase") or None, text(form, "note") or None
        )
    p.flash("ok", p.t("reviews.resolved", id=review_id, status=p.t(f"reviews.status.{done['status']}")))
    return p.redirect(
        "/reviews", status=text(form, "back") if text(form, "back") in REVIEW_STATUSES else None
    )


# --- statements ----------------------------------------------------------------------------------------------------


def _statement_target(p: Page, rightsholder: str) -> str:
    assert p.who is not None
    if p.who.role == "rightsholder":
        if rightsholder not in ("", p.who.rightsholder):
            raise PageError(403, "a rightsholder key reads only its own usage")  # as GET /v1/usage answers
        return p.who.rightsholder or ""
    return rightsholder


@router.get("/statements")
def statements_page(period: str = "", rightsholder: str = "", p: Page = Depends(need(*OWNERS))) -> Response:
    assert p.who is not None
    target = _statement_target(p, rightsholder)
    period = period or datetime.now(UTC).strftime("%Y-%m")
    with ops_errors():
        holders = registry_ops.list_rightsholders(p.svc, p.who)
    st, error = None, None
    if target:
        try:
            st = statements.statement(p.svc, target, period)
        except OpsError as exc:
            error = str(exc)
    return p.render(
        "statements.html", st=st, error=error, period=period, rightsholder=target, holders=holders
    )


@router.get("/statements/download")
def statement_download(
    period: str, rightsholder: str = "", format: str = "csv", p: Page = Depends(need(*OWNERS))
) -> Response:
    target = _statement_target(p, rightsholder)
    if not target:
        raise PageError(422, "rightsholder is required")
    with ops_errors():
        st = statements.statement(p.svc, target, period)
    # target is a registered id (a slug) and period matched YYYY-MM, so both are safe in a file name
    name = re.sub(r"[^a-z0-9-]", "", f"statement-{target}-{period}")
    if format == "json":
        body, mime, ext = json.dumps(st, ensure_ascii=False, indent=2), "application/json", "json"
    else:
        body, mime, ext = statements.to_csv(st), "text/csv", "csv"
    response = secure(Response(body.encode("utf-8"), media_type=f"{mime}; charset=utf-8"))
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{ext}"'
    return response


# --- ledger ---------------------------------------------------------------------------------------------------------


@router.get("/ledger")
def ledger(p: Page = Depends(need(*LEDGER_READERS))) -> Response:
    result = p.svc.ledger.verify().to_json()
    return p.render("ledger.html", v=result)
