"""Theme detection (English and Japanese keyword stems), in mamori.registry.model.THEMES order."""

from __future__ import annotations

import re

from mamori.registry.model import THEMES

_EN: dict[str, str] = {
    "violence": r"violen\w* kill\w* murder\w* blood\w* bloody gore gory stab\w* shoot\w* shot\s+dead gun\w* "
    r"weapon\w* fight\w* beat\w*\s+up beating to\s+death punch\w* stabb\w* bat\s+attack attack\w* war warfare battle\w* assault\w* "
    r"torture\w* massacre\w* behead\w* decapitat\w* explosion\w* bomb\w* wound\w* corpse\w* slaughter\w* "
    r"brutal\w* execut\w* strangl\w* maim\w* injur\w* dead\s+body",
    "sexual": r"sex\w* nude\w* naked nudity porn\w* nsfw erotic\w* lewd hentai lingerie topless bottomless "
    r"explicit seductive sensual strip\w* fetish\w* bdsm orgasm\w* aroused breast\w* boob\w* genital\w* "
    r"undress\w* bikini\w* ecchi oppai",
    "political": r"politic\w* election\w* elect(?:ed|ion) president\w* prime\s+minister senator\w* "
    r"parliament\w* congress government\w* propaganda protest\w* campaign\w* vote\w* voting democrat\w* "
    r"republican\w* communis\w* fascis\w* nazi\w* dictator\w* regime\w* party\s+rally ballot\w*",
    "drugs": r"drug\w* cocaine heroin meth\w* methamphetamine marijuana cannabis weed\s+(?:joint|smok\w*) "
    r"joint\s+smok\w* lsd ecstasy mdma opium opioid\w* narcotic\w* overdos\w* syringe\w* inject\w*\s+drug\w* "
    r"stoned high\s+on smoking\s+(?:a\s+)?(?:joint|crack|pot) crack\s+pipe",
    "hate": r"hate\w* racis\w* racial\s+slur\w* slur\w* bigot\w* nazi\w* swastika\w* kkk white\s+suprem\w* "
    r"supremacis\w* antisemit\w* homophob\w* transphob\w* xenophob\w* ethnic\s+cleansing genocid\w* "
    r"discriminat\w*",
    "horror": r"horror\w* horrif\w* terrif\w* scream\w* zombie\w* demon\w* demonic haunted ghost\w* "
    r"monster\w* creepy nightmare\w* gore gory undead possessed corpse\w* skeleton\s+army slasher\w* "
    r"eldritch macabre grotesque disturbing",
    "crime": r"crime\w* criminal\w* robber\w* rob\w* steal\w* stole\w* theft thief thieves burglar\w* "
    r"heist\w* kidnap\w* hostage\w* shoplift\w* smuggl\w* gangster\w* mafia cartel\w* fraud\w* scam\w* "
    r"arrest\w* prison\w* jail\w* mugg\w* vandal\w* loot\w* murder\w*",
    "religion": r"religio\w* god\w* jesus christ\w* church\w* mosque\w* temple\w* shrine\w* pray\w* "
    r"prayer\w* bible\w* quran koran allah buddha\w* buddhis\w* hindu\w* islam\w* muslim\w* jewish "
    r"judaism synagogue\w* priest\w* monk\w* nun\w* pope\w* crucifi\w* saint\w* holy\s+(?:spirit|cross|war) "
    r"nativity deity deities worship\w*",
    "commercial": r"advert\w* commercial\w* brand\w* logo\w* product\s+placement sponsor\w* marketing "
    r"merchandis\w* merch for\s+sale buy\s+now promo\w* campaign\s+ad billboard\w* mascot\w* packaging "
    r"endorse\w* trademark\w* poster\s+ad\w* t-?shirt\s+print\w*",
}

_JA: dict[str, str] = {
    "violence": "暴力 殺 血 流血 殴 刺 撃 銃 武器 戦争 戦闘 死体 拷問 虐殺 爆発 爆弾 喧嘩 けんか 暴行 惨殺 斬",
    "sexual": "エロ 性的 裸 ヌード セックス 卑猥 わいせつ 下着 ランジェリー 官能 成人向け アダルト 乳 おっぱい 脱衣 18禁 えっち エッチ",
    "political": "政治 選挙 大統領 首相 総理 政府 政党 議員 国会 プロパガンダ デモ 抗議 投票 独裁 共産 ナチ",
    "drugs": "麻薬 薬物 ドラッグ 覚醒剤 大麻 コカイン ヘロイン マリファナ 注射器 シャブ",
    "hate": "差別 憎悪 ヘイト 人種 排外 ナチ 鉤十字 ジェノサイド",
    "horror": "ホラー 恐怖 怖い 幽霊 お化け ゾンビ 悪魔 悪夢 心霊 呪い 怨霊 化け物 怪物 不気味 グロ",
    "crime": "犯罪 強盗 泥棒 盗 万引き 誘拐 人質 詐欺 ギャング マフィア 逮捕 刑務所 密輸 殺人",
    "religion": "宗教 神社 寺 教会 神様 仏 祈 聖書 キリスト イエス モスク 僧侶 神父 牧師 礼拝 十字架",
    "commercial": "広告 宣伝 コマーシャル CM ブランド ロゴ 商品 販売 スポンサー 販促 キャンペーン マスコット",
}

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (
        theme,
        re.compile(
            r"(?:\b(?:"
            + "|".join(_EN[theme].split(" "))
            + r")\b)|(?:"
            + "|".join(re.escape(w) for w in _JA[theme].split())
            + ")",
            re.IGNORECASE,
        ),
    )
    for theme in THEMES
)


def detect_themes(text: str) -> list[str]:
    """Themes of mamori.registry.model.THEMES present in the prompt (English and Japanese), in THEMES order."""
    import unicodedata

    if not text:
        return []
    t = text if text.isascii() else unicodedata.normalize("NFKC", text)
    return [theme for theme, pat in _PATTERNS if pat.search(t)]
