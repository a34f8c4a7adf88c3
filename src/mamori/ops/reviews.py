"""The review queue: `review` verdicts and platforms' disputes wait here, with a deadline, for the rightsholder of
the character (or an admin) to uphold, release or allowlist. Every filing and resolution is a ledger event; an
allowlist resolution changes later screening (the text matcher honours `Corpus.allowlist`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from mamori.ops import Conflict, Forbidden, NotFound, OpsError, store
from mamori.ops.keys import Principal

if TYPE_CHECKING:  # pragma: no cover
    from mamori.service import Mamori

ACTIONS = {"uphold": "upheld", "release": "released", "allowlist": "allowlisted"}


def _deadline(svc: Mamori) -> datetime:
    return datetime.now(UTC) + timedelta(days=svc.settings.review_days)


def _owners(svc: Mamori) -> dict[str, str]:
    return {w.id: w.rightsholder for w in svc.registry_store.load().works}


def enqueue_review(
    svc: Mamori,
    decision: dict[str, Any],
    subject: dict[str, Any],
    generation: str | None = None,
    filed_by: str | None = "screening",
) -> list[int]:
    """One queue entry per character (or work) the undecided decision names, so each rightsholder sees its own."""
    owners = _owners(svc)
    seen: set[tuple[str | None, str]] = set()
    ids: list[int] = []
    events: list[tuple[str, dict[str, Any]]] = []
    for m in decision.get("matches", []):
        key = (m.get("character"), m["work"])
        if key in seen:
            continue
        seen.add(key)
        rid = store(svc).insert_review(
            "review",
            key[0],
            key[1],
            owners.get(key[1]),
            generation,
            {**subject, "decision": decision},
            "; ".join(decision.get("reasons", []))[:2000],
            filed_by,
            _deadline(svc),
        )
        ids.append(rid)
        events.append(
            (
                "review.open",
                {
                    "review_id": rid,
                    "kind": "review",
                    "character": key[0],
                    "work": key[1],
                    "rightsholder": owners.get(key[1]),
                    "generation_id": generation,
                },
            )
        )
    svc.ledger.append_many(events)
    return ids


def file_dispute(
    svc: Mamori,
    character: str,
    reason: str,
    actor: Principal,
    generation_id: str | None = None,
    prompt: str | None = None,
) -> dict[str, Any]:
    """A platform disputes a decision about a character (a false block, a wrong match)."""
    c = svc.registry_store.get_character(character)
    if c is None:
        raise NotFound(f"no character with id {character!r}")
    subject: dict[str, Any] = {"platform": actor.platform}
    if generation_id is not None:
        gen = store(svc).generation(generation_id)
        if gen is None or (actor.role == "platform" and gen["platform_id"] != actor.platform):
            raise NotFound(f"no generation with id {generation_id!r}")
        subject.update(
            prompt=gen["prompt"], decision=gen["output_decision"] or gen["decision"], status=gen["status"]
        )
    elif prompt is not None:
        subject["prompt"] = prompt
    else:
        raise OpsError("a dispute names a generation_id or the prompt it is about", 422)
    owner = svc.registry_store.rightsholder_of_work(c.work)
    rid = store(svc).insert_review(
        "dispute", character, c.work, owner, generation_id, subject, reason, actor.actor, _deadline(svc)
    )
    svc.ledger.append(
        "dispute.file",
        {
            "review_id": rid,
            "kind": "dispute",
            "character": character,
            "work": c.work,
            "rightsholder": owner,
            "generation_id": generation_id,
            "reason": reason,
            "by": actor.actor,
        },
    )
    return review(svc, rid, actor)


def list_reviews(svc: Mamori, actor: Principal, status: str | None = "open") -> list[dict[str, Any]]:
    scope = actor.rightsholder if actor.role == "rightsholder" else None
    if actor.role == "rightsholder" and scope is None:
        return []
    return store(svc).reviews(status=status, rightsholder=scope)


def review(svc: Mamori, ident: int, actor: Principal) -> dict[str, Any]:
    row = store(svc).review(ident)
    if row is None or (actor.role == "rightsholder" and row["rightsholder_id"] != actor.rightsholder):
        raise NotFound(f"no review with id {ident}")
    return row


def resolve(
    svc: Mamori, ident: int, action: str, actor: Principal, phrase: str | None = None, note: str | None = None
) -> dict[str, Any]:
    if action not in ACTIONS:
        raise OpsError(f"unknown action {action!r}: use uphold, release or allowlist", 422)
    if actor.role not in ("admin", "rightsholder"):
        raise Forbidden("only the character's rightsholder or an admin resolves reviews")
    row = review(svc, ident, actor)
    if actor.role == "rightsholder" and (
        row["rightsholder_id"] is None or row["rightsholder_id"] != actor.rightsholder
    ):
        raise Forbidden("this review is about another rightsholder's character")
    if row["status"] != "open":
        raise Conflict(f"review {ident} is already {row['status']}")
    resolution: dict[str, Any] = {"action": action, "note": note, "by": actor.actor}
    if action == "allowlist":
        phrase = (phrase or row["subject"].get("prompt") or "").strip()
        if not phrase:
            raise OpsError("an allowlist resolution needs a phrase (this review has no prompt to use)", 422)
        resolution["phrase"] = phrase
    if not store(svc).resolve_review(ident, ACTIONS[action], resolution):
        raise Conflict(f"review {ident} was resolved concurrently")
    if action == "allowlist":
        svc.registry_store.add_allowlist(row["character_id"], phrase, None, ident)
        svc.invalidate()
    svc.ledger.append(
        "review.resolve",
        {
            "review_id": ident,
            "kind": row["kind"],
            "character": row["character_id"],
            "work": row["work_id"],
            "rightsholder": row["rightsholder_id"],
            "generation_id": row["generation_id"],
            **resolution,
        },
    )
    return review(svc, ident, actor)
