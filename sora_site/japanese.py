"""Japanese text helpers shared by the renderer, the soundtrack and moderation.

Japanese has no spaces between words, so keyword lookups go through janome, a morphological
analyser whose dictionary (IPADIC) ships inside its wheel: nothing is downloaded at run time. The
tokenizer takes ~0.25 s to build, so it is built once per process, on first use.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from typing import TYPE_CHECKING

from sora_site.loading import LoadedOnce

if TYPE_CHECKING:
    from janome.tokenizer import Tokenizer

# Hiragana, katakana (and its phonetic extensions), CJK ideographs, half-width katakana. The same
# pattern works as a PostgreSQL regular expression.
JAPANESE_CHARACTER = r"[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f々〆ヵヶ]"
_JAPANESE = re.compile(JAPANESE_CHARACTER)
_JAPANESE_RUN = re.compile(_JAPANESE.pattern + "+")
_LATIN_WORD = re.compile(r"[a-zà-öø-ÿ]+")
_lock = threading.Lock()
KATAKANA = "".join(chr(code) for code in range(0x30A1, 0x30F7))
HIRAGANA = "".join(chr(code - 0x60) for code in range(0x30A1, 0x30F7))  # the same sounds, in the same order
_KATAKANA_TO_HIRAGANA = str.maketrans(KATAKANA, HIRAGANA)


def has_japanese(text: str) -> bool:
    """True when `text` holds any kana or kanji."""
    return _JAPANESE.search(text) is not None


def to_hiragana(text: str) -> str:
    """Katakana as hiragana (エロ -> えろ); everything else kept."""
    return text.translate(_KATAKANA_TO_HIRAGANA)


def folded(text: str) -> str:
    """One spelling for comparing names: NFKC (full and half width), lower case, katakana as
    hiragana, no spaces (山田 ハナコ and 山田はなこ fold alike)."""
    return re.sub(r"\s+", "", to_hiragana(unicodedata.normalize("NFKC", text).lower()))


@LoadedOnce  # its dictionary once, also with two threads asking at once
def _tokenizer() -> Tokenizer:
    from janome.tokenizer import Tokenizer

    return Tokenizer()


def japanese_tokens(text: str) -> list[tuple[str, str, str, str]]:
    """(surface, base form, part of speech, pronunciation in katakana) per janome token; the part of
    speech is IPADIC's comma-separated fields ("名詞,固有名詞,人名,姓")."""
    with _lock:  # janome's lattice is built per call, but its lazily loaded dictionary is shared
        tokens = list(_tokenizer().tokenize(text))
    out = []
    for token in tokens:
        if isinstance(token, str):  # only with wakati=True, which is not used here
            continue
        surface = str(token.surface)
        base = str(token.base_form) if token.base_form != "*" else surface
        phonetic = str(token.phonetic) if token.phonetic != "*" else surface
        out.append((surface, base, str(token.part_of_speech), phonetic))
    return out


def japanese_words(text: str) -> list[str]:
    """Base forms of the Japanese content words in `text`, in order (凍った -> 凍る)."""
    words: list[str] = []
    for run in _JAPANESE_RUN.findall(text):
        words.extend(base for _, base, pos, _ in japanese_tokens(run) if not pos.startswith("記号"))
    return words


def words(text: str) -> set[str]:
    """The words of a prompt in English and Japanese: lower-cased Latin words + Japanese base forms."""
    found = set(_LATIN_WORD.findall(text.lower()))
    if has_japanese(text):
        found.update(japanese_words(text))
    return found


def reading(text: str) -> str:
    """`text` with its kanji replaced by their pronunciation in katakana (少女 -> ショージョ), so a
    speech synthesiser that only reads kana can say it. Other characters are kept."""
    if not has_japanese(text):
        return text
    return "".join(phonetic if has_japanese(surface) else surface for surface, _, _, phonetic in japanese_tokens(text))


_KATAKANA_RUN = re.compile(r"[\u30a1-\u30faー]{2,}")


def unknown_katakana(text: str) -> list[str]:
    """The katakana words of `text` that are not one word of the dictionary (カクセイザイ, ジサツ, ハダカ:
    kanji words spelt in katakana), leaving out loanwords it knows (オウム, シネマ)."""
    found = []
    for run in _KATAKANA_RUN.findall(text):
        with _lock:
            tokens = list(_tokenizer().tokenize(run))
        if not (len(tokens) == 1 and getattr(tokens[0], "node_type", "") == "SYS_DICT"):
            found.append(run)
    return found


def morphemes(text: str) -> list[tuple[str, str]]:
    """(surface, base form) of each word janome finds in `text`, symbols and spaces left out."""
    return [(surface, base) for surface, base, pos, _ in japanese_tokens(text) if not pos.startswith("記号")]


def tagged(text: str) -> list[tuple[str, str, tuple[str, ...]]]:
    """(surface, base form, part-of-speech fields) of each word in `text`, symbols and spaces left
    out: ("山田", "山田", ("名詞", "固有名詞", "人名", "姓"))."""
    return [
        (surface, base, tuple(pos.split(",")))
        for surface, base, pos, _ in japanese_tokens(text)
        if not pos.startswith("記号")
    ]
