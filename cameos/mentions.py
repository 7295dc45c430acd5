"""Which cameos a text names: @handles, and human cameos named without the @ by a distinctive full
name or handle, in Latin letters or Japanese. Used by `cameos.services.usage.cameos_for_new_job`."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from django.db.models import CharField, F, Func, Q, Value
from django.db.models.functions import Lower, Replace, StrIndex

from cameos.models import Cameo
from sora_site import japanese

MENTION_RE = re.compile(r"(?<![\w@])@([A-Za-z0-9_]{3,30})\b")


def cameos_mentioned(texts: Iterable[str]) -> list[Cameo]:
    """Cameos named as @handle in any of the texts, in order of first mention, then the cameos named
    without the @ (`cameos_named`). Plain @mentions of people without a cameo stay plain text."""
    texts = list(texts)
    handles: list[str] = []
    for text in texts:
        for match in MENTION_RE.finditer(text or ""):
            handle = match.group(1).lower()
            if handle not in handles:
                handles.append(handle)
    found = {c.handle: c for c in Cameo.objects.select_related("owner").filter(handle__in=handles)}
    mentioned = [found[h] for h in handles if h in found]
    return mentioned + [c for c in cameos_named(texts) if c.handle not in found]


_WORDS = re.compile(r"[a-z0-9_]+")
_NAME_WORDS_MAX = 4


@cache
def _common_words() -> frozenset[str]:
    """English words and common first names: the CMU pronouncing dictionary that ships in the
    pocketsphinx wheel (126k entries). Empty without it: then only names with a digit, an underscore
    or two words count."""
    try:
        import pocketsphinx
    except ImportError:
        return frozenset()
    path = Path(pocketsphinx.get_model_path()) / "en-us" / "cmudict-en-us.dict"
    with path.open(encoding="utf-8", errors="replace") as handle:
        return frozenset(line.split(" ", 1)[0].split("(", 1)[0] for line in handle)


def _distinctive(name: str) -> bool:
    """A name that points at one person: several words ("Alice Liddell"), or one that is not an
    ordinary word or first name ("bob" is not; "bobthebuilder99" is)."""
    words = _WORDS.findall(name.lower())
    if len(words) >= 2:
        return True
    if not words:
        return False
    word = words[0]
    common = _common_words()
    return bool(re.search(r"[0-9_]", word)) or (bool(common) and word not in common)


def cameos_named(texts: Iterable[str]) -> list[Cameo]:
    """Human cameos named without the @: by their owner's full display name or by their handle, when
    that name is distinctive (a common first name alone is not). Such a prompt uses the cameo."""
    texts = [text or "" for text in texts]
    named = _named_in_words(texts)
    return named + [cameo for cameo in _named_in_japanese(texts) if cameo not in named]


def _named_in_words(texts: list[str]) -> list[Cameo]:
    """Names and handles in Latin letters, matched word by word ("alice liddell", "zoe_k99")."""
    words = [w for text in texts for w in _WORDS.findall(text.lower())]
    phrases = {" ".join(words[i : i + n]) for n in range(1, _NAME_WORDS_MAX + 1) for i in range(len(words) - n + 1)}
    if not phrases:
        return []
    candidates = (
        Cameo.objects.select_related("owner")
        .annotate(owner_name=Lower("owner__display_name"))
        .filter(kind=Cameo.Kind.HUMAN)
        .filter(Q(handle__in=set(words)) | Q(owner_name__in=phrases))
        .order_by("handle")
    )
    named: list[Cameo] = []
    for cameo in candidates:
        display = " ".join(_WORDS.findall(cameo.owner.display_name.lower()))
        by_handle = cameo.handle in words and _distinctive(cameo.handle)
        by_name = bool(display) and display in phrases and _distinctive(display)
        if by_handle or by_name:
            named.append(cameo)
    return named


def _distinctive_japanese(name: str) -> bool:
    """A Japanese name that points at one person: a family and a given name (山田花子, 山田ハナコ), or
    several words of five characters or more. One word, with or without an honorific (花子, 佐藤,
    さくら, 花子さん), is not; nor is a short name that the tokenizer cuts into pieces (ゆうき)."""
    words = [
        (surface, pos)
        for surface, _, pos in japanese.tagged(unicodedata.normalize("NFKC", name).replace(" ", ""))
        if pos[1] != "接尾"
    ]
    if len(words) < 2:
        return False
    return any("人名" in pos for _, pos in words) or sum(len(surface) for surface, _ in words) >= 5


def name_folded(field: str) -> Func:
    """`japanese.folded` of a name column, in SQL (PostgreSQL's NORMALIZE and TRANSLATE)."""
    nfkc = Func(F(field), template="NORMALIZE(%(expressions)s, NFKC)", output_field=CharField())
    hiragana = Func(
        Lower(nfkc), Value(japanese.KATAKANA), Value(japanese.HIRAGANA), function="TRANSLATE", output_field=CharField()
    )
    return Replace(hiragana, Value(" "), Value(""))


def _named_in_japanese(texts: list[str]) -> list[Cameo]:
    """Japanese display names, which have no spaces between words: found anywhere in the texts, in
    either kana script, full or half width, with or without a space (山田花子 in 「山田花子が踊る」).
    The display names are folded by the database: one scan of the human cameos with a Japanese name."""
    folded = "\n".join(japanese.folded(text) for text in texts if japanese.has_japanese(text))
    if not folded:
        return []
    candidates = (
        Cameo.objects.select_related("owner")
        .filter(kind=Cameo.Kind.HUMAN, owner__display_name__regex=japanese.JAPANESE_CHARACTER)
        .annotate(folded_name=name_folded("owner__display_name"))
        .annotate(found_at=StrIndex(Value(folded), F("folded_name")))
        .filter(found_at__gt=0)
        .order_by("handle")
    )
    return [cameo for cameo in candidates if _distinctive_japanese(cameo.owner.display_name)]
