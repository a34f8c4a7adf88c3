"""Media matches: a registered character found in a screened image or video, as its rightsholder sees it.

Each match of a recorded media decision becomes one row (`media_matches`): the fused score, the signals that
agreed, the evidence, the time segments of a video, the reference that matched, and a small JPEG of the frame
where the character was seen best (`THUMB_SIDE` px). The thumbnail is cut from the screened bytes while they are
still in memory and is shown only to the rightsholder whose character matched and to admins (auditors read the
rows without pictures), the way `ops/prompts.reveal` limits prompt text; retention drops the thumbnails of decided
matches with the prompt text (`purge_thumbnails`).

The rightsholder **upholds** a match (it is theirs) or **releases** it (a false match, or a use they allow): a
release adds an allow-list entry for that character and that file's sha256, so the same file is not matched to the
character again (`Mamori.screen_media_path` honours it). Both are ledger events, and every decided row is a
labelled example for calibration: `calibration_rows` (CLI `mamori media-matches export`) writes them as JSON lines
that `scripts/calibrate_signature.py --decisions FILE` reads (upheld = the character, released = not).
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select, update

from mamori.ops import Conflict, Forbidden, NotFound, OpsError
from mamori.storage import schema as t

if TYPE_CHECKING:  # pragma: no cover
    from mamori.ops.keys import Principal
    from mamori.service import Mamori

THUMB_SIDE = 320  # px, longest side of a stored frame thumbnail
THUMB_QUALITY = 80
STATUSES = ("open", "upheld", "released")
ACTIONS = {"uphold": "upheld", "release": "released"}
READERS = ("admin", "rightsholder", "auditor")
PICTURE_READERS = ("admin", "rightsholder")


def _jpeg(rgb: Any) -> bytes:
    from PIL import Image

    im = rgb if isinstance(rgb, Image.Image) else Image.fromarray(rgb)
    im = im.convert("RGB")
    im.thumbnail((THUMB_SIDE, THUMB_SIDE))
    buf = io.BytesIO()
    im.save(buf, format="JPEG", quality=THUMB_QUALITY)
    return buf.getvalue()


def _video_frame(data: bytes, at: float) -> Any:
    """The first frame at or after `at` seconds (RGB ndarray), or None."""
    import av

    with av.open(io.BytesIO(data), mode="r", metadata_errors="ignore") as c:
        if not c.streams.video:
            return None
        s = c.streams.video[0]
        start = None
        for n, f in enumerate(c.decode(s)):
            ft = float(f.time or 0.0)
            start = ft if start is None else start
            if ft - start >= at - 1e-3 or n > 20_000:
                return f.to_ndarray(format="rgb24", width=min(f.width, 2 * THUMB_SIDE))
    return None


def thumbnail(data: bytes, kind: str | None, at: float | None = None) -> bytes | None:
    """A small JPEG of an image, or of a video's frame at `at` seconds; None when it cannot be made (it is an
    illustration: its absence never fails the decision)."""
    try:
        if kind == "image":
            from PIL import Image, ImageOps

            with Image.open(io.BytesIO(data)) as im:
                im.draft("RGB", (THUMB_SIDE, THUMB_SIDE))
                return _jpeg(ImageOps.exif_transpose(im))
        if kind == "video":
            frame = _video_frame(data, at or 0.0)
            return _jpeg(frame) if frame is not None else None
    except Exception:  # noqa: BLE001 - a damaged file was already decided on; no picture then
        return None
    return None


def _best(m: dict[str, Any]) -> tuple[str | None, float | None]:
    """The reference and media time of a match's strongest evidence that names them."""
    ref, at = None, None
    for e in sorted(m.get("evidence", []), key=lambda e: -float(e.get("score", 0))):
        ref = ref or (str(e["reference"]) if e.get("reference") is not None else None)
        if at is None and isinstance(e.get("time"), int | float):
            at = float(e["time"])
    if at is None and m.get("segments"):
        at = float(m["segments"][0]["start"])
    return ref, at


def record(
    svc: Mamori,
    decision: dict[str, Any],
    data: bytes,
    sha256: str,
    filename: str,
    request_id: str | None,
    ledger_index: int | None,
    platform: str | None,
) -> list[int]:
    """One row per matched character of a recorded media decision, each with its frame thumbnail."""
    matches = [m for m in decision.get("matches", []) if m.get("work")]
    if not matches:
        return []
    owners = svc.indexes().work_owner
    kind = decision.get("kind")
    thumbs: dict[float | None, bytes | None] = {}
    rows = []
    for m in matches:
        ref, at = _best(m)
        if at not in thumbs:
            thumbs[at] = thumbnail(data, kind, at)
        rows.append(
            {
                "created_at": datetime.now(UTC),
                "request_id": request_id,
                "ledger_index": ledger_index,
                "media_sha256": sha256,
                "filename": filename[:500],
                "kind": kind,
                "platform_id": platform,
                "character_id": m.get("character"),
                "work_id": m["work"],
                "rightsholder_id": owners.get(m["work"]),
                "verdict": decision.get("verdict", "review"),
                "score": float(m.get("score", 0.0)),
                "signals": dict(m.get("signals") or {}),
                "evidence": [
                    {k: e[k] for k in ("rule", "score", "detail", "time", "reference") if k in e}
                    for e in m.get("evidence", [])[:12]
                ],
                "segments": [[s["start"], s["end"], s.get("score", 0.0)] for s in m.get("segments", [])],
                "duration": (decision.get("signals") or {}).get("video", {}).get("duration"),
                "reference_id": ref,
                "frame_time": at,
                "thumbnail": thumbs[at],
                "status": "open",
            }
        )
    mm = t.media_matches
    ids = []
    with svc.engine.begin() as conn:
        for row in rows:
            ids.append(int(conn.execute(insert(mm).values(**row).returning(mm.c.id)).scalar_one()))
    return ids


def _scope(who: Principal) -> Any:
    mm = t.media_matches
    if who.role not in READERS:
        raise Forbidden(f"a {who.role} key cannot read media matches")
    if who.role == "rightsholder":
        return mm.c.rightsholder_id == who.rightsholder
    return None


def list_matches(
    svc: Mamori, who: Principal, status: str | None = "open", limit: int = 200
) -> list[dict[str, Any]]:
    """The matches `who` may read, newest first, without the picture bytes (`has_thumbnail` says if one exists)."""
    mm = t.media_matches
    cols = [c for c in mm.c if c.name != "thumbnail"]
    q = select(*cols, (mm.c.thumbnail.is_not(None)).label("has_thumbnail"))
    scope = _scope(who)
    if scope is not None:
        q = q.where(scope)
    if status is not None:
        if status not in STATUSES:
            raise OpsError(f"status must be one of {', '.join(STATUSES)}", 422)
        q = q.where(mm.c.status == status)
    with svc.engine.connect() as conn:
        rows = conn.execute(q.order_by(mm.c.id.desc()).limit(max(1, min(limit, 1000)))).mappings().all()
    out = []
    for r in rows:
        d = dict(r)
        d["has_thumbnail"] = bool(d["has_thumbnail"]) and who.role in PICTURE_READERS
        for k in ("created_at", "decided_at"):
            if d.get(k) is not None:
                d[k] = d[k].isoformat()
        out.append(d)
    return out


def _row(svc: Mamori, match_id: int, who: Principal) -> Any:
    mm = t.media_matches
    q = select(mm).where(mm.c.id == match_id)
    scope = _scope(who)
    if scope is not None:
        q = q.where(scope)
    with svc.engine.connect() as conn:
        row = conn.execute(q).first()
    if row is None:
        raise NotFound(f"no media match {match_id}")
    return row


def frame_thumbnail(svc: Mamori, match_id: int, who: Principal) -> bytes:
    if who.role not in PICTURE_READERS:
        raise Forbidden("only the rightsholder whose character matched (or an admin) sees the frame")
    row = _row(svc, match_id, who)
    if row.thumbnail is None:
        raise NotFound(f"media match {match_id} has no thumbnail")
    return bytes(row.thumbnail)


def reference_thumbnail(svc: Mamori, match_id: int, who: Principal) -> bytes:
    """A JPEG of the reference the match was found against (a video reference: its frame at that time); like the
    registry's reference pages, for the character's rightsholder and admins."""
    if who.role not in PICTURE_READERS:
        raise Forbidden("only the character's rightsholder (or an admin) sees its references")
    row = _row(svc, match_id, who)
    ref = str(row.reference_id or "")
    head, _, at = ref.partition("@")
    if not head.isdigit():
        raise NotFound(f"media match {match_id} names no stored reference")
    found = svc.registry_store.reference_data(int(head))
    if found is None:
        raise NotFound(f"reference {head} is gone")
    mime, data = found
    kind = "video" if mime.startswith("video/") else "image" if mime.startswith("image/") else None
    pic = thumbnail(data, kind, float(at.rstrip("s")) if at else None)
    if pic is None:
        raise NotFound(f"reference {head} has no picture")
    return pic


def decide(
    svc: Mamori, match_id: int, action: str, who: Principal, note: str | None = None
) -> dict[str, Any]:
    """Uphold or release an open match (its rightsholder or an admin); a release allow-lists the file for that
    character. Recorded in the ledger."""
    if action not in ACTIONS:
        raise OpsError(f"action must be one of {', '.join(ACTIONS)}", 422)
    if who.role not in ("admin", "rightsholder"):
        raise Forbidden(f"a {who.role} key cannot decide on media matches")
    row = _row(svc, match_id, who)
    if row.status != "open":
        raise Conflict(f"media match {match_id} is already {row.status}")
    status = ACTIONS[action]
    mm = t.media_matches
    with svc.engine.begin() as conn:
        done = conn.execute(
            update(mm)
            .where(mm.c.id == match_id, mm.c.status == "open")
            .values(status=status, decided_by=who.actor, decided_at=datetime.now(UTC), note=(note or None))
        ).rowcount
    if not done:
        raise Conflict(f"media match {match_id} was decided meanwhile")
    if status == "released" and row.character_id:
        svc.registry_store.add_allowlist(row.character_id, None, row.media_sha256, None)
    svc.ledger.append(
        f"media_match.{status}",
        {
            "media_match": match_id,
            "character": row.character_id,
            "work": row.work_id,
            "rightsholder": row.rightsholder_id,
            "media_sha256": row.media_sha256,
            "by": who.actor,
            **({"note": note} if note else {}),
        },
    )
    return {"id": match_id, "status": status}


def calibration_rows(svc: Mamori) -> list[dict[str, Any]]:
    """Every decided match as a labelled example: the signals' scores and whether the rightsholder upheld it."""
    mm = t.media_matches
    q = select(
        mm.c.id,
        mm.c.character_id,
        mm.c.work_id,
        mm.c.kind,
        mm.c.score,
        mm.c.signals,
        mm.c.status,
        mm.c.media_sha256,
    ).where(mm.c.status.in_(("upheld", "released")))
    with svc.engine.connect() as conn:
        rows = conn.execute(q.order_by(mm.c.id)).all()
    return [
        {
            "id": r.id,
            "character": r.character_id,
            "work": r.work_id,
            "kind": r.kind,
            "score": r.score,
            "signals": r.signals,
            "media_sha256": r.media_sha256,
            "label": r.status == "upheld",
        }
        for r in rows
    ]


def purge_thumbnails(svc: Mamori, before: datetime) -> int:
    """Retention (`ops/prompts.purge_expired`): drop the frame thumbnails of matches recorded before `before` that
    are decided; an open match keeps its picture until its rightsholder has seen it. Rows and decisions stay."""
    mm = t.media_matches
    with svc.engine.begin() as conn:
        return int(
            conn.execute(
                update(mm)
                .where(mm.c.created_at < before, mm.c.status != "open", mm.c.thumbnail.is_not(None))
                .values(thumbnail=None)
            ).rowcount
        )
