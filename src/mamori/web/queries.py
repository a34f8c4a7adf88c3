"""Read models the console needs and the API does not have: activity aggregated from the ledger, name search in
any script, a key's current principal, reference thumbnails. Built on public ops and store methods only; every
function takes the principal and scopes what it returns the way the API scopes the same data."""

from __future__ import annotations

import io
import re
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from mamori.ops import registry_edit, store
from mamori.ops.keys import Principal

if TYPE_CHECKING:  # pragma: no cover
    from mamori.service import Mamori

DECISION_KINDS = ("decision.prompt", "decision.media", "decision.output")
REVIEW_KINDS = ("review.open", "dispute.file")
RECENT_BLOCKS = 20
MAX_PROMPT_SHOWN = 2000


def current_principal(svc: Mamori, key_id: str) -> Principal | None:
    """The principal of a session's key, read again on every request so a revoked key stops working at once."""
    row = store(svc).key(key_id)
    if row is None or row.revoked_at is not None:
        return None
    return Principal(row.id, row.role, row.rightsholder, row.platform)


def own_works(svc: Mamori, who: Principal) -> set[str] | None:
    """The works a principal may see activity for; None means all of them (admin, auditor)."""
    if who.role in ("admin", "auditor"):
        return None
    return {w["id"] for w in registry_edit.list_works(svc, who)} if who.role == "rightsholder" else set()


# --- activity -----------------------------------------------------------------------------------------------


@dataclass
class Blocked:
    ts: datetime
    prompt: str | None
    spans: list[tuple[int, int]]
    characters: list[str]
    reasons: list[str]
    platform: str | None
    language: str
    segments: list[str] = field(default_factory=list)  # media: where each character was seen or heard
    commitment: str | None = None  # the entry's prompt commitment; the text is looked up, where retained


def media_segments(matches: list[dict[str, Any]]) -> list[str]:
    """'hibiki 4.5-17.7 s (sound)' per matched character of a media decision: its merged visual/audio segments."""
    out = []
    for m in matches:
        segs = m.get("segments") or []
        if not segs:
            continue
        names = list(m.get("signals") or {})
        how = [
            w
            for w, hit in (
                ("sound", any(n.startswith("audio.") for n in names)),
                ("picture", any(not n.startswith("audio.") for n in names)),
            )
            if hit
        ]
        spans = ", ".join(f"{s.get('start', 0):.1f}–{s.get('end', 0):.1f} s" for s in segs[:6])
        out.append(f"{m.get('character') or m.get('work')} {spans} ({' + '.join(how)})")
    return out


def redact(text: str, spans: list[tuple[int, int]], context: int) -> tuple[str, list[tuple[int, int]]]:
    """The matched spans with `context` characters either side; everything else becomes '…' (context < 0: all)."""
    if context < 0 or not spans:
        return (text if context < 0 else "…"), (spans if context < 0 else [])
    keep: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        lo, hi = max(0, a - context), min(len(text), b + context)
        if keep and lo <= keep[-1][1]:
            keep[-1] = (keep[-1][0], max(keep[-1][1], hi))
        else:
            keep.append((lo, hi))
    out, shifted, pos = "", [], 0
    for lo, hi in keep:
        if lo > pos:
            out += "…"
        for a, b in spans:
            if lo <= a and b <= hi:
                shifted.append((len(out) + a - lo, len(out) + b - lo))
        out += text[lo:hi]
        pos = hi
    if pos < len(text):
        out += "…"
    return out, sorted(shifted)


def _reveal_recent(svc: Mamori, who: Principal, out: Activity) -> None:
    """Fill in the blocked prompts' text where it is still retained: whole for admins and auditors, for others the
    matched span with MAMORI_RIGHTSHOLDER_PROMPT_CONTEXT characters of context (the platform's users' privacy)."""
    from mamori.ledger.commitment import opens

    rows = svc.prompts.get_many([b.commitment for b in out.recent if b.commitment])
    full = who.role in ("admin", "auditor")
    for b in out.recent:
        row = rows.get(b.commitment or "")
        if row is None or not opens(row["commitment"], row["salt"], row["text"]):
            continue
        text = row["text"]
        if not full:
            text, b.spans = redact(text, b.spans, svc.settings.rightsholder_prompt_context)
        b.prompt = text[:MAX_PROMPT_SHOWN] + "…" if len(text) > MAX_PROMPT_SHOWN else text


@dataclass
class Activity:
    days: list[date]
    licensed: Counter[date] = field(default_factory=Counter)
    blocks: Counter[date] = field(default_factory=Counter)
    reviews: Counter[date] = field(default_factory=Counter)
    recent: deque[Blocked] = field(default_factory=lambda: deque(maxlen=RECENT_BLOCKS))
    languages: dict[str, Counter[str]] = field(default_factory=dict)

    def series(self, name: str) -> list[tuple[str, int]]:
        counts: Counter[date] = getattr(self, name)
        return [(d.strftime("%m-%d"), counts[d]) for d in self.days]

    def total(self, name: str) -> int:
        counts: Counter[date] = getattr(self, name)
        return sum(counts[d] for d in self.days)

    def recent_first(self) -> list[Blocked]:
        return list(reversed(self.recent))


def activity(svc: Mamori, who: Principal, days: int = 14, now: datetime | None = None) -> Activity:
    """Licensed generations (settlements), blocks and opened reviews per UTC day, the latest blocked prompts with
    their matched spans, and caught prompts by language, for the works `who` may see. Reads the ledger."""
    now = now or datetime.now(UTC)
    first = (now - timedelta(days=days - 1)).date()
    out = Activity([first + timedelta(days=i) for i in range(days)])
    scope = own_works(svc, who)
    since = datetime(first.year, first.month, first.day, tzinfo=UTC)
    for row in svc.ledger.rows(kinds=(*DECISION_KINDS, "settlement", *REVIEW_KINDS), since=since):
        ev = row.event
        day = datetime.fromisoformat(ev["ts"]).astimezone(UTC).date()
        data = ev["data"]
        kind = ev["kind"]
        if kind == "settlement":
            if any(
                _visible(scope, who, line.get("work"), line.get("rightsholder"))
                and line.get("mode") == "licensed"
                for line in data.get("lines", [])
            ):
                out.licensed[day] += 1
        elif kind in REVIEW_KINDS:
            if _visible(scope, who, data.get("work"), data.get("rightsholder")):
                out.reviews[day] += 1
        else:
            _decision(out, scope, who, kind, day, ev["ts"], data)
    _reveal_recent(svc, who, out)
    return out


def _visible(scope: set[str] | None, who: Principal, work: str | None, rightsholder: str | None) -> bool:
    if scope is None:
        return True
    return (work is not None and work in scope) or (
        rightsholder is not None and rightsholder == who.rightsholder
    )


def _decision(
    out: Activity, scope: set[str] | None, who: Principal, kind: str, day: date, ts: str, data: dict[str, Any]
) -> None:
    decision = data.get("decision") or {}
    matches = [m for m in decision.get("matches", []) if _visible(scope, who, m.get("work"), None)]
    if scope is not None and not matches:
        return
    verdict = decision.get("verdict", "")
    if kind == "decision.prompt" and matches:
        lang = data.get("language") or "other"
        out.languages.setdefault(lang, Counter())[verdict] += 1
    if verdict != "block":
        return
    out.blocks[day] += 1
    prompt = data.get("prompt")
    spans: list[tuple[int, int]] = []
    for m in matches:
        for e in m.get("evidence", []):
            sp = e.get("span")
            if isinstance(sp, list) and len(sp) == 2:
                spans.append((sp[0], sp[1]))
    if isinstance(prompt, str):  # entries written before prompts became commitments
        prompt, spans = (prompt, spans) if scope is None else redact(prompt, spans, 12)
        prompt = prompt[:MAX_PROMPT_SHOWN] + "…" if len(prompt) > MAX_PROMPT_SHOWN else prompt
    out.recent.append(
        Blocked(
            ts=datetime.fromisoformat(ts),
            prompt=prompt if isinstance(prompt, str) else None,
            spans=spans,
            characters=sorted({m.get("character") or m.get("work", "") for m in matches}),
            reasons=[str(r) for r in decision.get("reasons", [])][:3],
            platform=data.get("platform"),
            language=data.get("language") or "other",
            segments=media_segments(matches),
            commitment=data.get("prompt_commitment"),
        )
    )


# --- search ---------------------------------------------------------------------------------------------------

_SEPARATORS = re.compile(r"[\s\-_・･·.,、。'\"’]+")


@lru_cache(maxsize=10_000)
def search_forms(text: str) -> frozenset[str]:
    """Spellings a name is found under: width- and case-folded, katakana, and Hepburn romaji of its kanji/kana,
    so 'hoshino', 'ほしの' and '星野' all find 星野ミライ."""
    from mamori.screening.text.normalize import CJK_RE, normalize, to_katakana
    from mamori.screening.text.variants import romaji_segments

    folded = _SEPARATORS.sub("", normalize(text).text)
    kata = to_katakana(folded)
    romaji: list[str] = []
    reading: list[str] = []
    run = ""
    for ch in folded + "\0":
        if ch != "\0" and CJK_RE.match(ch):
            run += ch
            continue
        if run:
            segs = romaji_segments(run)
            romaji.append("".join(s[2] for s in segs) or run)
            reading.append("".join(s[3] for s in segs) or to_katakana(run))
            run = ""
        if ch != "\0":
            romaji.append(ch)
            reading.append(ch)
    return frozenset(f for f in (folded, kata, "".join(romaji), to_katakana("".join(reading))) if f)


def matches_query(query: str, texts: list[str]) -> bool:
    q = search_forms(query.strip())
    if not q:
        return True
    return any(qf in tf for t in texts for tf in search_forms(t) for qf in q)


def search_characters(
    svc: Mamori, who: Principal, query: str = "", work: str | None = None
) -> list[dict[str, Any]]:
    """The characters `who` may see (as the API lists them), filtered by a name, trait, id or work title."""
    chars = registry_edit.list_characters(svc, who)
    titles = {w["id"]: w["titles"] for w in registry_edit.list_works(svc, who)}
    if work:
        chars = [c for c in chars if c["work"] == work]
    if query.strip():
        chars = [
            c
            for c in chars
            if matches_query(query, [c["id"], *c["names"], *c["traits"], *titles.get(c["work"], [])])
        ]
    return chars


def search_works(svc: Mamori, who: Principal, query: str = "") -> list[dict[str, Any]]:
    works = registry_edit.list_works(svc, who)
    chars = registry_edit.list_characters(svc, who)
    by_work: dict[str, list[dict[str, Any]]] = {}
    for c in chars:
        by_work.setdefault(c["work"], []).append(c)
    out = []
    for w in works:
        members = by_work.get(w["id"], [])
        texts = [w["id"], *w["titles"], *(n for c in members for n in c["names"])]
        if not query.strip() or matches_query(query, texts):
            out.append({**w, "characters": members})
    return out


# --- references -------------------------------------------------------------------------------------------------

THUMB_PIXELS = 320


def reference_image(
    svc: Mamori, who: Principal, character: str, ref_id: int, full: bool = False
) -> tuple[str, bytes]:
    """(mime, bytes) of a character's reference: a PNG thumbnail unless `full`. Raises NotFound/Forbidden as
    the API would for a character `who` may not see (get_character checks ownership)."""
    from mamori.ops import NotFound

    summary = registry_edit.get_character(svc, character, who)
    ref = next((r for r in summary["reference_images"] if r["id"] == ref_id), None)
    if ref is None:
        raise NotFound(f"character {character!r} has no reference {ref_id}")
    got = svc.registry_store.reference_data(ref_id)
    if got is None:
        raise NotFound(f"character {character!r} has no reference {ref_id}")
    mime, data = got
    if full or not mime.startswith("image/"):
        return mime, data
    thumb = _thumbnail(svc, ref["sha256"], data)
    return ("image/png", thumb) if thumb is not None else (mime, data)


_THUMBS: dict[str, bytes] = {}


def _thumbnail(svc: Mamori, sha: str, data: bytes) -> bytes | None:
    """A small PNG of a reference, decoded with the visual gate's own loader and limits; None if it cannot be."""
    if sha in _THUMBS:
        return _THUMBS[sha]
    from PIL import Image

    from mamori.screening.image.loading import load_image
    from mamori.screening.media import MediaError

    try:
        pixels = load_image(data, svc.media_limits().image)
    except MediaError:
        return None
    im = Image.fromarray(pixels)
    im.thumbnail((THUMB_PIXELS, THUMB_PIXELS))
    buf = io.BytesIO()
    im.save(buf, format="PNG", optimize=True)
    if len(_THUMBS) > 500:
        _THUMBS.clear()
    _THUMBS[sha] = buf.getvalue()
    return _THUMBS[sha]
