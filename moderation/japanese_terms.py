"""The policy's Japanese lexicon (`ja_terms`, `ja_extra_terms`, `ja_together` in policy.toml) and
how a text is read against it: split by janome (so a verb's conjugations find its dictionary form),
kana folded, look-alike symbols read as kana, masked letters (ち○こ), romaji and katakana spellings
matched by sound, allowed phrases and negation framing (`JapaneseLift`) taken out first."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

from moderation.textnorm import JA_MASKS, fold_kana, kana_sounds, normalise_japanese, romaji_kana, romaji_readings
from sora_site import japanese


@dataclass(frozen=True)
class JapaneseTerm:
    """A lexicon entry, split by janome like the text it is looked for in (kana folded)."""

    surfaces: tuple[str, ...]
    # Set when the term ends in dictionary form: 殺す also finds 殺した, 殴り殺す finds 殴り殺して.
    # (死ね ends in an imperative, so it never finds 死んだ.)
    bases: tuple[str, ...] | None
    folded: str  # the whole term, for masked spellings (ち○こ)
    # Also found inside longer words: terms of 4+ characters, and terms janome's dictionary does not
    # know (it splits them into single characters: 盗撮 -> 盗 + 撮, and 盗撮した reads differently).
    as_substring: bool = False
    # How it sounds, in hiragana with long vowels as ー (殺す -> ころす, 動画 -> どーが), and the
    # sounds of its dictionary forms when it ends in one: matched against romaji ("korosu", "douga").
    sounds: str = ""
    sound_bases: tuple[str, ...] | None = None
    has_kanji: bool = False


@dataclass(frozen=True)
class JapanesePair:
    """Two word lists that refuse only together, each word alone being everyday Japanese:
    覚醒剤 + 作り方, 外国人 + 出ていけ, 死にたい + 飛び降りる."""

    any_of: tuple[JapaneseTerm, ...]
    with_any_of: tuple[JapaneseTerm, ...]


@dataclass(frozen=True)
class JapaneseReading:
    surfaces: tuple[str, ...]
    bases: tuple[str, ...]
    folded: str
    # A reading of romaji ("shinitai houhou"): its words' sounds (しにたい, ほーほー), matched against
    # the terms' sounds; empty for text written in kana and kanji.
    sounds: tuple[str, ...] = ()
    # Its katakana words the dictionary does not know, by sound (カクセイザイ, ｼﾞｻﾂ after NFKC): a
    # kanji term spelt in katakana to dodge the lexicon matches when it is the whole word (オウム, a
    # known loanword, is never read as 王蟲).
    katakana: tuple[str, ...] = ()
    # A long run of kana (ちょうせんじんはかえれ, ホウチョウでさしころす): heard like romaji, but only kanji
    # terms of three sounds or more (a short one such as しね is inside everyday words: シネマ).
    kana_run: bool = False

    # Where each word starts, and where the masks are (ち○こ): a term is looked for only where its first
    # word is, so a reading is checked against thousands of terms by dictionary look-ups.
    @cached_property
    def _surface_starts(self) -> dict[str, list[int]]:
        return _starts(self.surfaces)

    @cached_property
    def _base_starts(self) -> dict[str, list[int]]:
        return _starts(self.bases)

    @cached_property
    def mask_positions(self) -> tuple[int, ...]:
        return tuple(i for i, ch in enumerate(self.folded) if ch in JA_MASKS)

    def has_surfaces(self, part: tuple[str, ...]) -> bool:
        return bool(part) and any(
            self.surfaces[i : i + len(part)] == part for i in self._surface_starts.get(part[0], ())
        )

    def has_bases(self, part: tuple[str, ...]) -> bool:
        return bool(part) and any(self.bases[i : i + len(part)] == part for i in self._base_starts.get(part[0], ()))


@dataclass(frozen=True)
class JapaneseLift:
    """Negation and awareness framing: the word just before `before` (グロなし, 闇バイトに注意,
    誹謗中傷をやめよう, 盗撮防止) is taken out before the Japanese terms are looked for, unless it ends
    in one of `keep` (下着なし is no lifted 下着) or a term itself holds the marker (首なし死体).
    All kana-folded."""

    before: tuple[str, ...]
    keep: tuple[str, ...]


# A word a marker can lift: a run of kanji, katakana and Latin letters (a hiragana particle ends it).
_JA_LIFTABLE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff々〆ヵヶ\u30a0-\u30ffa-z0-9]+")


def _ja_lifted(normalised: str, lift: JapaneseLift) -> str:
    """`normalised` with each lifted word blanked (same length, so later offsets still hold)."""
    folded = fold_kana(normalised)
    out = list(normalised)
    for run in _JA_LIFTABLE.finditer(normalised):
        start, end = run.span()
        # The marker may end the run (盗撮防止), straddle its end (グロ抜き) or follow it (グロなし).
        at = next((i for i in range(start + 1, end + 1) if any(folded.startswith(m, i) for m in lift.before)), None)
        if at is not None and not any(folded[start:at].endswith(kept) for kept in lift.keep):
            out[start:at] = "、" * (at - start)
    return "".join(out)


def _ja_words(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    found = japanese.morphemes(text)
    return tuple(fold_kana(surface) for surface, _ in found), tuple(fold_kana(base) for _, base in found)


def ja_terms(words: Sequence[str]) -> tuple[JapaneseTerm, ...]:
    terms = []
    for word in words:
        surfaces, bases = _ja_words(normalise_japanese(word))
        folded = fold_kana(normalise_japanese(word))
        # janome's dictionary does not know it (single characters), or reads no word in it (emoji).
        unknown = not surfaces or (len(surfaces) > 1 and all(len(surface) == 1 for surface in surfaces))
        in_dictionary_form = bool(surfaces) and surfaces[-1] == bases[-1]
        terms.append(
            JapaneseTerm(
                surfaces,
                bases if in_dictionary_form else None,
                folded,
                len(folded) >= 4 or unknown,
                term_sounds(word),
                tuple(term_sounds(base) for base in bases) if in_dictionary_form else None,
                _KANJI.search(word) is not None,
            )
        )
    return tuple(terms)


_KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff々]")


def term_sounds(text: str) -> str:
    """`text` as it sounds, in hiragana with long vowels as ー (Latin letters read as romaji)."""
    normalised = normalise_japanese(text)
    if not japanese.has_japanese(normalised):
        return kana_sounds(romaji_kana(normalised) or "")
    return kana_sounds(fold_kana(japanese.reading(normalised)))


def romaji_term_readings(text: str, allow_sounds: Sequence[str]) -> list[JapaneseReading]:
    """The text's runs of romaji ("ero douga", "shinitai") read as hiragana, allowed phrases taken
    out by their sounds (jisatsu yobou is 自殺予防)."""
    readings = []
    for run in romaji_readings(text):
        words = [kana_sounds(word) for word in run.split()]
        joined = "".join(words)
        for phrase in allow_sounds:
            if phrase and phrase in joined:
                joined = joined.replace(phrase, "、")
                words = [w for w in words if w not in phrase]
        found = japanese.morphemes(joined)
        readings.append(
            JapaneseReading(
                tuple(surface for surface, _ in found),
                tuple(kana_sounds(base) for _, base in found),
                joined,
                tuple(words) or ("、",),
            )
        )
    return readings


# A run of kana this long is read by sound too: a word written in kana to dodge its kanji term. Shorter runs
# are everyday Japanese (ころころ, おにぎり); a sentence written all in kana is not.
_KANA_RUN = re.compile(r"[\u3041-\u3096\u30a1-\u30faー]{8,}")


def kana_term_readings(text: str, allow_sounds: Sequence[str]) -> list[JapaneseReading]:
    """The text's long runs of kana as they sound (ちょうせんじんはかえれ, ジサツのほうほう, さしころす),
    allowed phrases taken out by their sounds (ばくだんおにぎり is 爆弾おにぎり)."""
    readings = []
    for run in _KANA_RUN.findall(normalise_japanese(text)):
        heard = kana_sounds(fold_kana(run))
        for phrase in allow_sounds:
            if phrase and phrase in heard:
                heard = heard.replace(phrase, "、")
        readings.append(JapaneseReading((), (), heard, (heard,), kana_run=True))
    return readings


def _sounds_hit(term: JapaneseTerm, reading: JapaneseReading) -> bool:
    """A term heard in romaji: the start of a word when short (しね, えろい, ろりぷに), else anywhere in
    the run."""
    # A kana run is heard for kanji terms only: a kana term is matched as written already, and heard it
    # is found inside other words (ナルト in ラーメンにナルトと, リストカット in リストカットをやめて).
    if not term.sounds or (reading.kana_run and (len(term.sounds) < 3 or not term.has_kanji)):
        return False
    if len(term.sounds) < 3:
        return any(word.startswith(term.sounds) for word in reading.sounds)
    in_dictionary_form = term.sound_bases is not None and reading.has_bases(term.sound_bases)
    return term.sounds in reading.folded or in_dictionary_form


def ja_readings(text: str, allow: Sequence[str], lift: JapaneseLift | None = None) -> list[JapaneseReading]:
    """The text as written and with look-alike symbols read as kana (エ□ -> エロ), allowed phrases
    and lifted words (`JapaneseLift`) taken out."""
    readings = []
    for lookalikes in (False, True):
        normalised = normalise_japanese(text, lookalikes=lookalikes)
        if lift is not None:
            normalised = _ja_lifted(normalised, lift)
        for phrase in allow:  # allowed phrases are kana-folded: fold the text where they occur
            at = fold_kana(normalised).find(phrase)
            while at >= 0:
                normalised = normalised[:at] + "、" * len(phrase) + normalised[at + len(phrase) :]
                at = fold_kana(normalised).find(phrase)
        katakana = tuple(kana_sounds(fold_kana(word)) for word in japanese.unknown_katakana(normalised))
        readings.append(JapaneseReading(*_ja_words(normalised), fold_kana(normalised), katakana=katakana))
    return readings


def _starts(words: tuple[str, ...]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for at, word in enumerate(words):
        found.setdefault(word, []).append(at)
    return found


def _masked(term: str, reading: JapaneseReading) -> bool:
    """`term` spelt with some letters masked (ち○こ), fewer masks than real letters: a window of the
    text around a mask where every letter is the term's or a mask."""
    size, text = len(term), reading.folded
    if size < 3 or not reading.mask_positions:
        return False
    starts = {at - k for at in reading.mask_positions for k in range(size)}
    for start in sorted(starts):
        if start < 0 or start + size > len(text):
            continue
        masks = 0
        for written, letter in zip(text[start : start + size], term, strict=True):
            if written in JA_MASKS:
                masks += 1
            elif written != letter:
                break
        else:
            if 0 < masks < size / 2:
                return True
    return False


def ja_hit(terms: Sequence[JapaneseTerm], readings: Sequence[JapaneseReading]) -> bool:
    return any(
        reading.has_surfaces(term.surfaces)
        or (term.bases is not None and reading.has_bases(term.bases))
        or (term.as_substring and not reading.kana_run and term.folded in reading.folded)
        or _masked(term.folded, reading)
        or (bool(reading.sounds) and _sounds_hit(term, reading))
        or (term.has_kanji and term.sounds in reading.katakana)
        for reading in readings
        for term in terms
    )


def ja_pair_hit(pairs: Sequence[JapanesePair], readings: Sequence[JapaneseReading]) -> bool:
    return any(ja_hit(pair.any_of, readings) and ja_hit(pair.with_any_of, readings) for pair in pairs)


def ja_lift(raw: dict[str, list[str]] | None, terms: Iterable[JapaneseTerm]) -> JapaneseLift | None:
    """The `[japanese.lift]` table; a term holding a marker (モザイクなし, 首なし死体) keeps what precedes
    the marker, so the term still matches."""
    if not raw:
        return None
    before = tuple(fold_kana(normalise_japanese(m)) for m in raw["before"])
    held = {term.folded[: term.folded.find(m)] for term in terms for m in before if term.folded.find(m) > 0}
    keep = tuple(fold_kana(normalise_japanese(k)) for k in raw.get("keep", []))
    return JapaneseLift(before, tuple(sorted(set(keep) | held)))
