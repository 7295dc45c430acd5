"""The kinds of subject moderation can show and settle.

Moderation sits below the apps whose things it reviews (cameos, generation, the feed's posts) and never
imports them. Each of those registers its subject type here from its `wiring.connect()` (run by its
`AppConfig.ready()`): how to load the subjects of a page of cases, how to show one in the queue, what
showing, removing (and, where it can be, hiding) one does, and (optionally) whose it is.
A case whose subject type nobody registered (its app was removed from INSTALLED_APPS) is shown by its
summary alone and is just closed when a moderator decides it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

if TYPE_CHECKING:
    from feed.accounts.models import User

# Subject ids (as stored on the case) -> the subjects that still exist, keyed by the same ids.
SubjectLoad = Callable[[Sequence[str]], Mapping[str, object]]


class SubjectShow(Protocol):
    """Applies a moderator's decision to the subject: `visibility` is one of `ModerationCase.Visibility`:
    visible (approved, or shown again after an upheld appeal), hidden (from everyone but its owner;
    asked only of a `hideable` type) or removed. `reason` is the moderator's ("" if they gave none).
    Runs inside `moderation.cases.case_act`'s transaction (or `appeal_decide`'s) with the case row
    locked, before the event is recorded: raising a DomainError undoes both."""

    def __call__(self, *, subject_id: str, visibility: str, reason: str, by: User) -> None: ...


# The account a subject belongs to (who is told of actions and may appeal them); None if it is gone.
SubjectOwner = Callable[[str], "User | None"]


@dataclass(frozen=True)
class SubjectType:
    name: str  # the cases' `subject_type`, e.g. "cameo"
    load: SubjectLoad
    template: str  # a partial showing one subject in the queue; its context has `case` and `subject`
    show: SubjectShow
    # The queue's quick buttons: approve, and take_down (removed, no sanction); translated when shown.
    approve_label: str | Promise = pgettext_lazy("moderation queue button", "Approve")
    reject_label: str | Promise = pgettext_lazy("moderation queue button", "Reject")
    hideable: bool = False  # False: this subject can only be shown or removed
    owner: SubjectOwner | None = None  # None: actions on people (strike, suspend...) are not offered


_subject_types: dict[str, SubjectType] = {}


def subject_type_register(subject_type: SubjectType) -> None:
    """Registering the same name again replaces the entry (so a repeated `ready()` is harmless)."""
    _subject_types[subject_type.name] = subject_type


def subject_type_get(name: str) -> SubjectType | None:
    return _subject_types.get(name)
