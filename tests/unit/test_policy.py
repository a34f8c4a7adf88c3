"""decide() is data plus a pure function; hypothesis states its invariants."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from mamori.policy.decide import DECISIVE, REVIEW_FLOOR, PolicyBook, decide
from mamori.registry.model import THEMES, Money, Policy
from mamori.types import Evidence, Match, RequestContext, Verdict

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
LICENCE = Policy(
    generation="license",
    themes_forbidden=("violence",),
    territories=("JP", "US"),
    licensees=("acme",),
    valid_from=date(2026, 1, 1),
    valid_until=date(2027, 12, 31),
    fee_per_generation=Money(Decimal("0.05"), "USD"),
    revenue_share=Decimal("0.3"),
    attribution="© Hoshi",
)
BOOK = PolicyBook(
    {"lic": LICENCE, "trk": Policy(generation="track"), "blk": Policy(generation="block")},
    {"w1": ("lic", "trk"), "w2": ("lic", "blk"), "w3": ()},
)
OK_CTX = RequestContext("acme", "JP", NOW)


def m(char: str | None, score: float = 1.0, work: str = "w1") -> Match:
    return Match(
        work=work, score=score, character=char, evidence=(Evidence("name", score, text=char or work),)
    )


def test_nothing_matched_is_allow() -> None:
    d = decide([], ["violence"], OK_CTX, BOOK)
    assert d.verdict is Verdict.ALLOW and d.reasons


def test_licensed_with_obligations() -> None:
    d = decide([m("lic")], [], OK_CTX, BOOK)
    assert d.verdict is Verdict.LICENSED
    assert d.obligations["fees"] == [{"character": "lic", "amount": "0.05", "currency": "USD"}]
    assert d.obligations["revenue_share"] == [{"character": "lic", "fraction": "0.3"}]
    assert d.obligations["attribution"] == ["© Hoshi"]


def test_track_has_no_fee() -> None:
    d = decide([m("trk")], [], RequestContext(None, None, None), BOOK)
    assert d.verdict is Verdict.LICENSED and d.obligations == {"usage_recorded": ["trk"]}


def test_unregistered_character_is_blocked() -> None:
    d = decide([m("nobody")], [], OK_CTX, BOOK)
    assert d.verdict is Verdict.BLOCK and any("not opted in" in r for r in d.reasons)


def test_each_condition_fails() -> None:
    assert decide([m("lic")], [], RequestContext("acme", "FR", NOW), BOOK).verdict is Verdict.BLOCK
    assert decide([m("lic")], [], RequestContext("other", "JP", NOW), BOOK).verdict is Verdict.BLOCK
    late = datetime(2028, 1, 1, tzinfo=UTC)
    assert decide([m("lic")], [], RequestContext("acme", "JP", late), BOOK).verdict is Verdict.BLOCK
    assert decide([m("lic")], ["violence"], OK_CTX, BOOK).verdict is Verdict.BLOCK


def test_unknown_context_fails_closed() -> None:
    for ctx in (
        RequestContext(None, "JP", NOW),
        RequestContext("acme", None, NOW),
        RequestContext("acme", "JP", None),
    ):
        d = decide([m("lic")], [], ctx, BOOK)
        assert d.verdict is Verdict.BLOCK
        assert any("unknown" in r for r in d.reasons)


def test_work_without_character_uses_all_its_characters() -> None:
    assert decide([m(None, work="w1")], [], OK_CTX, BOOK).verdict is Verdict.LICENSED
    assert decide([m(None, work="w2")], [], OK_CTX, BOOK).verdict is Verdict.BLOCK
    assert decide([m(None, work="w3")], [], OK_CTX, BOOK).verdict is Verdict.BLOCK


def test_weak_evidence_goes_to_review_only_when_it_would_block() -> None:
    weak = (REVIEW_FLOOR + DECISIVE) / 2
    assert decide([m("blk", weak)], [], OK_CTX, BOOK).verdict is Verdict.REVIEW
    assert decide([m("lic", weak)], [], OK_CTX, BOOK).verdict is Verdict.LICENSED
    assert decide([m("blk", REVIEW_FLOOR / 2)], [], OK_CTX, BOOK).verdict is Verdict.ALLOW
    # a decisive block outweighs a weak one
    assert decide([m("blk", weak), m("nobody")], [], OK_CTX, BOOK).verdict is Verdict.BLOCK


chars = st.sampled_from(["lic", "trk", "blk", "nobody", None])
scores = st.floats(min_value=0.0, max_value=1.0)
works = st.sampled_from(["w1", "w2", "w3"])
matches = st.lists(st.builds(m, chars, scores, works), max_size=5)
themes = st.lists(st.sampled_from(THEMES), max_size=3)
contexts = st.builds(
    RequestContext,
    st.sampled_from([None, "acme", "other"]),
    st.sampled_from([None, "JP", "US", "FR"]),
    st.sampled_from([None, NOW, datetime(2025, 6, 1, tzinfo=UTC)]),
)


@given(matches, themes, contexts)
def test_invariants(ms: list[Match], th: list[str], ctx: RequestContext) -> None:
    d = decide(ms, th, ctx, BOOK)
    decisive = [x for x in ms if x.score >= DECISIVE]
    counted = [x for x in ms if x.score >= REVIEW_FLOOR]
    assert bool(d.reasons)
    if not counted:
        assert d.verdict is Verdict.ALLOW
    # an unregistered or unlicensed character never yields licensed
    if any(x.character in ("blk", "nobody") for x in decisive):
        assert d.verdict is Verdict.BLOCK
    if d.verdict is Verdict.LICENSED:
        assert not any(x.character in ("blk", "nobody") for x in counted)
    # a forbidden theme always blocks a decisive match of the character that forbids it
    if "violence" in th and any(x.character == "lic" for x in decisive):
        assert d.verdict is Verdict.BLOCK
    # unknown context fails closed for a restricted licence
    if (ctx.platform is None or ctx.territory is None or ctx.time is None) and any(
        x.character == "lic" for x in decisive
    ):
        assert d.verdict is Verdict.BLOCK
    if d.verdict is not Verdict.LICENSED:
        assert d.obligations == {}
