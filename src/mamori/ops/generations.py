"""Generations: the prompt (and optional input image) is checked when a generation opens; the output is checked
when it is submitted, combined with the prompt decision; a passing output settles usage into the ledger.

A prompt that does not pass opens nothing: the answer has `generation_id: null` and the decision (HTTP 200).
Settlement lines: each licensed character's fee (Decimal, its own currency) and revenue share = price × fraction
(in the price's currency; `amount: null` with `price_missing: true` when no price was given).
"""

from __future__ import annotations

import base64
import hashlib
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from mamori.ops import Conflict, Forbidden, NotFound, OpsError, store
from mamori.ops.keys import Principal
from mamori.ops.screening import PASSING, combine, decide_media, decide_prompt, decision_event, request_id
from mamori.textsafe import safe_text

if TYPE_CHECKING:  # pragma: no cover
    from mamori.service import Mamori


def parse_price(price: dict[str, str] | None) -> tuple[str, str] | None:
    if price is None:
        return None
    import pycountry

    try:
        amount = Decimal(price["amount"])
    except (InvalidOperation, KeyError, TypeError):
        raise OpsError(f"price.amount {price.get('amount')!r} is not a decimal number", 422) from None
    if not amount.is_finite() or amount < 0:
        raise OpsError("price.amount must be a finite, non-negative number", 422)
    cur = price.get("currency", "")
    if len(cur) != 3 or pycountry.currencies.get(alpha_3=cur) is None:
        raise OpsError(f"price.currency {cur!r} is not an ISO 4217 code (e.g. JPY, USD)", 422)
    return str(amount), cur


def open_generation(
    svc: Mamori,
    prompt: str,
    actor: Principal,
    territory: str | None = None,
    price: dict[str, str] | None = None,
    input_image: bytes | None = None,
    input_filename: str = "input",
    user: str | None = None,
) -> dict[str, Any]:
    from mamori.ops.reviews import enqueue_review

    if actor.role != "platform":
        raise Forbidden("only a platform key opens generations")
    price_t = parse_price(price)
    ctx = svc.context(actor.platform, territory)
    gid = request_id("g")
    safe = safe_text(prompt)  # stored in the ledger and the generations table: made storable once, here
    prompt = safe.text
    decision = decide_prompt(svc, safe, ctx)
    extra: dict[str, Any] = {"generation_id": gid, "stage": "prompt"}
    if input_image is not None:
        media = decide_media(svc, input_image, input_filename, ctx)
        decision = combine(
            decision, {k: media[k] for k in ("verdict", "matches", "themes", "reasons", "obligations")}
        )
        extra["input_sha256"] = hashlib.sha256(input_image).hexdigest()
    passed = decision["verdict"] in PASSING
    if not passed:
        extra["generation_id"] = None
    appended = svc.ledger.append(
        "decision.prompt", decision_event(svc, decision, ctx, prompt, gid, user, **extra)
    )
    out: dict[str, Any] = {
        "generation_id": gid if passed else None,
        "decision": decision,
        "obligations": decision["obligations"],
        "receipt": appended.receipt(),
    }
    if passed:
        store(svc).insert_generation(
            gid, actor.platform, ctx.territory, prompt, price_t, "open", decision, appended.hash
        )
    elif decision["verdict"] == "review":
        out["review_ids"] = enqueue_review(
            svc,
            decision,
            {"prompt": prompt, "request_id": gid, "platform": ctx.platform, "territory": ctx.territory},
        )
    return out


def _settlement_lines(
    svc: Mamori, decision: dict[str, Any], price: tuple[str, str] | None
) -> list[dict[str, Any]]:
    ob = decision.get("obligations", {})
    fees = {f["character"]: f for f in ob.get("fees", [])}
    shares = {s["character"]: s for s in ob.get("revenue_share", [])}
    chars = list(
        dict.fromkeys(
            [m["character"] for m in decision.get("matches", []) if m.get("character")]
            + list(fees)
            + list(shares)
            + list(ob.get("usage_recorded", []))
        )
    )
    reg = svc.registry()
    works = {c.id: c.work for c in reg.characters}
    owners = {w.id: w.rightsholder for w in reg.works}
    lines = []
    for cid in chars:
        line: dict[str, Any] = {
            "character": cid,
            "work": works.get(cid),
            "rightsholder": owners.get(works.get(cid, "")),
        }
        line["mode"] = "tracked" if cid in ob.get("usage_recorded", []) else "licensed"
        if cid in fees:
            line["fee"] = {"amount": str(Decimal(fees[cid]["amount"])), "currency": fees[cid]["currency"]}
        if cid in shares:
            fraction = Decimal(shares[cid]["fraction"])
            if price is not None:
                line["revenue_share"] = {
                    "fraction": str(fraction),
                    "amount": str(Decimal(price[0]) * fraction),
                    "currency": price[1],
                }
            else:
                line["revenue_share"] = {
                    "fraction": str(fraction),
                    "amount": None,
                    "currency": None,
                    "price_missing": True,
                }
        lines.append(line)
    return lines


def submit_output(
    svc: Mamori, generation_id: str, data: bytes, filename: str, actor: Principal
) -> dict[str, Any]:
    """The final decision on a generated output; a passing output settles, and is signed when a signer exists."""
    from mamori.ops.reviews import enqueue_review

    st = store(svc)
    gen = st.generation(generation_id)
    if gen is None or gen["platform_id"] != actor.platform:
        raise NotFound(f"no generation with id {generation_id!r}")
    if gen["status"] != "open":
        raise Conflict(f"generation {generation_id} is already {gen['status']}")
    ctx = svc.context(gen["platform_id"], gen["territory"])
    media = decide_media(svc, data, filename, ctx)
    output = {k: media[k] for k in ("verdict", "matches", "themes", "reasons", "obligations")}
    output |= {k: media[k] for k in ("kind", "signals") if k in media}  # e.g. where a song was heard
    final = combine(gen["decision"], output)
    sha = hashlib.sha256(data).hexdigest()
    price = (gen["price_amount"], gen["price_currency"]) if gen["price_amount"] is not None else None
    event = decision_event(
        svc,
        final,
        ctx,
        gen["prompt"],
        generation_id,
        generation_id=generation_id,
        stage="output",
        output_sha256=sha,
        output_decision=output,
    )
    events: list[tuple[str, dict[str, Any]]] = [("decision.output", event)]
    settlement: dict[str, Any] | None = None
    status = {"allow": "settled", "licensed": "settled", "review": "review", "block": "blocked"}[
        final["verdict"]
    ]
    if status == "settled":
        settlement = {
            "generation_id": generation_id,
            "platform": gen["platform_id"],
            "territory": gen["territory"],
            "price": {"amount": price[0], "currency": price[1]} if price else None,
            "output_sha256": sha,
            "verdict": final["verdict"],
            "lines": _settlement_lines(svc, final, price),
            "attribution": final["obligations"].get("attribution", []),
        }
        events.append(("settlement", settlement))
    appended = svc.ledger.append_many(events)
    if not st.close_generation(generation_id, status, final, appended[-1].hash):
        raise Conflict(f"generation {generation_id} was closed concurrently")
    out: dict[str, Any] = {
        "generation_id": generation_id,
        "status": status,
        "decision": final,
        "obligations": final["obligations"],
        "settlement": settlement,
        "signed_output": None,
        "receipt": appended[0].receipt(),
    }
    if status == "review":
        out["review_ids"] = enqueue_review(
            svc,
            final,
            {"prompt": gen["prompt"], "output_sha256": sha, "platform": gen["platform_id"]},
            generation_id,
        )
    if status == "settled" and hasattr(svc, "sign_output"):
        # Provenance hook: the signer (when wired into Mamori) returns the signed output bytes.
        signed = svc.sign_output(data=data, filename=filename, decision=final, generation_id=generation_id)
        if isinstance(signed, bytes | bytearray):
            out["signed_output"] = base64.b64encode(bytes(signed)).decode("ascii")
    return out


def get_generation(svc: Mamori, generation_id: str, actor: Principal) -> dict[str, Any]:
    gen = store(svc).generation(generation_id)
    if gen is None or (actor.role == "platform" and gen["platform_id"] != actor.platform):
        raise NotFound(f"no generation with id {generation_id!r}")
    return {
        "generation_id": gen["id"],
        "platform": gen["platform_id"],
        "territory": gen["territory"],
        "status": gen["status"],
        "decision": gen["decision"],
        "output_decision": gen["output_decision"],
        "price": {"amount": gen["price_amount"], "currency": gen["price_currency"]}
        if gen["price_amount"]
        else None,
        "created_at": gen["created_at"].isoformat(),
        "settled_at": gen["settled_at"].isoformat() if gen["settled_at"] else None,
    }
