"""Search terms for English and Japanese text, for PostgreSQL full-text search with the 'simple'
configuration (no stemming, no stop words: the terms are made here, the same way for documents and
queries).

Latin words are lower-cased (NFKC first, so full-width ＡＢＣ is abc). Japanese has no spaces, so each run
of kana and kanji is split by janome (its dictionary ships in its wheel) into words, particles and
auxiliaries dropped; each word gives its surface form and its base form (走った -> 走っ, 走る), katakana
folded to hiragana so ネコ finds ねこ.
"""

from __future__ import annotations

import re
import unicodedata

from sora_site.japanese import JAPANESE_CHARACTER, japanese_tokens, to_hiragana

_JAPANESE_RUN = re.compile(JAPANESE_CHARACTER + "+")
_LATIN_WORD = re.compile(r"[^\W_]+")  # after the Japanese runs are cut out: letters and digits
_HASHTAG = re.compile(r"(?<![\w#])#([^\W_][\w]{0,49})")
_SKIPPED = ("記号", "助詞", "助動詞")  # symbols, particles (が, を), auxiliaries (です, た)
TERMS_MAX = 400  # a caption of 2,200 characters and a prompt: enough for both


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def search_terms(text: str, *, bases_only: bool = False) -> list[str]:
    """The terms of `text`, in order, each once. A document keeps each Japanese word's surface and base
    form; a query (`bases_only`) asks for its base form, which the document holds whatever the
    inflection on either side (走った finds 走ります)."""
    text = _normal(text)
    terms: list[str] = []
    for run in _JAPANESE_RUN.findall(text):
        for surface, base, pos, _ in japanese_tokens(run):
            if pos.startswith(_SKIPPED):
                continue
            if not bases_only:
                terms.append(to_hiragana(surface))
            terms.append(to_hiragana(base))
    terms += _LATIN_WORD.findall(_JAPANESE_RUN.sub(" ", text))
    return list(dict.fromkeys(term for term in terms if term))[:TERMS_MAX]


def hashtags(text: str) -> list[str]:
    """The #tags of a caption, lower-cased, each once (#猫 and #Kite both count)."""
    return list(dict.fromkeys(tag.lower() for tag in _HASHTAG.findall(_normal(text))))


def tsquery(text: str, *, prefix: bool) -> str:
    """A raw tsquery matching every term of `text` ('' when it has none); with `prefix`, the last term
    also matches words it starts (typeahead: "kit" finds "kite")."""
    terms = search_terms(text, bases_only=True)
    if not terms:
        return ""
    quoted = ["'" + term.replace("'", "''").replace("\\", "\\\\") + "'" for term in terms]
    if prefix and not _JAPANESE_RUN.search(terms[-1]):  # a Japanese word is whole once janome split it
        quoted[-1] += ":*"
    return " & ".join(quoted)
