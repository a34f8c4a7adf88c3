"""Media matches: the frames where a rightsholder's characters were found, beside the matching reference, with the
signals that agreed and a video's timeline of segments; the rightsholder upholds or releases each
(`mamori.ops.media_matches`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response
from starlette.datastructures import FormData

from mamori.ops import media_matches as ops
from mamori.web.pages import PREFIX, Page, checked_form, need, ops_errors, secure, text

router = APIRouter(prefix=PREFIX, include_in_schema=False)
READERS = ops.READERS
DECIDERS = ("admin", "rightsholder")
FILTERS = (*ops.STATUSES, "all")
TIMELINE_W = 600  # px of the SVG timeline


def timeline(row: dict[str, Any]) -> dict[str, Any] | None:
    """A video match's segments as SVG boxes (x, width in TIMELINE_W px) over the media's length."""
    segs = row.get("segments") or []
    if row.get("kind") != "video" or not segs:
        return None
    length = max(
        [float(row.get("duration") or 0.0), float(row.get("frame_time") or 0.0)] + [float(s[1]) for s in segs]
    )
    length = max(length, 1e-3)
    scale = TIMELINE_W / length
    boxes = [
        {
            "x": round(float(s[0]) * scale, 1),
            "w": round(max(2.0, (float(s[1]) - float(s[0])) * scale), 1),
            "start": float(s[0]),
            "end": float(s[1]),
            "score": float(s[2]) if len(s) > 2 else 0.0,
        }
        for s in segs
    ]
    marker = round(float(row["frame_time"]) * scale, 1) if row.get("frame_time") is not None else None
    return {"width": TIMELINE_W, "length": length, "boxes": boxes, "marker": marker}


@router.get("/matches")
def matches(status: str = "open", p: Page = Depends(need(*READERS))) -> Response:
    assert p.who is not None
    status = status if status in FILTERS else "open"
    with ops_errors():
        rows = ops.list_matches(p.svc, p.who, None if status == "all" else status)
    for row in rows:
        row["timeline"] = timeline(row)
        row["signal_list"] = sorted((row.get("signals") or {}).items(), key=lambda kv: -float(kv[1]))
    return p.render(
        "matches.html",
        rows=rows,
        status=status,
        statuses=FILTERS,
        can_decide=p.who.role in DECIDERS,
        can_see_pictures=p.who.role in ops.PICTURE_READERS,
    )


def _jpeg(data: bytes) -> Response:
    response = secure(Response(data, media_type="image/jpeg"))
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@router.get("/matches/{match_id}/frame.jpg")
def frame(match_id: int, p: Page = Depends(need(*READERS))) -> Response:
    assert p.who is not None
    with ops_errors():
        return _jpeg(ops.frame_thumbnail(p.svc, match_id, p.who))


@router.get("/matches/{match_id}/reference.jpg")
def reference(match_id: int, p: Page = Depends(need(*READERS))) -> Response:
    assert p.who is not None
    with ops_errors():
        return _jpeg(ops.reference_thumbnail(p.svc, match_id, p.who))


@router.post("/matches/{match_id}/decide")
def decide(
    match_id: int, form: FormData = Depends(checked_form), p: Page = Depends(need(*DECIDERS))
) -> Response:
    assert p.who is not None
    with ops_errors():
        done = ops.decide(p.svc, match_id, text(form, "action"), p.who, text(form, "note")[:500] or None)
    p.flash("ok", p.t("matches.decided", id=match_id, status=p.t(f"matches.status.{done['status']}")))
    back = text(form, "back")
    return p.redirect("/matches", status=back if back in FILTERS else None)
