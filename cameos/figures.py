"""Finding a public figure of the registry in a text: by name or alias, by an everyday-word name with a
cue beside it, or by a description that points at one person or office.

Latin text is compared as words (NFKC, lower case, accents dropped, a plural "s" dropped), so a name
matches only as whole words ("Swift" is not in "swiftly"). Japanese is compared folded
(`sora_site.japanese.folded`: either kana script, full or half width, no spaces or middle dots), so
大谷翔平, おおたにしょうへい and オオタニショウヘイ are one name.

A description matches when all its content words (articles, prepositions, "famous" and such left out)
occur close together in one sentence, in any order ("the Real Madrid No. 7" in "a Real Madrid player
wearing number 7"; a country's adjective reads as the country), unless the sentence calls it
fictional, or, for an office, speaks of the past (a year before 2000, "historical", "statue"). Of
several descriptions found, the most specific names the figure. A Japanese description is written as
terms separated by spaces, all of which must occur in one sentence (「二刀流 ドジャース 日本人」).

The index is built once per registry version (how many entries, the latest change) and kept in memory,
so a check costs one small query and some set look-ups.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from moderation import textnorm
from sora_site import japanese

# Words a description may hold that do not point at anyone ("the", "famous"). "Current" is not one of
# them: "the current pope" is one man, "a pope" in a fresco is not.
_FILLER = frozenset(
    "a an the of in at on for to and who whose that which with from by as is was famous well known person man "
    "woman guy lady".split()
)
# A description in a sentence that says it is made up is not about a real person.
_FICTION = frozenset("fictional fictitious imaginary invented fantasy generic unnamed".split())
# An office described in a sentence about the past is about its holders in history ("a statue of an old
# American president"), not today's.
_PAST = frozenset("history historical historic century ancient medieval statue era".split())
_YEAR_BEFORE_2000 = re.compile(r"1[0-9]{3}")
_PAST_JA = ("歴史", "時代", "世紀", "銅像", "歴代")
_FICTION_JA = ("架空", "空想", "ファンタジー", "ふぁんたじー", "オリジナルの", "おりじなるの")
# A full stop ends a sentence before a capital or the end, not in "No. 7", "U.S. president", "Mr. Beast"
# or after an initial ("George W. Bush").
_SENTENCE_END = re.compile(
    r"(?<!\bMr)(?<!\bMs)(?<!\bDr)(?<!\bSt)(?<!\bJr)(?<!\bNo)(?<!\bMrs)(?<!\bU\.S)(?<!\b[A-Z])[.!?]+(?=\s+[A-Z\"“]|\s*$)|[!?。！？\n;；]+"
)
_JAPANESE_PUNCTUATION = re.compile(r"[・･=＝\-‐–—'’\"“”「」『』()（）]")
_WINDOW_SLACK = 4  # words of other text allowed between a description's content words
# After a folded Japanese name, a small kana or a long mark means the word goes on (メッシ in メッシュ).
_WORD_GOES_ON = frozenset("ぁぃぅぇぉっゃゅょゎー")


def latin_words(text: str) -> list[str]:
    """The Latin-script words of `text`, compared form: "U.S." and "USA" become one word, "No. 7" and
    "#7" become "number 7", accents and a plural or possessive s are dropped."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\bU\.?S\.?(?:A\.?)?(?![A-Za-z])", " usa ", text)  # case-sensitive: "us" is a pronoun
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"(?:#|\bno\.?\s*|\bnumber\s*)(\d+)", r" number \1 ", text)
    return [_stem(word) for word in re.findall(r"[a-z0-9]+", text.replace("'", "").replace("’", "")) if word != "s"]


# A country's adjective is the country ("the North Korean leader" is "the leader of North Korea").
_COUNTRY_OF = {
    "american": "usa", "america": "usa", "japanese": "japan", "korean": "korea", "russian": "russia",
    "chinese": "china", "french": "france", "german": "germany", "british": "uk", "ukrainian": "ukraine",
    "indian": "india", "israeli": "israel", "turkish": "turkey", "brazilian": "brazil",
    "argentine": "argentina", "argentinian": "argentina", "canadian": "canada", "italian": "italy",
    "mexican": "mexico", "spanish": "spain",
}  # fmt: skip


def _stem(word: str) -> str:
    if word in _COUNTRY_OF:
        return _COUNTRY_OF[word]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def folded(text: str) -> str:
    """Japanese compared form: `japanese.folded` without middle dots, dashes and quotes."""
    return _JAPANESE_PUNCTUATION.sub("", japanese.folded(text))


@dataclass(frozen=True)
class Sentence:
    words: tuple[str, ...]
    positions: dict[str, list[int]]
    padded: str  # " word word ... ": whole-word phrase containment
    folded: str
    fictional: bool
    past: bool


def sentences(text: str) -> list[Sentence]:
    out = []
    for part in _SENTENCE_END.split(text):
        words = tuple(latin_words(part))
        if not words and not japanese.has_japanese(part):
            continue
        positions: dict[str, list[int]] = {}
        for index, word in enumerate(words):
            positions.setdefault(word, []).append(index)
        part_folded = folded(part)
        fictional = bool(_FICTION.intersection(words)) or any(marker in part for marker in _FICTION_JA)
        past = (
            bool(_PAST.intersection(words))
            or any(marker in part for marker in _PAST_JA)
            or any(_YEAR_BEFORE_2000.fullmatch(word) for word in words)
            or "old" in positions
        )
        out.append(Sentence(words, positions, f" {' '.join(words)} ", part_folded, fictional, past))
    return out


@dataclass(frozen=True)
class Phrase:
    """A name or a description, compiled: Latin words, or folded Japanese terms."""

    text: str
    words: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()

    @classmethod
    def name(cls, text: str) -> Phrase | None:
        if japanese.has_japanese(text):
            term = folded(text)
            return cls(text, terms=(term,)) if term else None
        words = tuple(latin_words(text))
        return cls(text, words=words) if words else None

    @classmethod
    def description(cls, text: str) -> Phrase | None:
        if japanese.has_japanese(text):
            terms = tuple(term for term in (folded(part) for part in text.split()) if term)
            return cls(text, terms=terms) if terms else None
        words = tuple(word for word in latin_words(text) if word not in _FILLER)
        return cls(text, words=words) if words else None

    @property
    def specificity(self) -> tuple[int, int]:
        """More content words (or terms), then more characters: the more specific description."""
        parts = self.words or self.terms
        return len(parts), sum(len(part) for part in parts)

    @property
    def key(self) -> str:
        """How a name appears in `Index`'s search text: " word word " or the folded Japanese."""
        return self.terms[0] if self.terms else f" {' '.join(self.words)} "

    def named_in(self, sentence: Sentence) -> bool:
        """As whole words (Latin) or anywhere a word does not go on after it (folded Japanese)."""
        if self.terms:
            return _japanese_found(self.terms[0], sentence.folded)
        return f" {' '.join(self.words)} " in sentence.padded

    def described_in(self, sentence: Sentence) -> bool:
        """All content words close together, or all Japanese terms in the sentence; never in fiction."""
        if sentence.fictional:
            return False
        if self.terms:
            return all(_japanese_found(term, sentence.folded) for term in self.terms)
        if any(word not in sentence.positions for word in self.words):
            return False
        window = len(self.words) + _WINDOW_SLACK
        starts = sentence.positions[self.words[0]]
        others = [sentence.positions[word] for word in self.words[1:]]
        return any(all(any(abs(p - start) < window for p in places) for places in others) for start in starts)


def _japanese_found(term: str, text: str) -> bool:
    start = text.find(term)
    while start >= 0:
        end = start + len(term)
        if end == len(text) or text[end] not in _WORD_GOES_ON:
            return True
        start = text.find(term, start + 1)
    return False


@dataclass(frozen=True)
class Entry:
    figure_id: int
    name: str
    kind: str
    names: tuple[Phrase, ...]
    ambiguous: tuple[Phrase, ...]
    cues: tuple[Phrase, ...]
    descriptions: tuple[Phrase, ...]


@dataclass(frozen=True)
class Mention:
    figure_id: int
    name: str
    kind: str  # "person" or "office"
    how: str  # "name", "name_with_cue" or "description"
    phrase: str  # the registry's words that matched


class Index:
    """The registry compiled for searching: every name of every entry in one expression for Latin words
    and one for folded Japanese, descriptions looked up by their first word."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        self._named: dict[str, tuple[Entry, Phrase]] = {}
        self._ambiguous: dict[str, tuple[Entry, Phrase]] = {}
        for entry in entries:
            for phrase in entry.names:
                self._named.setdefault(phrase.key, (entry, phrase))
            for phrase in entry.ambiguous:
                self._ambiguous.setdefault(phrase.key, (entry, phrase))
        self._named_re = _alternation(self._named)
        # A full name written as one word ("barackobama", "#DonaldTrump", "B a r a c k  O b a m a" rejoined).
        self._squashed: dict[str, tuple[Entry, Phrase]] = {}
        for entry, phrase in self._named.values():
            if len(phrase.words) > 1 and len("".join(phrase.words)) >= 8:
                self._squashed.setdefault("".join(phrase.words), (entry, phrase))
        self._ambiguous_re = _alternation(self._ambiguous)
        # Latin descriptions by their first content word; Japanese ones are few and checked in turn.
        self._described: dict[str, list[tuple[Entry, Phrase]]] = {}
        self._described_ja: list[tuple[Entry, Phrase]] = []
        for entry in entries:
            for phrase in entry.descriptions:
                if phrase.terms:
                    self._described_ja.append((entry, phrase))
                else:
                    self._described.setdefault(phrase.words[0], []).append((entry, phrase))

    def search(self, texts: list[str]) -> Mention | None:
        """`find` in the texts as written, then once more with the evasions undone the way the prompt
        stage undoes them (`moderation.textnorm`: D0n@ld, Cyrillic look-alikes, "T r u m p", zero-width
        characters; Japanese keeps its script and dakuten)."""
        plain = [
            textnorm.normalise_japanese(text) if japanese.has_japanese(text) else textnorm.normalise(text)
            for text in texts
        ]
        return self.find(texts) or (self.find(plain) if plain != texts else None)

    def find(self, texts: Iterable[str]) -> Mention | None:
        """The first registry entry the texts name or describe (names before descriptions)."""
        parsed = [sentence for text in texts for sentence in sentences(text or "")]
        if not parsed:
            return None
        # Names are looked for across sentences: "\n" never occurs inside a name.
        haystack = "\n".join(f"{sentence.padded}\n{sentence.folded}" for sentence in parsed)
        for match in self._named_re.finditer(haystack) if self._named_re else ():
            entry, phrase = self._named[match.group(match.lastindex or 0)]
            return Mention(entry.figure_id, entry.name, entry.kind, "name", phrase.text)
        for sentence in parsed:
            for word in sentence.positions:
                if word in self._squashed:
                    entry, phrase = self._squashed[word]
                    return Mention(entry.figure_id, entry.name, entry.kind, "name", phrase.text)
        for match in self._ambiguous_re.finditer(haystack) if self._ambiguous_re else ():
            entry, phrase = self._ambiguous[match.group(match.lastindex or 0)]
            if any(cue.named_in(sentence) for cue in entry.cues for sentence in parsed):
                return Mention(entry.figure_id, entry.name, entry.kind, "name_with_cue", phrase.text)
        # Of the descriptions found, the most specific names the figure ("the US vice president" is not
        # "the US president"; "the first Latin American pope" is not "the first American pope").
        found: list[tuple[Entry, Phrase]] = []
        for sentence in parsed:
            if sentence.fictional:
                continue
            candidates = [pair for word in sentence.positions for pair in self._described.get(word, ())]
            if japanese.has_japanese(sentence.folded):
                candidates += self._described_ja
            found += [
                (entry, phrase)
                for entry, phrase in candidates
                if not (entry.kind == "office" and sentence.past) and phrase.described_in(sentence)
            ]
        if not found:
            return None
        entry, phrase = max(found, key=lambda pair: pair[1].specificity)
        return Mention(entry.figure_id, entry.name, entry.kind, "description", phrase.text)


def _alternation(phrases: dict[str, tuple[Entry, Phrase]]) -> re.Pattern[str] | None:
    """One expression for many names: Latin ones between spaces (whole words), Japanese ones not
    followed by a sign that the word goes on; longest first."""
    if not phrases:
        return None
    options = sorted(phrases, key=len, reverse=True)
    latin = "|".join(re.escape(key) for key in options if key.startswith(" "))
    folded_ = "|".join(re.escape(key) for key in options if not key.startswith(" "))
    goes_on = "".join(sorted(_WORD_GOES_ON))
    parts = [f"(?=({latin}))" if latin else "", f"({folded_})(?![{goes_on}])" if folded_ else ""]
    return re.compile("|".join(part for part in parts if part))


def entry_build(
    *,
    figure_id: int,
    name: str,
    kind: str,
    aliases: Iterable[str],
    ambiguous_names: Sequence[str],
    cues: Iterable[str],
    descriptions: Iterable[str],
) -> Entry:
    def compiled(texts: Iterable[str], *, description: bool = False) -> tuple[Phrase, ...]:
        phrases = (Phrase.description(t) if description else Phrase.name(t) for t in texts if t.strip())
        return tuple(p for p in phrases if p is not None)

    return Entry(
        figure_id=figure_id,
        name=name,
        kind=kind,
        # A person's own name counts as an alias, unless it is an everyday word itself (Drake, Madonna).
        names=compiled([name, *aliases] if kind == "person" and name not in ambiguous_names else aliases),
        ambiguous=compiled(ambiguous_names),
        cues=compiled(cues),
        descriptions=compiled(descriptions, description=True),
    )


_cached: tuple[tuple[object, ...], Index] | None = None
_cache_lock = threading.Lock()


def index_cached(version: tuple[object, ...], load: Callable[[], list[Entry]]) -> Index:
    """The index for this registry version, built by `load` when the version changed (one per process)."""
    global _cached
    with _cache_lock:
        if _cached is None or _cached[0] != version:
            _cached = (version, Index(load()))
        return _cached[1]
