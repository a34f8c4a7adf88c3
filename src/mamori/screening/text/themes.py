"""Theme detection (English and Japanese keywords), in mamori.registry.model.THEMES order.

The keyword tables are the readable source of truth:

- `_EN`: per theme, space-separated English alternatives in regex syntax, each matched as a whole word
  (`\\b(?:alternative)\\b`, case-insensitive). A stem is written `stem\\w*`; `\\s+` joins the words of a phrase.
  Stems are chosen so that they do not swallow ordinary words: `rob` would catch robot, robe and robin, so the
  crime entry spells out rob, robs, robbed, robbing, robber..., and `_ORDINARY_EN` below is checked against every
  table in the tests.
- `_JA`: per theme, space-separated Japanese keywords matched as substrings (Japanese has no word boundaries).
  `_JA_NOT` lists ordinary words that contain one (牛乳 'milk' contains 乳, 裸足 'barefoot' contains 裸, ナチュラル
  'natural' contains ナチ); a keyword found only inside one of them does not count. An all-capital Latin keyword
  (CM) counts only in capitals with no Latin letter or digit beside it, so '30 cm' and 'ACME' are not adverts.

Matching is one Aho-Corasick pass (pyahocorasick) over the lower-cased prompt for the literal head of every
alternative; a head found at a word start is confirmed with that alternative's own regex anchored there, so the
result is the same as searching each alternative's regex, at a fraction of the cost of nine large alternations.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

import ahocorasick

from mamori.registry.model import THEMES

_EN: dict[str, str] = {
    "violence": r"violen\w* kill\w* murder\w* blood\w* bloody gore gory stab stabs stabbed stabbing shootout\w* "
    r"shooting\s+(?:at|people|someone|him|her|them) mass\s+shooting\w* school\s+shooting\w* shooter\w* shot\s+dead gunfight\w* gunfire gunshot\w* gunm[ae]n gunpoint gun guns weapon\w* fight\w* "
    r"beat\w*(?:\s+\w+){0,2}\s+up beat\w*(?:\s+\w+){0,3}\s+to\s+death punch\w* bat\s+attack attack\w* war wars warfare "
    r"battle\w* assault\w* torture\w* massacre\w* behead\w* decapitat\w* explosion\w* bomb bombs bombing\w* "
    r"bombed wound wounds wounded corpse\w* slaughter\w* brutal brutally brutality execution\w* executioner\w* strangl\w* "
    r"maim\w* injur\w* dead\s+body",
    "sexual": r"sex sexy sexual\w* nude\w* naked nudity porn\w* nsfw erotic\w* lewd hentai lingerie "
    r"topless bottomless explicit seductive sensual stripper\w* striptease strip\s+club stripping fetish\w* bdsm "
    r"orgasm\w* aroused breast breasts boob\w* genital\w* undress\w* bikini\w* ecchi oppai",
    "political": r"politic\w* election\w* elected president\w* prime\s+minister senator\w* parliament\w* congress "
    r"government\w* propaganda protest protests protester\w* protesting campaign\w* vote voted votes voting "
    r"democrat\w* republican\w* communis\w* fascis\w* nazi\w* dictator\w* regime\w* party\s+rally ballot\w*",
    "drugs": r"drug drugs drugged cocaine heroin meth methamphetamine marijuana cannabis weed\s+joint\w* "
    r"weed\s+smok\w* joint\s+smok\w* lsd ecstasy mdma opium opioid\w* narcotic\w* overdos\w* syringe\w* "
    r"inject\w*\s+drug\w* stoned high\s+on\s+drugs smoking\s+(?:a\s+)?(?:joint|crack|pot) crack\s+pipe",
    "hate": r"hate hates hated hateful hatred racis\w* racial\s+slur\w* slur slurs bigot\w* nazi\w* swastika\w* kkk "
    r"white\s+suprem\w* supremacis\w* antisemit\w* homophob\w* transphob\w* xenophob\w* ethnic\s+cleansing "
    r"genocid\w* discriminat\w*",
    "horror": r"horror\w* horrif\w* terrifying terrified terrifies terror scream\w* zombie\w* demon demons demonic "
    r"haunted ghost\w* monster\w* creepy nightmare\w* gore gory undead possessed corpse\w* skeleton\s+army "
    r"slasher\w* eldritch macabre grotesque disturbing",
    "crime": r"crime\w* criminal\w* rob robs robbed robbing robber\w* steal steals stealing stole stolen theft "
    r"thief thieves burglar\w* heist\w* kidnap\w* hostage\w* shoplift\w* smuggl\w* gangster\w* mafia cartel\w* "
    r"fraud\w* scam scams scammer\w* scamming arrest\w* prison\w* jail\w* mugger\w* mugging\w* mugged "
    r"vandal\w* loot looted looting looter\w* murder\w*",
    "religion": r"religio\w* god gods goddess\w* godly jesus christ christian\w* christianity church\w* mosque\w* "
    r"temple\w* shrine\w* pray prays prayed praying prayer\w* bible\w* quran koran allah buddha\w* buddhis\w* "
    r"hindu\w* islam\w* muslim\w* jewish judaism synagogue\w* priest\w* monk monks monastery nun nuns pope\w* "
    r"crucifi\w* saint\w* holy\s+(?:spirit|cross|war) nativity deity deities worship\w*",
    "commercial": r"advert\w* commercial\w* brand brands branded branding logo\w* product\s+placement sponsor\w* "
    r"marketing merchandis\w* merch for\s+sale buy\s+now promo promos promotion\w* promotional campaign\s+ad "
    r"billboard\w* mascot\w* packaging endorse\w* trademark\w* poster\s+ad\w* t-shirt\s+print\w* "
    r"tshirt\s+print\w*",
}

_JA: dict[str, str] = {
    "violence": "暴力 殺 血 流血 殴 刺 撃 銃 武器 戦争 戦闘 死体 拷問 虐殺 爆発 爆弾 喧嘩 けんか 暴行 惨殺 斬",
    "sexual": "エロ 性的 裸 ヌード セックス 卑猥 わいせつ 下着 ランジェリー 官能 成人向け アダルト 乳房 乳首 巨乳 爆乳 "
    "おっぱい 脱衣 18禁 えっち エッチ",
    "political": "政治 選挙 大統領 首相 総理 政府 政党 議員 国会 プロパガンダ デモ 抗議 投票 独裁 共産 ナチ",
    "drugs": "麻薬 薬物 ドラッグ 覚醒剤 大麻 コカイン ヘロイン マリファナ 注射器 シャブ",
    "hate": "差別 憎悪 ヘイト 人種 排外 ナチ 鉤十字 ジェノサイド",
    "horror": "ホラー 恐怖 怖い 幽霊 お化け ゾンビ 悪魔 悪夢 心霊 呪い 怨霊 化け物 怪物 不気味 グロ",
    "crime": "犯罪 強盗 泥棒 盗 万引き 誘拐 人質 詐欺 ギャング マフィア 逮捕 刑務所 密輸 殺人",
    "religion": "宗教 神社 寺 教会 神様 仏 祈 聖書 キリスト イエス モスク 僧侶 神父 牧師 礼拝 十字架",
    "commercial": "広告 宣伝 コマーシャル CM ブランド ロゴ 商品 販売 スポンサー 販促 キャンペーン マスコット",
}

# ordinary words that contain a Japanese keyword (each must contain one; the tests check): barefoot, naked eye,
# embroidery, sashimi, stimulus, business card, natural, demon, demo version, sullen face, France, blood type,
# complexion, pedigree, novel, bleak, stolen base, glow, gloss, glove, global, groggy
_JA_NOT = (
    "裸足 裸眼 刺繍 刺身 刺激 名刺 ナチュラル デモン デモ版 仏頂面 仏蘭西 血液型 血色 血統 斬新 殺風景 盗塁 "
    "グロー グロス グローブ グローバル グロッキー"
)

# everyday prompt words that must not raise a theme (checked against the tables in tests/unit/text/test_themes.py)
_ORDINARY_EN = (
    "robot robe robin robust striped stripes comic strip method methodical executive photoshoot demonstration "
    "terrific stealth slurping breastplate monkey nunchaku godzilla brandy promontory scamper gundam stable "
    "brutalist beating heart shooting star"
)


class _Entry(NamedTuple):
    theme: int  # index into THEMES
    regex: re.Pattern[str] | None  # English: confirms the alternative at the head's position
    length: int  # length of the literal head (the automaton key)
    kind: int  # _EN_WORD, _JA_SUB, _JA_CAPS, _JA_NOT


_EN_WORD, _JA_SUB, _JA_CAPS, _JA_NOT_KIND = 0, 1, 2, 3
_META = set("\\()[]?*+{|.^$")


def _literal_head(alternative: str) -> str:
    """The literal text every match of `alternative` starts with (lower-case)."""
    head: list[str] = []
    for ch in alternative:
        if ch in _META:
            if ch in "?*{" and head:
                head.pop()  # the quantifier makes the previous character optional
            break
        head.append(ch)
    return "".join(head).lower()


def _build() -> ahocorasick.Automaton:
    auto = ahocorasick.Automaton()
    table: dict[str, list[_Entry]] = {}
    for t, theme in enumerate(THEMES):
        for alt in _EN[theme].split():
            head = _literal_head(alt)
            if len(head) < 2:
                raise ValueError(f"theme {theme}: alternative {alt!r} has no usable literal head")
            table.setdefault(head, []).append(
                _Entry(t, re.compile(rf"(?:{alt})\b", re.IGNORECASE), len(head), _EN_WORD)
            )
        for word in _JA[theme].split():
            kind = _JA_CAPS if word.isascii() and word.isupper() else _JA_SUB
            table.setdefault(word.lower(), []).append(_Entry(t, None, len(word), kind))
    for word in _JA_NOT.split():
        table.setdefault(word.lower(), []).append(_Entry(-1, None, len(word), _JA_NOT_KIND))
    for key, entries in table.items():
        auto.add_word(key, tuple(entries))
    auto.make_automaton()
    return auto


_AUTOMATON = _build()


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _is_ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _lower_same_length(text: str) -> str:
    """`text.lower()`, except characters whose lower case is longer (İ) stay as they are, so offsets agree."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def detect_themes(text: str) -> list[str]:
    """Themes of mamori.registry.model.THEMES present in the prompt (English and Japanese), in THEMES order."""
    if not text:
        return []
    t = text if text.isascii() else unicodedata.normalize("NFKC", text)
    low = _lower_same_length(t)
    found = [False] * len(THEMES)
    ja_hits: list[
        tuple[int, int, int]
    ] = []  # (theme, start, end) of substring keywords, checked against _JA_NOT
    not_spans: list[tuple[int, int]] = []
    n = len(low)
    for end, entries in _AUTOMATON.iter(low):
        for e in entries:
            if e.theme >= 0 and found[e.theme]:
                continue
            start = end - e.length + 1
            if e.kind == _EN_WORD:
                if start > 0 and _is_word_char(low[start - 1]):
                    continue
                assert e.regex is not None
                if e.regex.match(low, start):
                    found[e.theme] = True
            elif e.kind == _JA_SUB:
                ja_hits.append((e.theme, start, end + 1))
            elif e.kind == _JA_CAPS:
                if (
                    t[start : end + 1].isupper()
                    and not (start > 0 and _is_ascii_alnum(t[start - 1]))
                    and not (end + 1 < n and _is_ascii_alnum(t[end + 1]))
                ):
                    found[e.theme] = True
            else:
                not_spans.append((start, end + 1))
    for theme, s, e_ in ja_hits:
        if not found[theme] and not any(ns <= s and e_ <= ne for ns, ne in not_spans):
            found[theme] = True
    return [theme for i, theme in enumerate(THEMES) if found[i]]
