"""The languages the prompt stage reads, and what it does with a text in one it cannot read.

The policy's rules and its classifier read English (and Japanese, with its own lexicon). A text in
another language is read through a glossary (`moderation/lexicons/<language>.toml`): the phrases
that matter to the policy (its harmful terms per category, the words for a child or for "how to
make", and benign look-alikes such as "bomba de agua", a water pump) become their English, and the
English rules and classifier then judge that English reading. "una niña desnuda" reads "a little girl
naked". A glossary phrase made of English words ("bite" in French, "Gift" in German) is glossed only when
the text looks like that language (two of the glossary's `markers` are in it, or `py3langid` ranks
the language first at 0.5 or more); the others are glossed in any
text, so a Spanish word in an English prompt is read too.

A text that the language detector is sure is in a language with no glossary (and that is not
mostly English words or Japanese written in Latin letters) cannot be judged: `Reading.unsupported`
is set, and the prompt is refused with a message naming the languages that are read, as the person
then learns at once what to do, where a hold for a moderator would leave the video waiting on a
person who may not read the language either.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from django.utils.translation import get_language_info, gettext

from moderation.textnorm import english_words, normalise

LEXICONS = Path(__file__).with_name("lexicons")
UNSUPPORTED_LANGUAGE = "unsupported_language"  # the verdict's category for a text we cannot read
# Japanese and English are read natively; the glossaries add the rest (`supported_languages`).
NATIVE = ("en", "ja")
# The languages the detector chooses among: the commonest written ones (fewer choices, surer answers
# on short texts). Those without a glossary are the ones a text can be "unsupported" in.
_DETECTED = (
    "en ja zh ko es pt fr de it nl ru uk pl cs sk sl hr sr bg ro hu el tr ar fa ur he hi bn ta te mr "
    "th vi id ms tl sv da no fi et lv lt sw"
).split()
_SURE = 0.9  # the detector's probability above which a text counts as being in that language
_MIN_LETTERS = 12  # shorter texts ("sushi", "onsen yukata") are too short to call another language
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_JAPANESE_LETTERS = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff々〆ー・]+")
_MIXED_ENGLISH_WORDS = 3  # English words that make a text with Japanese in it a mixed one
_WORDS = re.compile(r"[^\W\d_]+")
# A word of Japanese written in Latin letters: a run of kana syllables (tokyo, no, yakei, kawaii).
_ROMAJI_WORD = re.compile(
    r"(?:(?:[kgszjtdnhbpmyrwf]|sh|ch|ts|ky|gy|ny|hy|by|py|my|ry)?[aeiou]|n|(?<=[aeiou])[kstpc](?=[kstpc]))+"
)


@dataclass(frozen=True)
class Glossary:
    language: str
    markers: frozenset[str]  # common small words of the language ("el", "una", "hai", "ka")
    # Phrases (normalised; "*" at the end: any ending) and their English, longest first (so "bomba
    # de agua", a pump, wins over "bomba"), as one pattern with a group per phrase.
    pattern: re.Pattern[str]
    english: tuple[str, ...]  # by group: the English of the phrase in group i + 1

    def gloss(self, text: str, *, detected: bool) -> str:
        """`text` with the phrases in English; those made only of English words ("bite", "gift")
        only when the text was `detected` as this language."""
        known = english_words()

        def english(match: re.Match[str]) -> str:
            if not detected and all(word in known for word in match.group(0).split()):
                return match.group(0)
            return f" {self.english[(match.lastindex or 1) - 1]} "

        return self.pattern.sub(english, text)


# A letter of a word, counting Indic vowel signs (not `\w` in Python: बमों would end at बम).
_LETTER = r"[\w\u0900-\u0dff]"


_KATAKANA = "\u30a1-\u30fa\u30fc"  # katakana letters and the long vowel mark


def _phrase_pattern(phrase: str, spaced: bool) -> str:
    body = re.escape(phrase.rstrip("*")).replace(r"\ ", r"\s+")
    body += f"{_LETTER}*" if phrase.endswith("*") else ""
    if spaced:
        return rf"{body}(?!{_LETTER})"
    if re.fullmatch(f"[{_KATAKANA}]+", phrase):
        # A katakana word whole: グロ (gore) is not the end of マグロ (tuna), nor ヌード of ヌードル.
        return rf"(?<![{_KATAKANA}]){body}(?![{_KATAKANA}])"
    return body


def _glossary_load(path: Path) -> Glossary:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    spaced = bool(raw.get("spaced", True))  # False: Chinese, and Korean's particles attach to words
    entries: dict[str, str] = {}
    for table in raw.values():
        if isinstance(table, dict):  # [sexual], [violence], [context], [benign]...: one glossary
            entries.update({normalise(k.rstrip("*")) + k[len(k.rstrip("*")) :]: v for k, v in table.items()})
    ordered = sorted(entries, key=len, reverse=True)
    alternatives = "|".join(f"({_phrase_pattern(p, spaced)})" for p in ordered)
    return Glossary(
        language=raw["language"],
        markers=frozenset(normalise(m) for m in raw.get("markers", [])),
        # The word start is checked once per position, not once per phrase.
        pattern=re.compile(rf"(?<!{_LETTER})(?:{alternatives})" if spaced else alternatives),
        english=tuple(entries[p] for p in ordered),
    )


@cache
def glossaries() -> tuple[Glossary, ...]:
    """The other languages' glossaries (Japanese has its own lexicon; `ja.toml` is for mixed text)."""
    return tuple(_glossary_load(path) for path in sorted(LEXICONS.glob("*.toml")) if path.stem not in NATIVE)


@cache
def _japanese_glossary() -> Glossary:
    return _glossary_load(LEXICONS / "ja.toml")


def supported_languages() -> tuple[str, ...]:
    """Language codes the prompt stage reads: natively, or through a glossary."""
    return NATIVE + tuple(g.language for g in glossaries())


def _names(code: str) -> tuple[str, str]:
    """The language's name in the interface language, and in itself (Django's table of names)."""
    try:
        info = get_language_info({"zh": "zh-hans"}.get(code, code))
    except KeyError:  # a code Django has no name for: the code itself
        return code, code
    return str(info["name_translated"]), str(info["name_local"])


def unsupported_message(*, language: str, noun: str) -> str:
    """What a person is told when their text is in a language the prompt stage cannot read, in the
    interface language, the languages it reads each named in itself (español, 한국어)."""
    translated, local = _names(language)
    readable = ", ".join(_names(code)[1] for code in supported_languages() if "-" not in code)
    return gettext(
        "This %(noun)s looks like it is written in %(language)s, which can't be checked yet, so it can't "
        "be used. Please write it in one of these languages: %(readable)s."
    ) % {
        "noun": noun,
        "language": translated if translated == local else f"{translated} ({local})",
        "readable": readable,
    }


@cache
def _identifier() -> Any:  # py3langid ships no type hints
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(_DETECTED)
    return identifier


def _detected(text: str) -> tuple[str, float]:
    """The likeliest language of `text` and its probability."""
    code, probability = _identifier().classify(text)
    return str(code), float(probability)


@dataclass(frozen=True)
class Reading:
    """A text as the English rules and classifier read it."""

    text: str  # normalised, with glossed phrases in English
    language: str  # the language it was read as ("en" when nothing else is sure)
    unsupported: bool = False  # in a language the policy cannot read (`language` names it)


def _mixed_english(normalised: str, letters: list[str]) -> str | None:
    """A text that mixes Japanese into English sentences ("女子中学生 in a tiny bikini"), read in
    English: its Japanese words through `ja.toml`, the rest of the Japanese dropped, so the English
    rules and classifier read the sentence whole (they read no Japanese; the Japanese lexicon still
    reads the text as written). None for a text that is not mixed: fewer than `_MIXED_ENGLISH_WORDS`
    English words (a Japanese prompt with "JK" or "AV" in it)."""
    known = english_words()
    if sum(w in known for w in letters if w.isascii()) < _MIXED_ENGLISH_WORDS:
        return None
    glossed = _japanese_glossary().gloss(normalised, detected=True)
    return " ".join(_JAPANESE_LETTERS.sub(" ", glossed).split())


def _looks_japanese_in_latin(words: list[str]) -> bool:
    return sum(bool(_ROMAJI_WORD.fullmatch(w)) for w in words) >= 0.6 * len(words)


@lru_cache(maxsize=512)
def english_reading(text: str) -> Reading:
    """`text` normalised (`textnorm.normalise`) and glossed into English where it is in a language
    with a glossary; `unsupported` when it is surely in a language with none."""
    normalised = normalise(text)
    letters = _WORDS.findall(normalised)
    if _KANA.search(text):
        return Reading(_mixed_english(normalised, letters) or normalised, "ja")
    top, probability = _detected(text) if sum(len(w) for w in letters) >= 3 else ("en", 0.0)
    known = english_words()
    mostly_english = sum(w in known for w in letters) * 2 >= len(letters)
    glossed = normalised
    read_as = []  # the glossaries whose language the text looks like
    for glossary in glossaries():
        detected = len(glossary.markers & set(letters)) >= 2 or (top == glossary.language and probability >= 0.5)
        if detected:
            read_as.append(glossary.language)
        glossed = glossary.gloss(glossed, detected=detected)
    if _HAN.search(text) or _HANGUL.search(text):
        # Unglossed Chinese or Korean is noise to an English classifier: it reads the glossed words.
        language = "ko" if _HANGUL.search(text) else "zh"
        if language == "zh":  # or Japanese in kanji alone ("女子中学生 in a bikini"): the same words
            glossed = _japanese_glossary().gloss(glossed, detected=True)
        english = " ".join(_WORDS.findall(_HAN.sub(" ", _HANGUL.sub(" ", glossed))))
        return Reading(english or glossed, language)
    glossed = re.sub(r"\s+", " ", glossed).strip()
    unsupported = (
        top not in supported_languages()
        and probability >= _SURE
        and not read_as
        and sum(len(w) for w in letters) >= _MIN_LETTERS
        and len(letters) >= 3
        and not mostly_english
        and not _looks_japanese_in_latin(letters)
    )
    language = top if unsupported else next(iter(read_as), top if probability >= _SURE else "en")
    return Reading(glossed, language, unsupported)
