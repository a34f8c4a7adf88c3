"""Screening for adapters: one prompt or one media file, recorded in the ledger, `review` verdicts queued.

Decisions are passed around as their JSON (`Decision.to_json()` shape) because the visual gate answers in JSON;
`combine` merges a prompt decision with media decisions: the worst verdict wins, obligations are merged.
"""

from __future__ import annotations

import hashlib
import inspect
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mamori.entropy import token_hex
from mamori.ledger.commitment import prompt_fields
from mamori.ops import OpsError, Unavailable, media_matches
from mamori.ops.keys import Principal
from mamori.textsafe import SafeText, prompt_language, safe_text

if TYPE_CHECKING:  # pragma: no cover
    from mamori.service import Mamori
    from mamori.storage.ledger_store import Appended
    from mamori.types import RequestContext

SEVERITY = {"allow": 0, "licensed": 1, "review": 2, "block": 3}
PASSING = ("allow", "licensed")


def request_id(prefix: str = "r") -> str:
    return f"{prefix}_{token_hex(12)}"


def visual_gate_available(svc: Mamori) -> bool:
    return hasattr(svc, "screen_media_bytes")


def decide_prompt(svc: Mamori, safe: SafeText, ctx: RequestContext) -> dict[str, Any]:
    """The decision on a prompt made storable at its entry point (`safe_text`), saying what was replaced."""
    from mamori.service import PromptError, noted

    try:
        return noted(svc.decide_prompt(safe.text, ctx), safe).to_json()
    except PromptError as exc:
        raise OpsError(str(exc), 422) from None


def decide_media(svc: Mamori, data: bytes, filename: str, ctx: RequestContext) -> dict[str, Any]:
    """The visual gate's decision JSON; a file it cannot screen fails closed as `block` with the error."""
    if not visual_gate_available(svc):
        raise Unavailable("visual gate not available")
    screen = svc.screen_media_bytes  # type: ignore[attr-defined]
    # We record the decision ourselves (with request and generation ids), so the service must not record it too.
    kwargs = {"record": False} if "record" in inspect.signature(screen).parameters else {}
    out = dict(screen(data, filename, ctx, **kwargs))
    out.setdefault("matches", [])
    out.setdefault("themes", [])
    out.setdefault("reasons", [])
    out.setdefault("obligations", {})
    if out.get("error") or out.get("verdict") not in SEVERITY:
        out["verdict"] = "block"
        out["obligations"] = {}
        out["reasons"] = [*out["reasons"], f"not screened: {out.get('error') or 'no verdict'}"]
    return out


def _merge_obligations(parts: list[dict[str, Any]]) -> dict[str, Any]:
    attribution: list[str] = []
    fees: dict[str, dict[str, Any]] = {}
    shares: dict[str, dict[str, Any]] = {}
    tracked: list[str] = []
    for ob in parts:
        attribution += [a for a in ob.get("attribution", []) if a not in attribution]
        for f in ob.get("fees", []):
            fees.setdefault(f["character"], f)
        for s in ob.get("revenue_share", []):
            shares.setdefault(s["character"], s)
        tracked += [c for c in ob.get("usage_recorded", []) if c not in tracked]
    out: dict[str, Any] = {}
    if attribution:
        out["attribution"] = attribution
    if fees:
        out["fees"] = list(fees.values())
    if shares:
        out["revenue_share"] = list(shares.values())
    if tracked:
        out["usage_recorded"] = tracked
    return out


def combine(*decisions: dict[str, Any]) -> dict[str, Any]:
    """One decision from several (prompt, input image, output): the most severe verdict; obligations only
    when the result passes, merged so each character's fee is owed once."""
    verdict = max((d["verdict"] for d in decisions), key=SEVERITY.__getitem__)
    out = {
        "verdict": verdict,
        "matches": [m for d in decisions for m in d.get("matches", [])],
        "themes": list(dict.fromkeys(t for d in decisions for t in d.get("themes", []))),
        "reasons": list(dict.fromkeys(r for d in decisions for r in d.get("reasons", []))),
        "obligations": _merge_obligations([d.get("obligations", {}) for d in decisions])
        if verdict in PASSING
        else {},
    }
    return out


def decision_event(
    svc: Mamori,
    decision: dict[str, Any],
    ctx: RequestContext,
    text: str | None,
    rid: str | None,
    user: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """The ledger payload for a decision (the same fields `Mamori.decision_event` writes): the prompt enters
    only as a salted commitment; its text rides beside the entry into the erasable store."""
    idx = svc.indexes()
    works = sorted({m["work"] for m in decision.get("matches", [])})
    chars = sorted({m["character"] for m in decision.get("matches", []) if m.get("character")})
    owners = idx.work_owner
    return {
        "request_id": rid,
        "platform": ctx.platform,
        "territory": ctx.territory,
        "language": prompt_language(text or ""),
        "decision": decision,
        "works": works,
        "rightsholders": sorted({owners[w] for w in works if w in owners}),
        "policy_versions": {c: idx.policy_versions.get(c) for c in chars},
        **(prompt_fields(text, ctx.platform, user) if text is not None else {}),
        **extra,
    }


@dataclass(frozen=True)
class PromptRecord:
    """A screened prompt before its ledger entry is committed: the decision and the event that records it."""

    request_id: str
    text: str
    ctx: RequestContext
    decision: dict[str, Any]
    event: dict[str, Any]


# Prompts up to this many characters are decided on the caller's thread by `decides_inline` callers (the API's event
# loop: ~0.1 ms for a sentence, less than a hop to a worker thread); longer ones and index rebuilds go to a thread.
INLINE_PROMPT_CHARS = 1000


def decides_inline(svc: Mamori, text: str) -> bool:
    """Whether `prepare_prompt(text)` is cheap enough for an event loop: a short prompt and indexes that need
    neither a build nor a registry check now."""
    return len(text) <= INLINE_PROMPT_CHARS and svc.indexes_ready()


def prepare_prompt(
    svc: Mamori, text: str, territory: str | None, actor: Principal, user: str | None = None
) -> PromptRecord:
    """Screen one prompt and build its ledger event (nothing is recorded yet)."""
    ctx = svc.context(actor.platform, territory)
    rid = request_id()
    safe = safe_text(text)  # the one place HTTP and SDK prompts are made storable
    decision = decide_prompt(svc, safe, ctx)
    return PromptRecord(
        rid, safe.text, ctx, decision, decision_event(svc, decision, ctx, safe.text, rid, user)
    )


def answer_prompt(svc: Mamori, rec: PromptRecord, appended: Appended) -> dict[str, Any]:
    """The answer for a prompt whose entry is committed: the output line, its receipt, and for a `review` verdict
    the queued reviews (database work: off an event loop)."""
    from mamori.ops.reviews import enqueue_review

    out: dict[str, Any] = {"id": rec.request_id, **rec.decision, "receipt": appended.receipt()}
    if rec.decision["verdict"] == "review":
        out["review_ids"] = enqueue_review(
            svc,
            rec.decision,
            {
                "prompt": rec.text,
                "request_id": rec.request_id,
                "platform": rec.ctx.platform,
                "territory": rec.ctx.territory,
            },
        )
    return out


def screen_prompt(
    svc: Mamori, text: str, territory: str | None, actor: Principal, user: str | None = None
) -> dict[str, Any]:
    """Screen and record one prompt; the answer is a `mamori screen prompts` output line plus the ledger receipt."""
    rec = prepare_prompt(svc, text, territory, actor, user)
    # write-ahead: the answer leaves only once its ledger entry is stored
    appended = svc.ledger.append("decision.prompt", rec.event)
    return answer_prompt(svc, rec, appended)


def screen_media(
    svc: Mamori, data: bytes, filename: str, territory: str | None, actor: Principal
) -> dict[str, Any]:
    from mamori.ops.reviews import enqueue_review

    ctx = svc.context(actor.platform, territory)
    rid = request_id()
    decision = decide_media(svc, data, filename, ctx)
    sha = hashlib.sha256(data).hexdigest()
    appended = svc.ledger.append(
        "decision.media",
        decision_event(svc, _core(decision), ctx, None, rid, media_sha256=sha, filename=filename),
    )
    out: dict[str, Any] = {"id": rid, **decision, "receipt": appended.receipt()}
    if decision["verdict"] == "review":
        out["review_ids"] = enqueue_review(
            svc,
            _core(decision),
            {"media_sha256": sha, "filename": filename, "request_id": rid, "platform": ctx.platform},
        )
    # what the rightsholder sees in the console (with the frame's thumbnail, cut while the bytes are here)
    media_matches.record(svc, decision, data, sha, filename, rid, appended.index, ctx.platform)
    return out


def _core(d: dict[str, Any]) -> dict[str, Any]:
    return {k: d[k] for k in ("verdict", "matches", "themes", "reasons", "obligations") if k in d}
