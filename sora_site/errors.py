"""The one domain error type. `code` is stable: the web UI, the API and tests key on it."""

from __future__ import annotations

from sora_site.texts import Sentence


class DomainError(Exception):
    """`message` is said now, in the active language; given as a Sentence, it is also kept as one
    (`sentence`), so what is stored of it (a failed job's reason) is written in its reader's language."""

    def __init__(self, code: str, message: str | Sentence, *, field: str | None = None, status: int = 400) -> None:
        self.sentence = message if isinstance(message, Sentence) else None
        text = str(message)
        super().__init__(text)
        self.code = code
        self.message = text
        self.field = field
        self.status = status

    def __repr__(self) -> str:
        return f"DomainError(code={self.code!r}, message={self.message!r})"
