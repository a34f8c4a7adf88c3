"""Names written in Hangul, Cyrillic and Chinese characters (wave 2, ninth session): Korean joins a postposition to the noun
before it ('토토로가'), and writes the Japanese sounds ス, ズ, ツ with the vowel ㅡ, which romanises as 'eu' ('츠' is
'cheu', not 'tsu'); a name in Hangul was found only bare and only when its romanisation was the Japanese one. Also
'jyo', the wapuro and Korean romanisation of じょ. Invented characters only."""

from __future__ import annotations

import pytest
from tests.unit.text.invented import chars, one_work

from mamori.registry.model import Character, Registry, Rightsholder, Work
from mamori.screening.text import TextMatcher

REG = Registry(
    rightsholders=(Rightsholder("rh", "Invented Studio"),),
    works=(Work("w1", "rh", ("Moonwell Academy",)), Work("w2", "rh", ("Tidebell Harbour",))),
    characters=(
        Character("hazuriko", "w1", ("Hazuriko", "ハズリコ"), ("moon compass", "ink-stained gloves")),
        Character("tsumugiro", "w2", ("Tsumugiro Kanabe", "カナベ・ツムギロ"), ("tide bell", "kelp cloak")),
        Character("jomaru", "w2", ("Jomaru", "ジョマル"), ("lantern boat", "rope belt")),
    ),
)


@pytest.fixture(scope="module")
def m() -> TextMatcher:
    return TextMatcher(REG)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("하즈리코가 달을 본다", "hazuriko"),  # 즈 'jeu' is ズ, with the subject postposition
        ("하즈리코를 그린 그림", "hazuriko"),
        (
            "츠무기로 카나베가 배를 탄다",
            "tsumugiro",
        ),  # 츠 'cheu' is ツ; two words, the postposition on the last
        ("쓰무기로 카나베의 초상화", "tsumugiro"),  # 쓰 'sseu' is ツ too
        ("죠마루와 고양이", "jomaru"),  # 죠 'jyo' is ジョ
        ("Jyomaru rowing a lantern boat", "jomaru"),
        ("Дзёмару в лодке", "jomaru"),  # Cyrillic ё is 'yo' (Polivanov's ジョ, дзё), not anyascii's 'e'
    ],
)
def test_a_name_in_hangul_with_a_postposition_is_found(m: TextMatcher, text: str, want: str) -> None:
    assert chars(m, text) == [want]


@pytest.mark.parametrize(
    "text",
    [
        "오래된 사진이 있는 풍경",
        "바다에서 수영하는 사람들",
        "하늘의 달을 보는 고양이",
        "도서관에서 책을 읽는 학생",
    ],
)
def test_everyday_korean_sentences_pass(m: TextMatcher, text: str) -> None:
    assert chars(m, text) == []


ZH = Registry(
    rightsholders=(Rightsholder("rh", "Invented Studio"),),
    works=(Work("gull", "rh", ("Gull Wing Detectives", "鷗の探偵團")),),
    characters=(
        Character("ousuke", "gull", ("緑川鷗介", "Ousuke Midorikawa"), ("gull feather pen", "green scarf")),
    ),
)


@pytest.fixture(scope="module")
def zm() -> TextMatcher:
    return TextMatcher(ZH)


@pytest.mark.parametrize(
    "text",
    [
        "绿川鸥介在海边散步",  # simplified characters
        "綠川鷗介在海邊散步",  # traditional
        "一张鸥之探侦团的海报",  # the title, の written 之 as Chinese titles do
        "鸥的探侦团的主角",
    ],
)
def test_a_kanji_name_or_title_in_chinese_characters_is_found(zm: TextMatcher, text: str) -> None:
    assert [x.character or x.work for x in zm.detect(text)] in (["ousuke"], ["gull"])


@pytest.mark.parametrize("text", ["海边的海鸥", "绿色的河川", "一只猫在公园里", "侦探小说的封面"])
def test_everyday_chinese_sentences_pass(zm: TextMatcher, text: str) -> None:
    assert zm.detect(text) == []


def test_without_opencc_the_chinese_forms_are_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    from mamori.screening.text import transcribe

    monkeypatch.setattr(transcribe, "_converters", lambda: None)
    transcribe.hanzi_forms.cache_clear()
    try:
        m = TextMatcher(ZH)
        assert m.detect("绿川鸥介在海边散步") == []
        assert [x.character for x in m.detect("緑川鷗介が海辺を歩く")] == ["ousuke"]
    finally:
        transcribe.hanzi_forms.cache_clear()


MASK = one_work(
    "Quillmoor Tales",
    Character("quill", "w", ("Quillmoor",), ("ink feather", "owl cloak")),
    Character("oren", "w", ("Oren Vashti",), ("glass eye", "salt staff")),
)


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("Qu*llmoor reading by candlelight", "Qu*llmoor"),
        ("a portrait of Oren Va*hti", "Oren Va*hti"),
        ("*uillmoor eating ramen", "*uillmoor"),
    ],
)
def test_a_name_with_letters_masked_by_a_star_is_found_and_says_so(text: str, written: str) -> None:
    got = TextMatcher(MASK).detect(text)
    assert [x.character for x in got] in (["quill"], ["oren"])
    ev = got[0].evidence[0]
    assert ev.text == written and "masked" in ev.detail and text[ev.span.start : ev.span.end] == written


@pytest.mark.parametrize("text", ["a **bold** heading", "f*ck this traffic", "5 * 3 = 15", "Q*****r"])
def test_masks_that_fit_no_registered_word_alone_change_nothing(text: str) -> None:
    assert TextMatcher(MASK).detect(text) == []
