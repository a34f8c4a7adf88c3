"""decide(): a pure function from matches, themes and request context to a Decision. No I/O.

Score bands (detectors calibrate their scores to these):
- score >= DECISIVE (0.7): the character is taken as present; its policy decides.
- REVIEW_FLOOR (0.4) <= score < DECISIVE: evidence too weak to decide. If the character's policy would not
  allow the request, the verdict is `review` (a person decides); if it would allow it, the request proceeds as
  `licensed` under that policy (the obligations are owed either way, so nobody is blocked on a guess).
- below REVIEW_FLOOR: detectors do not report the match at all.

Unknown context never passes a restricted licence: a territory or platform the licence names that the request
does not state fails closed, and so does a validity window when the request time is unknown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from mamori.registry.model import DEFAULT_POLICY, Policy, Registry
from mamori.types import Decision, Evidence, Match, RequestContext, Verdict

DECISIVE = 0.7
REVIEW_FLOOR = 0.4


@dataclass(frozen=True)
class PolicyBook:
    """Policies by character, and which characters belong to each work (to decide work-only matches)."""

    policies: Mapping[str, Policy] = field(default_factory=dict)
    work_characters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_registry(cls, reg: Registry) -> PolicyBook:
        by_work: dict[str, list[str]] = {}
        for c in reg.characters:
            by_work.setdefault(c.work, []).append(c.id)
        return cls(reg.policies(), {w: tuple(ids) for w, ids in by_work.items()})

    def policy(self, character: str) -> Policy:
        return self.policies.get(character, DEFAULT_POLICY)


# a tuple: made once per matched character of every prompt, cheaper than a frozen dataclass
class _Check(NamedTuple):
    character: str
    policy: Policy
    failures: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.failures


def check_policy(character: str, policy: Policy, themes: Iterable[str], ctx: RequestContext) -> _Check:
    """Every reason this character's policy does not allow the request (empty = allowed)."""
    fails: list[str] = []
    if policy.generation not in ("license", "track"):
        fails.append(f"'{character}' is not opted in to generation (policy: block)")
        return _Check(character, policy, tuple(fails))
    if policy.territories is not None:
        if ctx.territory is None:
            fails.append(
                f"'{character}' is licensed only in {', '.join(policy.territories)}; territory unknown"
            )
        elif ctx.territory.upper() not in policy.territories:
            fails.append(
                f"'{character}' is not licensed in {ctx.territory.upper()} (only {', '.join(policy.territories)})"
            )
    if policy.licensees is not None:
        if ctx.platform is None:
            fails.append(f"'{character}' is licensed only to {', '.join(policy.licensees)}; platform unknown")
        elif ctx.platform not in policy.licensees:
            fails.append(f"'{character}' is not licensed to platform '{ctx.platform}'")
    if policy.valid_from or policy.valid_until:
        day = ctx.time.date() if ctx.time else None
        if day is None:
            fails.append(f"'{character}' licence has a validity window; request time unknown")
        elif policy.valid_from and day < policy.valid_from:
            fails.append(f"'{character}' licence starts {policy.valid_from.isoformat()}")
        elif policy.valid_until and day > policy.valid_until:
            fails.append(f"'{character}' licence ended {policy.valid_until.isoformat()}")
    forbidden = [t for t in themes if t in policy.themes_forbidden]
    if forbidden:
        fails.append(f"'{character}' may not be depicted with theme(s): {', '.join(forbidden)}")
    return _Check(character, policy, tuple(fails))


def _score(e: Evidence) -> float:
    return e.score


def _describe(m: Match) -> str:
    who = f"character '{m.character}'" if m.character else f"work '{m.work}'"
    ev = max(m.evidence, key=_score) if m.evidence else None
    how = ""
    if ev is not None:
        quoted = f" '{ev.text}'" if ev.text else ""
        how = f" by {ev.rule}{quoted}"
    return f"{who} matched{how} (score {m.score:.2f})"


def _obligations(checks: Iterable[_Check]) -> dict[str, Any]:
    attribution: list[str] = []
    fees: list[dict[str, str]] = []
    shares: list[dict[str, str]] = []
    tracked: list[str] = []
    for c in checks:
        p = c.policy
        if p.generation == "track":
            tracked.append(c.character)
            continue
        if p.attribution and p.attribution not in attribution:
            attribution.append(p.attribution)
        if p.fee_per_generation:
            fees.append({"character": c.character, **p.fee_per_generation.to_json()})
        if p.revenue_share is not None and p.revenue_share > Decimal(0):
            shares.append({"character": c.character, "fraction": str(p.revenue_share)})
    out: dict[str, Any] = {}
    if attribution:
        out["attribution"] = attribution
    if fees:
        out["fees"] = fees
    if shares:
        out["revenue_share"] = shares
    if tracked:
        out["usage_recorded"] = tracked
    return out


def decide(
    matches: Iterable[Match],
    themes: Iterable[str],
    context: RequestContext,
    policies: PolicyBook,
) -> Decision:
    matches = tuple(matches)
    for m in matches:  # most have none below the floor: no second tuple
        if m.score < REVIEW_FLOOR:
            matches = tuple(m for m in matches if m.score >= REVIEW_FLOOR)
            break
    themes = tuple(dict.fromkeys(themes)) if themes else ()
    if not matches:
        return Decision(Verdict.ALLOW, (), themes, ("no registered work or character found",), {})

    reasons: list[str] = []
    blocking: list[str] = []
    uncertain: list[str] = []
    passing: dict[str, _Check] = {}
    for m in matches:
        decisive = m.score >= DECISIVE
        if m.character is not None:
            chars: tuple[str, ...] = (m.character,)
        else:
            chars = policies.work_characters.get(m.work, ())
        reasons.append(_describe(m) + ("" if decisive else " — too weak to decide alone"))
        if not chars:
            msg = f"work '{m.work}' has no opted-in character"
            (blocking if decisive else uncertain).append(msg)
            continue
        for cid in chars:
            check = check_policy(cid, policies.policy(cid), themes, context)
            if check.ok:
                passing.setdefault(cid, check)
            elif decisive:
                blocking.extend(check.failures)
            else:
                uncertain.extend(check.failures)

    if blocking:
        verdict = Verdict.BLOCK
        reasons.extend(dict.fromkeys(blocking))
        return Decision(verdict, matches, themes, tuple(reasons), {})
    if uncertain:
        reasons.extend(dict.fromkeys(uncertain))
        reasons.append("sent to review: weak evidence for a character that would be blocked")
        return Decision(Verdict.REVIEW, matches, themes, tuple(reasons), {})
    for c in passing.values():
        mode = "usage tracked" if c.policy.generation == "track" else "licensed"
        reasons.append(f"'{c.character}' {mode}: every licence condition holds")
    return Decision(Verdict.LICENSED, matches, themes, tuple(reasons), _obligations(passing.values()))
