"""Sentences a person reads later, stored as a stable code and its parameters, written when shown.

A notification, a draft's failure, a hidden post's reason is read hours later, by someone whose language
and time zone are not those of whoever (or whichever worker) caused it. So such a sentence is kept as
`{"code": ..., "params": {...}}` (JSON) and rendered at display time, in the reader's language and zone:

    FOLLOWED = sentence("followed", gettext_lazy("@{handle} started following you."))
    note = FOLLOWED(handle="bob")      # a Sentence: str(note) renders it in the active language
    note.as_json()                     # {"code": "followed", "params": {"handle": "bob"}}
    sentence_render(stored, fallback)  # the stored JSON, in the active language

Parameters are JSON values, other sentences (nested), datetimes and dates (written in the reader's zone
and format), or lazy catalog labels (`gettext_lazy`, kept by their English msgid and translated when
shown). The codes are defined beside the code that says them (each app's modules, loaded by its wiring);
a code nobody defines any more is shown by the text stored with it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext

_TEMPLATES: dict[str, Promise] = {}


class Sentence:
    """One sentence of the catalog with its parameters; `str()` writes it in the active language."""

    def __init__(self, code: str, params: Mapping[str, Any]) -> None:
        self.code = code
        self.params = dict(params)

    @classmethod
    def stored(cls, stored: Mapping[str, Any]) -> Sentence:
        """A sentence back from its JSON (to store it again elsewhere, unchanged)."""
        return cls(stored.get("code", ""), stored.get("params") or {})

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "params": {name: _param_json(value) for name, value in self.params.items()}}

    def __str__(self) -> str:
        return sentence_render(self.as_json())

    def __repr__(self) -> str:
        return f"Sentence({self.code!r}, {self.params!r})"


class SentenceTemplate:
    """A code and its catalog sentence (`{name}` placeholders); calling it makes a Sentence."""

    def __init__(self, code: str, template: Promise) -> None:
        self.code = code
        self.template = template

    def __call__(self, **params: Any) -> Sentence:
        return Sentence(self.code, params)


def sentence(code: str, template: Promise) -> SentenceTemplate:
    """Defines `code` (once; a second, different definition is a programming error)."""
    known = _TEMPLATES.setdefault(code, template)
    if known is not template and _english(known) != _english(template):
        raise ValueError(f"sentence code {code!r} is defined twice with different text")
    return SentenceTemplate(code, template)


def sentence_render(stored: Mapping[str, Any] | None, fallback: str = "") -> str:
    """A stored sentence in the active language; `fallback` (the text stored beside it) when it is empty,
    its code is unknown or its parameters no longer fit the sentence."""
    if not stored or stored.get("code") not in _TEMPLATES:
        return fallback
    params = {name: _param_text(value) for name, value in (stored.get("params") or {}).items()}
    try:
        return str(_TEMPLATES[stored["code"]]).format(**params)
    except (KeyError, IndexError, ValueError):
        return fallback


def sentence_in(language: str, text: Sentence | Promise | str) -> str:
    """`text` written in `language` (for what is sent out or stored as the fallback)."""
    with translation.override(language):
        return str(text)


def sentence_columns(text: Sentence | str, limit: int) -> tuple[str, dict[str, Any]]:
    """What a row keeps of `text`: its English (at most `limit` characters; what an API answers and old
    readers show) and, for a Sentence, its code and parameters (empty for free text, shown as it is)."""
    english = sentence_in("en", text)[:limit]
    return english, text.as_json() if isinstance(text, Sentence) else {}


def _english(text: Promise) -> str:
    with translation.override("en"):
        return str(text)


def _param_json(value: Any) -> Any:
    if isinstance(value, Sentence):
        return {"sentence": value.as_json()}
    if isinstance(value, dt.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if isinstance(value, Promise):  # a lazy catalog label: kept by its English msgid
        return {"msgid": _english(value)}
    if value is None or isinstance(value, bool | int | float | str | dict | list):
        return value  # a dict is a parameter already in its stored form (Sentence.stored)
    return str(value)


def _param_text(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    if "sentence" in value:
        return sentence_render(value["sentence"])
    if "datetime" in value:
        moment = dt.datetime.fromisoformat(value["datetime"])
        return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")
    if "date" in value:
        return formats.date_format(dt.date.fromisoformat(value["date"]), "DATE_FORMAT")
    if "msgid" in value:
        return gettext(value["msgid"])
    return str(value)
