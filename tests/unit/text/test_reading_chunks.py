"""A prompt's kana/kanji run read chunk by chunk gives exactly pykakasi's reading of the whole run."""

from __future__ import annotations

import random

import pytest

from mamori.screening.text.variants import reading_chunks, romaji_segments, run_segments

HIRA = "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをんがぎぐげござじずぜぞだぢづでどばびぶべぼぱぴぷぺぽゃゅょっゝ"
KATA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲンガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポャュョッヴ・"
KANJI = "山川田中村木林森花空海雨雪風光星月日夜朝街道公園犬猫鳥魚本剣魔法少女王子姫騎士竜神様家学校東京米英独仏露々"
PHRASES = [
    "が山の頂上に立つ空撮",
    "が公園で犬を散歩させている",
    "と猫が海辺で遊ぶ",
    "の肖像画、水彩",
    "ちゃんが笑う",
    "くんと一緒に",
    "屋上でギターを弾く",
    "夕焼けの中の",
    "宇宙ステーションにいる",
    "東京タワーの前で",
    "日ソ",
]


def _corpus() -> list[str]:
    rng = random.Random(7)
    out = []
    for _ in range(1500):
        name = "".join(rng.choice(KATA + "ー") for _ in range(rng.randint(2, 6)))
        out.append(rng.choice(PHRASES) + name + rng.choice(PHRASES))
    for _ in range(2500):
        out.append("".join(rng.choice(HIRA + KATA + KANJI + "ーー") for _ in range(rng.randint(2, 14))))
    return out


def test_chunked_reading_equals_the_whole_run() -> None:
    differ = [r for r in _corpus() if run_segments(r) != romaji_segments(r)]
    assert differ == []


@pytest.mark.parametrize(
    "run,chunks",
    [
        ("夕焼けの中のミライが歩く", ["夕焼けの", "中の", "ミライ", "が", "歩く"]),
        ("東京タワー", ["東京タワー"]),  # katakana right after a kanji stays with it (日ソ is one entry)
        ("ミライちゃん", ["ミライ", "ちゃん"]),
        ("ーあ", ["ー", "あ"]),
        ("ピカチュウ", ["ピカチュウ"]),
    ],
)
def test_reading_chunks(run: str, chunks: list[str]) -> None:
    assert [run[a:b] for a, b in reading_chunks(run)] == chunks
