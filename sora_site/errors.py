"""The one domain error type. `code` is stable: the web UI, the API and tests key on it."""

from __future__ import annotations


class DomainError(Exception):
    def __init__(self, code: str, message: str, *, field: str | None = None, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.status = status

    def __repr__(self) -> str:
        return f"DomainError(code={self.code!r}, message={self.message!r})"
