"""Compact built-in word lists the matcher uses to judge ambiguity. Written by hand; no data files.

- COMMON_EN: frequent English words (a name equal to one needs supporting context to fire);
- GIVEN_NAMES: frequent Western given names (a single part of a multi-part name equal to one is not distinctive,
  and a spelling variant that is one of these is a different person);
- COMMON_JA: frequent Japanese words and katakana loanwords (a kana name or title equal to one needs context);
- HONORIFICS / JA_PARTICLES: what may follow a name without breaking it.
"""

from __future__ import annotations

from functools import lru_cache

_EN = ["a", "about", "above", "across", "act", "add", "after", "again", "against", "age", "ago", "air", "all", "almost", "alone", "along", "already", "also", "always", "am", "among", "an", "and", "animal", "another", "answer", "any", "anything", "apple", "are", "area", "arm", "armor", "armour", "army", "around", "art", "as", "ask", "at", "attack", "away", "baby", "back", "bad", "bag", "ball", "band", "bank", "bar", "base", "bat", "be", "beach", "bear", "beat", "beautiful", "bed", "bee", "been", "before", "began", "begin", "behind", "being", "believe", "bell", "below", "best", "better", "between", "big", "bike", "bird", "bit", "black", "blade", "blue", "board", "boat", "body", "bold", "bone", "book", "boom", "born", "both", "bottom", "bow", "box", "boy", "brain", "bread", "break", "bridge", "bright", "bring", "brother", "brown", "build", "burn", "bus", "busy", "but", "buy", "by", "cake", "call", "came", "camera", "can", "cap", "captain", "car", "card", "care", "carry", "case", "castle", "cat", "catch", "cause", "cell", "center", "chain", "chair", "chance", "change", "charge", "check", "chicken", "child", "choose", "church", "city", "class", "clean", "clear", "click", "climb", "clock", "close", "cloud", "coat", "cold", "color", "colour", "come", "common", "cook", "cool", "copy", "corner", "cost", "could", "count", "country", "course", "cover", "cow", "crash", "cream", "cross", "crown", "cry", "cup", "cut", "dance", "dark", "day", "dead", "deal", "dear", "death", "deep", "desk", "did", "die", "different", "dinner", "do", "doctor", "does", "dog", "done", "door", "double", "down", "draw", "dream", "dress", "drink", "drive", "drop", "dry", "duck", "during", "each", "ear", "early", "earth", "east", "easy", "eat", "edge", "egg", "eight", "either", "else", "end", "energy", "enough", "even", "evening", "ever", "every", "eye", "face", "fact", "fair", "fall", "family", "far", "farm", "fast", "father", "fear", "feel", "feet", "few", "field", "fight", "figure", "fill", "final", "find", "fine", "fire", "first", "fish", "five", "flag", "flash", "flat", "floor", "flower", "fly", "follow", "food", "foot", "for", "force", "forest", "form", "forward", "four", "free", "fresh", "friend", "from", "front", "fruit", "full", "fun", "game", "garden", "gate", "gave", "get", "giant", "gift", "girl", "give", "glass", "go", "god", "gold", "golden", "gone", "good", "got", "grand", "grass", "gray", "great", "green", "grey", "ground", "group", "grow", "guard", "gun", "hair", "half", "hall", "hand", "happy", "hard", "has", "hat", "have", "he", "head", "hear", "heart", "heat", "heavy", "help", "her", "here", "hero", "high", "hill", "him", "his", "hit", "hold", "hole", "home", "honey", "hope", "horse", "hot", "hour", "house", "how", "huge", "human", "hunt", "hunter", "i", "ice", "idea", "if", "in", "inside", "into", "iron", "is", "island", "it", "its", "jack", "jet", "job", "join", "joy", "jump", "just", "keep", "key", "kid", "kill", "kind", "king", "kiss", "knife", "know", "lady", "lake", "land", "large", "last", "late", "laugh", "law", "lay", "lead", "leaf", "learn", "leave", "left", "leg", "let", "letter", "level", "life", "light", "like", "line", "link", "lion", "list", "listen", "little", "live", "long", "look", "lord", "lose", "lost", "lot", "loud", "love", "low", "luck", "lucky", "made", "magic", "main", "make", "man", "many", "map", "mark", "market", "master", "match", "may", "me", "mean", "meet", "men", "metal", "middle", "might", "mile", "milk", "mind", "miss", "model", "moment", "money", "monster", "month", "moon", "more", "morning", "most", "mother", "mountain", "mouse", "mouth", "move", "much", "music", "must", "my", "name", "near", "neck", "need", "never", "new", "news", "next", "nice", "night", "nine", "no", "noise", "north", "nose", "not", "note", "nothing", "now", "number", "ocean", "of", "off", "office", "often", "oil", "old", "on", "once", "one", "only", "open", "or", "orange", "order", "other", "our", "out", "over", "own", "page", "paint", "pair", "paper", "park", "part", "party", "pass", "past", "path", "pay", "peace", "pen", "people", "person", "pet", "phone", "pick", "picture", "piece", "pig", "pink", "pipe", "place", "plain", "plan", "plane", "plant", "play", "please", "point", "police", "pool", "poor", "power", "press", "pretty", "prince", "princess", "pull", "purple", "push", "put", "queen", "question", "quick", "quiet", "race", "rain", "rainbow", "ran", "read", "ready", "real", "red", "rest", "rice", "rich", "ride", "right", "ring", "river", "road", "robot", "rock", "roll", "room", "rose", "round", "row", "rule", "run", "sad", "safe", "said", "sail", "sailor", "salt", "same", "sand", "save", "saw", "say", "school", "sea", "season", "seat", "second", "see", "seed", "sell", "send", "set", "seven", "shadow", "shape", "share", "she", "sheep", "ship", "shirt", "shoe", "shoot", "shop", "short", "shot", "should", "show", "side", "sign", "silver", "simple", "sing", "sister", "sit", "six", "size", "skin", "sky", "sleep", "slow", "small", "smile", "smoke", "snake", "snow", "so", "soft", "soldier", "some", "son", "song", "soon", "sound", "south", "space", "speak", "special", "speed", "spider", "spirit", "sport", "spring", "square", "stand", "star", "start", "state", "station", "stay", "step", "stick", "still", "stone", "stop", "store", "storm", "story", "straight", "strait", "street", "strong", "student", "study", "style", "sugar", "summer", "sun", "super", "sure", "sweet", "swim", "sword", "table", "tail", "take", "talk", "tall", "tea", "teacher", "team", "tell", "ten", "test", "than", "that", "the", "their", "them", "then", "there", "these", "they", "thing", "think", "third", "this", "those", "three", "through", "throw", "thunder", "tiger", "time", "tiny", "to", "today", "together", "told", "tom", "too", "took", "top", "touch", "tower", "town", "toy", "train", "tree", "trip", "truck", "true", "try", "turn", "twin", "two", "under", "until", "up", "upon", "us", "use", "very", "village", "visit", "voice", "wait", "walk", "wall", "want", "war", "warm", "was", "wash", "watch", "water", "wave", "way", "we", "weapon", "wear", "weather", "week", "well", "went", "were", "west", "what", "wheel", "when", "where", "which", "while", "white", "who", "whole", "why", "wide", "wild", "will", "win", "wind", "window", "wing", "winter", "wise", "wish", "with", "within", "without", "wolf", "woman", "wonder", "wood", "word", "work", "world", "would", "write", "wrong", "yard", "year", "yellow", "yes", "yet", "you", "young", "your", "zero", "sonic", "rem", "boom", "mac", "grace", "joy", "faith", "hope", "rose", "lily", "daisy", "ivy", "ruby", "pearl", "amber", "jade", "dawn", "summer", "autumn", "angel", "sunny", "happy", "lucky", "buddy", "sparky", "shadow", "ghost", "storm", "blaze", "flash", "bolt", "max", "ace", "kid", "chief", "boss", "doc", "duke", "king", "queen", "prince", "baron", "sir", "mister", "miss", "lady", "madam", "captain", "sergeant", "general", "major", "private", "agent", "officer", "dragon", "ball", "piece", "wars", "world", "legend", "fantasy", "adventure", "quest", "story", "tale", "saga", "chronicles", "kingdom", "empire"]

_GIVEN = ["aaron", "adam", "alan", "albert", "alex", "alexander", "alice", "amanda", "amy", "andrew", "angela", "ann", "anna", "anne", "anthony", "arthur", "ashley", "barbara", "ben", "benjamin", "betty", "bill", "billy", "bob", "brian", "bruce", "carl", "carol", "catherine", "charles", "charlie", "chris", "christine", "christopher", "daniel", "david", "debbie", "dennis", "diana", "donald", "dorothy", "douglas", "ed", "eddie", "edward", "elizabeth", "emily", "emma", "eric", "eve", "frank", "fred", "gary", "george", "grace", "greg", "harry", "helen", "henry", "jack", "jacob", "james", "jane", "jason", "jeff", "jennifer", "jerry", "jessica", "jim", "jimmy", "joe", "john", "johnny", "jonathan", "joseph", "joshua", "julia", "karen", "kate", "kevin", "larry", "laura", "linda", "lisa", "louis", "lucy", "maria", "mark", "martin", "mary", "matthew", "michael", "mike", "nancy", "nick", "nicole", "olivia", "oliver", "patricia", "paul", "peter", "philip", "rachel", "ray", "richard", "robert", "ron", "ryan", "sam", "samuel", "sandra", "sarah", "scott", "sophie", "stephen", "steve", "steven", "susan", "thomas", "tim", "timothy", "tom", "tony", "victor", "william", "luca", "marco", "mario", "luigi", "pierre", "jean", "hans", "karl", "ivan", "olga", "sasha", "yuri", "ali", "omar"]

# Frequent Japanese words and katakana loanwords (written in katakana; hiragana is folded to katakana before lookup).
_JA = ["ワンピース", "ドレス", "スカート", "シャツ", "パンツ", "コート", "ジャケット", "セーター", "ブーツ", "シューズ", "バッグ", "ハット", "キャップ", "リボン", "ボタン", "ポケット", "ベルト", "ネクタイ", "マフラー", "グローブ", "メガネ", "ピアス", "リング", "ネックレス", "ジーンズ", "ユニフォーム", "マスク", "ヘルメット", "パン", "ケーキ", "コーヒー", "ミルク", "ジュース", "ビール", "ワイン", "ラーメン", "カレー", "ピザ", "サラダ", "スープ", "チーズ", "バター", "チョコ", "チョコレート", "アイス", "クッキー", "ドーナツ", "ハンバーガー", "サンドイッチ", "フルーツ", "バナナ", "リンゴ", "レモン", "トマト", "ポテト", "ステーキ", "ソース", "ライス", "テーブル", "イス", "ソファ", "ベッド", "ドア", "カーテン", "ランプ", "テレビ", "ラジオ", "カメラ", "パソコン", "スマホ", "ゲーム", "ボール", "ロボット", "ピアノ", "ギター", "ドラム", "マイク", "スピーカー", "ペン", "ノート", "ペンギン", "ライオン", "パンダ", "ウサギ", "ネコ", "イヌ", "クマ", "キツネ", "タヌキ", "サル", "トリ", "ウマ", "ウシ", "ブタ", "ネズミ", "リス", "カメ", "カエル", "ヘビ", "ドラゴン", "ユニコーン", "モンスター", "ゴースト", "ゾンビ", "エイリアン", "ヒーロー", "スター", "ムーン", "サン", "スカイ", "シー", "ビーチ", "パーク", "ホテル", "レストラン", "カフェ", "ショップ", "デパート", "スーパー", "マーケット", "ビル", "タワー", "ステーション", "ホーム", "ルーム", "キッチン", "バス", "トイレ", "プール", "ジム", "スタジオ", "オフィス", "センター", "エリア", "シティ", "タウン", "ストリート", "ロード", "ブリッジ", "アイランド", "マウンテン", "フォレスト", "リバー", "レイク", "ガーデン", "ファーム", "キャンプ", "スクール", "クラス", "チーム", "グループ", "クラブ", "パーティー", "イベント", "ショー", "コンサート", "ライブ", "ダンス", "ソング", "ミュージック", "アート", "デザイン", "スタイル", "ファッション", "カラー", "レッド", "ブルー", "グリーン", "イエロー", "ピンク", "ブラック", "ホワイト", "ゴールド", "シルバー", "オレンジ", "パープル", "ブラウン", "グレー", "ライト", "ダーク", "ファイア", "アイス", "ウォーター", "サンダー", "ウィンド", "ストーム", "レイ", "ビーム", "パワー", "エナジー", "スピード", "マジック", "ナイト", "キング", "クイーン", "プリンス", "プリンセス", "ナイト", "ソルジャー", "ハンター", "ウィッチ", "エンジェル", "デビル", "ゴッド", "エース", "ボス", "リーダー", "キャプテン", "ドクター", "ナース", "ポリス", "ガール", "ボーイ", "ベイビー", "ママ", "パパ", "ファミリー", "フレンド", "ラブ", "ハート", "ドリーム", "ホープ", "ピース", "ワールド", "ライフ", "タイム", "デイ", "ナイト", "サマー", "ウィンター", "スプリング", "ゼロ", "ワン", "ツー", "スリー", "テン", "ハンドレッド", "ミリオン", "トップ", "ベスト", "ニュー", "オールド", "ビッグ", "スモール", "ハッピー", "ラッキー", "ファースト", "ラスト", "ゲート", "キー", "ドア", "カード", "ボックス", "ケース", "セット", "ライン", "ポイント", "サイン", "マーク", "ロゴ", "シール", "ステッカー", "ポスター", "カバー", "ページ", "ブック", "ストーリー", "ドラマ", "アニメ", "マンガ", "コミック", "キャラ", "キャラクター", "テスト", "プラン", "システム", "サービス", "ネット", "メール", "ニュース", "データ", "ファイル", "サイト", "リンク", "ウサギ", "ツキ", "ホシ", "ハナ", "ソラ", "ウミ", "ヤマ", "カワ", "モリ", "ユキ", "アメ", "カゼ", "ヒ", "ミズ", "ネコ", "イヌ", "トリ", "サカナ", "キンギョ", "クマ", "ヒカリ", "カゲ", "ユメ", "ココロ", "ハル", "ナツ", "アキ", "フユ", "アサ", "ヨル", "ヒメ", "オウジ", "マホウ", "ケン", "カタナ", "ニンジャ", "サムライ", "ウチ", "ウチハ", "コレ", "ソレ", "アレ", "ココ", "ソコ", "ドコ", "ナニ", "ダレ", "イツ", "モノ", "コト", "ヒト", "オトコ", "オンナ", "コドモ", "ガッコウ", "センセイ", "カワイイ", "キレイ", "スゴイ", "オオキイ", "チイサイ", "アカ", "アオ", "シロ", "クロ", "ミドリ", "キイロ"]

# more frequent nouns (animals, things) whose katakana loanwords often appear as parts of Japanese names
_EN_MORE = ["monkey", "bunny", "rabbit", "bug", "bugs", "kitty", "kitten", "puppy", "fox", "owl", "frog", "bunny",
            "panda", "penguin", "turtle", "shark", "whale", "dolphin", "bat", "crow", "eagle", "hawk", "crab", "cookie",
            "candy", "cherry", "lemon", "melon", "peach", "berry", "choco", "chocolate", "pudding", "muffin", "honey",
            "sky", "cloud", "rain", "sun", "moon", "star", "night", "dark", "knight", "ninja", "pirate", "doll",
            "dress", "ribbon", "button", "angel", "devil", "witch", "wizard", "magic", "rider", "man", "woman",
            "lady", "girl", "boy", "kid", "baby", "mama", "papa", "uncle", "auntie", "hunter", "master"]

COMMON_EN: frozenset[str] = frozenset(_EN + _EN_MORE)
GIVEN_NAMES: frozenset[str] = frozenset(_GIVEN)
COMMON_JA: frozenset[str] = frozenset(_JA)

HONORIFICS: frozenset[str] = frozenset(
    ["chan", "kun", "san", "sama", "sensei", "senpai", "sempai", "dono", "tan", "chin", "kohai", "hime"]
)
JA_HONORIFICS: tuple[str, ...] = ("チャン", "クン", "サン", "サマ", "センパイ", "センセイ", "ドノ", "タン")
# particles (katakana-folded) that may follow a name written in kana
JA_PARTICLES: tuple[str, ...] = (
    "ガ", "ノ", "ヲ", "ニ", "ハ", "ト", "モ", "デ", "ヘ", "ヤ", "カ", "ヨ", "ネ", "ダ", "デス",
) + JA_HONORIFICS

# words that, first in a two-word phrase of ordinary words, make it an ordinary descriptive phrase ('black cat',
# 'iron tide', 'little mermaid'), so a lower-case name spelt that way still needs context
MODIFIERS: frozenset[str] = frozenset(
    ["black", "white", "red", "blue", "green", "yellow", "orange", "pink", "purple", "brown", "gray", "grey", "gold",
     "golden", "silver", "dark", "bright", "light", "big", "little", "small", "tiny", "huge", "giant", "great", "grand",
     "old", "young", "new", "good", "bad", "best", "first", "last", "final", "high", "low", "long", "short", "tall",
     "wild", "sweet", "happy", "lucky", "sad", "cold", "hot", "warm", "cool", "iron", "steel", "stone", "wooden",
     "wood", "glass", "paper", "straw", "plain", "super", "mega", "true", "real", "fair", "free", "full", "half",
     "deep", "wide", "quick", "fast", "slow", "strong", "soft", "hard", "dead", "lost", "lone", "holy", "royal",
     "mad", "evil", "kind", "wise", "sea", "one", "two", "three", "ten", "every", "each", "any", "no", "some", "my",
     "your", "our", "his", "her", "their", "this", "that", "the", "a", "an", "mr", "mrs", "miss", "sir", "lady",
     "lord", "king", "queen", "prince", "princess", "captain", "doctor", "dr", "uncle", "aunt"]
)

# words never counted as trait evidence on their own
STOPWORDS: frozenset[str] = frozenset(
    ["a", "an", "the", "of", "with", "and", "or", "in", "on", "at", "to", "for", "by", "from", "his", "her", "its", "their", "its", "into", "over", "under", "as", "is", "are", "was", "were", "be", "who", "which", "that", "this", "these", "those", "one", "some", "very", "while", "it", "he", "she", "they", "him", "them", "my", "your", "our", "up", "down", "out"]
)


@lru_cache(maxsize=200_000)
def is_common_en(word: str) -> bool:
    """True when a lower-case Latin word (or its light plural/verb form) is a frequent English word."""
    if word in COMMON_EN:
        return True
    for suf, rep in (("s", ""), ("es", ""), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e"), ("er", ""), ("ly", "")):
        if word.endswith(suf) and len(word) - len(suf) >= 3 and word[: -len(suf)] + rep in COMMON_EN:
            return True
    return False


@lru_cache(maxsize=200_000)
def ordinary_word(word: str) -> bool:
    """A word of a multi-word name that makes it read as ordinary English: a frequent English word, or a light
    inflection of one that is not a frequent given name ('parker', 'walker' yes; 'peter' is not 'pet' + 'er')."""
    if word in COMMON_EN or word in STOPWORDS:
        return True
    return word not in GIVEN_NAMES and is_common_en(word)


def frequent_phrase(words: tuple[str, ...]) -> bool:
    """A lower-case run of ordinary words that reads as an English phrase rather than a name: two or more ordinary
    words opened by a modifier/determiner ('black cat', 'the count'), or three or more ordinary words."""
    if not words or not all(ordinary_word(w) for w in words):
        return False
    return words[0] in MODIFIERS or len(words) >= 3 or any(w in STOPWORDS for w in words)
