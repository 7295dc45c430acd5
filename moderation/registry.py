"""The kinds of subject moderation can show and settle.

Moderation sits below the apps whose things it reviews (cameos, generation, the feed's posts) and never
imports them. Each of those registers its subject type here from its `AppConfig.ready()`: how to load
the subjects of a page of cases, how to show one in the queue, what approving or rejecting one does,
and (optionally) how to hide, remove or show it again and whose it is.
A case whose subject type nobody registered (its app was removed from INSTALLED_APPS) is shown by its summary alone
and is just closed when a moderator decides it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from feed.accounts.models import User

# Subject ids (as stored on the case) -> the subjects that still exist, keyed by the same ids.
SubjectLoad = Callable[[Sequence[str]], Mapping[str, object]]


class SubjectDecide(Protocol):
    """Applies a moderator's decision to the subject. Runs inside `case_decide`'s transaction (with the
    case row locked), before the decision event is recorded: raising a DomainError undoes both."""

    def __call__(self, *, subject_id: str, approve: bool, by: User) -> None: ...


class SubjectAct(Protocol):
    """Shows, hides (from everyone but its owner) or removes the subject; `visibility` is one of
    `ModerationCase.Visibility`. Runs inside the moderator action's transaction, like `decide`."""

    def __call__(self, *, subject_id: str, visibility: str, reason: str, by: User) -> None: ...


# The account a subject belongs to (who is told of actions and may appeal them); None if it is gone.
SubjectOwner = Callable[[str], "User | None"]


@dataclass(frozen=True)
class SubjectType:
    name: str  # the cases' `subject_type`, e.g. "cameo"
    load: SubjectLoad
    template: str  # a partial showing one subject in the queue; its context has `case` and `subject`
    decide: SubjectDecide
    approve_label: str = "Approve"
    reject_label: str = "Reject"
    act: SubjectAct | None = None  # None: this subject can only be approved or rejected
    owner: SubjectOwner | None = None  # None: actions on people (strike, suspend...) are not offered


_subject_types: dict[str, SubjectType] = {}


def subject_type_register(subject_type: SubjectType) -> None:
    """Registering the same name again replaces the entry (so a repeated `ready()` is harmless)."""
    _subject_types[subject_type.name] = subject_type


def subject_type_get(name: str) -> SubjectType | None:
    return _subject_types.get(name)
