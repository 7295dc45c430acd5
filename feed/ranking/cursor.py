"""The feed's cursor: signed, so a client cannot forge it, and stable, so no post comes twice.

For You: the ids already served in this scroll session (the newest SERVED_MAX) and how many items
were shown since the session began (for the "take a break" card). Each page re-ranks what is left, so
steering and "not interested" apply to the very next page. Following: a keyset (created_at, id).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core import signing

SALT = "feed.cursor"
SERVED_MAX = 400


@dataclass
class Cursor:
    tab: str = "foryou"
    served: list[int] = field(default_factory=list)
    shown: int = 0  # items shown in this continuous session
    before: tuple[str, int] | None = None  # Following: (created_at ISO, id) of the last item

    def encode(self) -> str:
        payload = {"t": self.tab, "s": self.served[-SERVED_MAX:], "n": self.shown, "b": self.before}
        return signing.dumps(payload, salt=SALT, compress=True)

    @property
    def before_key(self) -> tuple[dt.datetime, int] | None:
        if self.before is None:
            return None
        return dt.datetime.fromisoformat(self.before[0]), self.before[1]


def cursor_decode(raw: str, *, tab: str) -> Cursor:
    """A fresh cursor for an empty, forged, or other tab's cursor (the feed starts over, nothing breaks)."""
    if not raw:
        return Cursor(tab=tab)
    try:
        payload = signing.loads(raw, salt=SALT)
        served = [int(pk) for pk in payload.get("s", [])][-SERVED_MAX:]
        before = payload.get("b")
        cursor = Cursor(
            tab=str(payload["t"]),
            served=served,
            shown=max(0, int(payload.get("n", 0))),
            before=(str(before[0]), int(before[1])) if before else None,
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError, IndexError):
        return Cursor(tab=tab)
    return cursor if cursor.tab == tab else Cursor(tab=tab)
