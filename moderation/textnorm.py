"""Text normalisation before the policy looks at a prompt: the evasions people use, undone.

`normalise("N.u.d.3 ph0t0s of а girl")` -> "nude photos of a girl". Steps, in order:
1. NFKC (full-width letters, ligatures), zero-width and control characters dropped.
2. Homoglyphs: Cyrillic and Greek letters that look like Latin ones become the Latin letter.
3. Accents stripped (NFKD, combining marks dropped), lower case.
4. Leetspeak inside words that have letters ("ph0t0" -> "photo"; "1945" and "2" stay numbers).
5. Letters split by spaces or punctuation ("n u d e", "n.u.d.e", "n-u-d-e") joined back into words,
   punctuation inside a word dropped ("nu*de"), letters repeated 3+ times squeezed ("nuuude").

Japanese (`normalise_japanese`, `fold_kana`): NFKC, gaps inside words (エ・ロ), look-alike symbols
(エ□), one kana script; the policy then splits words with janome and masks (ち○こ) are matched there.
"""

from __future__ import annotations

import re
import unicodedata

from sora_site import japanese

# Look-alikes of Latin letters (Unicode's confusables, the common ones for Latin text).
_HOMOGLYPHS = str.maketrans(
    {
        # Cyrillic
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
        "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "ԁ": "d",
        "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l",
        "А": "a", "В": "b", "Е": "e", "К": "k", "М": "m", "Н": "h", "О": "o", "Р": "p", "С": "c",
        "Т": "t", "У": "y", "Х": "x", "І": "i", "Ј": "j", "Ѕ": "s",
        # Greek
        "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
        "τ": "t", "υ": "u", "χ": "x", "ω": "w", "Α": "a", "Β": "b", "Ε": "e", "Η": "h", "Ι": "i",
        "Κ": "k", "Μ": "m", "Ν": "n", "Ο": "o", "Ρ": "p", "Τ": "t", "Υ": "y", "Χ": "x", "Ζ": "z",
    }
)  # fmt: skip
_LEET = str.maketrans(
    {
        "0": "o",
        "1": "i",
        "3": "e",
        "4": "a",
        "5": "s",
        "7": "t",
        "8": "b",
        "@": "a",
        "$": "s",
        "!": "i",
        "|": "l",
        "+": "t",
    }
)
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2028-\u202f\u2060-\u206f\ufeff\u00ad]")
# A run of 3+ single letters separated by the same kind of gap: "n u d e", "n.u.d.e", "n_u_d_e".
_SPACED = re.compile(r"(?<![a-z0-9])(?:[a-z0-9@$][\s.\-_*·,/\\]{1,3}){2,}[a-z0-9@$](?![a-z0-9])")
_WORD_WITH_LEET = re.compile(r"[a-z0-9@$!|+]*[a-z][a-z0-9@$!|+]*|[0-9@$!|+]+[a-z][a-z0-9@$!|+]*")
_INNER_PUNCT = re.compile(r"(?<=[a-z])[*.\-_'`^~]+(?=[a-z])")
# Inside a word only: "nuuude" -> "nude", while a word of one repeated letter ("kkk") stays.
_REPEATS = re.compile(r"(?<=[a-z])([a-z])\1{2,}|([a-z])\2{2,}(?=[a-z])")
_SPACES = re.compile(r"\s+")


def _unleet(match: re.Match[str]) -> str:
    word = match.group(0)
    # Only words that mix letters with leet symbols: "ph0t0", "s3x", "@ss"; plain numbers stay.
    return word.translate(_LEET) if any(ch.isalpha() for ch in word) else word


def _join_spaced(match: re.Match[str]) -> str:
    units = re.sub(r"[\s.\-_*·,/\\]", "", match.group(0))
    # Two letters at least, so "a 1 2 3" countdowns and version numbers stay as they are.
    return units if sum(ch.isalpha() for ch in units) >= 2 else match.group(0)


def normalise(text: str) -> str:
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text or ""))
    text = text.translate(_HOMOGLYPHS)
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)).lower()
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    text = _SPACED.sub(_join_spaced, text)
    text = _WORD_WITH_LEET.sub(_unleet, text)
    text = _INNER_PUNCT.sub("", text)
    text = _REPEATS.sub(lambda m: m.group(1) or m.group(2), text)
    return _SPACES.sub(" ", text).strip()


# --- Japanese ----------------------------------------------------------------------------------
# After NFKC (half-width katakana and full-width letters are already folded), Japanese text is
# matched in one kana script: katakana become hiragana, so エロ, えろ and ｴﾛ read the same.
# Symbols and kanji that look like a katakana letter, swapped in to dodge filters (エ□, 工ロ, 口リ).
_JA_LOOKALIKES = str.maketrans(
    {"□": "ロ", "■": "ロ", "口": "ロ", "〇": "ロ", "工": "エ", "力": "カ", "夕": "タ", "卜": "ト", "二": "ニ",
     "八": "ハ", "一": "ー", "―": "ー", "‐": "ー", "－": "ー", "~": "ー", "〜": "ー", "ｰ": "ー", "ヱ": "エ", "ヰ": "イ"}
)  # fmt: skip
_JA_CHAR = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
# Spaces, dots and marks pushed between the letters of one word: エ・ロ, し ね, 殺.す
_JA_GAPS = re.compile(rf"(?<=[{_JA_CHAR}])[\s・.,、。\-_*/|＿･]+(?=[{_JA_CHAR}])")
# Masks standing in for one letter: ち○こ, 死★ね.
JA_MASKS = "○●◯◎×☆★♡♥＊?？"


def normalise_japanese(text: str, *, lookalikes: bool = False) -> str:
    """Japanese text for tokenising: NFKC, invisible characters dropped, gaps between letters
    removed, Latin lower-cased (the script is kept: janome splits katakana words better). With
    `lookalikes`, symbols and kanji shaped like katakana are read as that katakana first (this turns
    入口 into 入ロ, so it is a second reading matched alongside the plain one, never instead of it)."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text or ""))
    if lookalikes:
        text = text.translate(_JA_LOOKALIKES)
    return _JA_GAPS.sub("", text).lower()


def fold_kana(text: str) -> str:
    """Katakana as hiragana, so エロ, えろ and ｴﾛ (after NFKC) compare equal."""
    return japanese.to_hiragana(text)
