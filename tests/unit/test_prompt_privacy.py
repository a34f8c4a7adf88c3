"""Prompt text is a rule, not an accident: reviews keep what they need until resolved, retention and erasure take
the rest (and the workflow's copies), and audit exports show text only where it is still retained."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from mamori.ops import reviews
from mamori.ops.keys import Principal
from mamori.ops.prompts import erase, purge_expired, reveal
from mamori.ops.screening import screen_prompt
from mamori.service import Mamori

ACME = Principal("p", "platform", platform="acme-video")
ADMIN = Principal("a", "admin")


def test_open_reviews_hold_their_text_until_resolved(svc: Mamori) -> None:
    prompt = "eyepatch with a star and a crow-feather cloak"
    out = screen_prompt(svc, prompt, None, ACME, user="u-9")
    assert out["verdict"] == "review"
    data = json.loads(svc.ledger.entry(out["receipt"]["ledger_index"]))["data"]
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    assert erase(svc, before=tomorrow) == {"erased": 0, "held": 1}
    assert reveal(svc, data, ADMIN) == prompt
    assert reveal(svc, data, Principal("r", "rightsholder", rightsholder="hoshi-studio")) is None
    assert reveal(svc, data, Principal("o", "platform", platform="other")) is None
    for rid in out["review_ids"]:
        reviews.resolve(svc, rid, "uphold", ADMIN)
    assert erase(svc, before=tomorrow) == {"erased": 1, "held": 0}
    assert reveal(svc, data, ADMIN) is None
    subjects = [r["subject"] for r in reviews.list_reviews(svc, ADMIN, status=None)]
    assert all(s.get("prompt") != prompt for s in subjects)


def test_retention_zero_never_stores_text(svc: Mamori) -> None:
    from dataclasses import replace

    svc.ledger.keep_prompts = False
    svc.settings = replace(svc.settings, prompt_retention_days=0)
    out = screen_prompt(svc, "a cat on a windowsill", None, ACME)
    data = json.loads(svc.ledger.entry(out["receipt"]["ledger_index"]))["data"]
    assert data["prompt_commitment"] and svc.prompts.get(data["prompt_commitment"]) is None
    assert purge_expired(svc)["erased"] == 0
