"""Japanese topic words and the English topic each one is steered by.

The post embeddings (all-MiniLM-L6-v2) read English only, so a Japanese steering topic takes its
embedding direction from its English twin ("アニメ" -> "anime"), and a Japanese post is found by
keyword: the topics whose Japanese words it contains count as its English topic words too. Single
kanji that start many unrelated compounds (海 in 海外, 山 in 沢山, 車 in 電車) are left out on purpose.
"""

from __future__ import annotations

import re
import unicodedata

# Japanese spelling -> the English topic words a person would type in "more ...".
JA_TOPICS: dict[str, str] = {
    "アニメ": "anime",
    "マンガ": "manga",
    "漫画": "manga",
    "スポーツ": "sports",
    "ホラー": "horror",
    "料理": "cooking",
    "音楽": "music",
    "ダンス": "dance",
    "猫": "cats",
    "ネコ": "cats",
    "ねこ": "cats",
    "犬": "dogs",
    "イヌ": "dogs",
    "ペット": "pets",
    "動物": "animals",
    "ゲーム": "gaming",
    "旅行": "travel",
    "宇宙": "space",
    "科学": "science",
    "自然": "nature",
    "映画": "movies",
    "お笑い": "comedy",
    "コメディ": "comedy",
    "ファッション": "fashion",
    "メイク": "makeup",
    "サッカー": "soccer",
    "野球": "baseball",
    "バスケ": "basketball",
    "テニス": "tennis",
    "自動車": "cars",
    "鉄道": "trains",
    "電車": "trains",
    "ニュース": "news",
    "政治": "politics",
    "歴史": "history",
    "恋愛": "romance",
    "グルメ": "food",
    "食べ物": "food",
    "スイーツ": "desserts",
    "ラーメン": "ramen",
    "寿司": "sushi",
    "アート": "art",
    "写真": "photography",
    "筋トレ": "fitness",
    "ヨガ": "yoga",
    "釣り": "fishing",
    "キャンプ": "camping",
    "ビーチ": "beach",
    "登山": "hiking",
    "ロボット": "robots",
    "恐竜": "dinosaurs",
    "ドッキリ": "pranks",
    "いたずら": "pranks",
    "グロ": "gore",
    "暴力": "violence",
    "アイドル": "idols",
}
# A post about one of these is also about the wider topic (サッカー is sports), as the embedding
# direction of "sports" would say for an English post about football.
JA_WIDER: dict[str, str] = {
    "サッカー": "sports",
    "野球": "sports",
    "バスケ": "sports",
    "テニス": "sports",
    "猫": "animals",
    "ネコ": "animals",
    "ねこ": "animals",
    "犬": "animals",
    "イヌ": "animals",
    "恐竜": "animals",
    "ラーメン": "food",
    "寿司": "food",
    "スイーツ": "food",
}
# Every spelling above in one pattern, longest first: one scan of a post's text finds them all.
_SPELLINGS = re.compile("|".join(re.escape(word) for word in sorted({*JA_TOPICS, *JA_WIDER}, key=len, reverse=True)))
# Runs of katakana (with the long-vowel mark) or of kanji: the keyword a topic with no English twin
# ("盆栽") is matched by, without running the tokenizer over every candidate post.
_RUN = re.compile(r"[\u30a1-\u30fa\u30fc]+|[\u3400-\u4dbf\u4e00-\u9fff々]+")


def english_topic(words: list[str]) -> str | None:
    """The English topic for a Japanese compound split into words (["ホラー", "映画"] -> "horror
    movies"), longest known spelling first; None when a part has no English twin."""
    out: list[str] = []
    start = 0
    while start < len(words):
        for end in range(len(words), start, -1):
            english = JA_TOPICS.get("".join(words[start:end]))
            if english is not None:
                out.append(english)
                start = end
                break
        else:
            return None
    return " ".join(out) or None


def japanese_topic_words(text: str) -> set[str]:
    """The keyword side of a Japanese text: the English words of the topics it names (and of their
    wider topics), and its katakana and kanji runs."""
    text = unicodedata.normalize("NFKC", text)
    spellings = set(_SPELLINGS.findall(text))
    named = [JA_TOPICS.get(spelling, "") + " " + JA_WIDER.get(spelling, "") for spelling in spellings]
    found = {word for english in named for word in english.split()}
    found.update(_RUN.findall(text))
    return found
