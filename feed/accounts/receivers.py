"""The "profile" moderation subject (registered in feed/wiring.py): accounts sit below moderation,
so these only answer its registry's calls and import nothing of it. A profile's subject id is the
user's pk."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from feed.accounts.hidden_reasons import moderation_reason
from feed.accounts.models import User
from feed.accounts.services import profile_hidden_set


def reported_profiles(subject_ids: Sequence[str]) -> Mapping[str, object]:
    pks = [int(i) for i in subject_ids if i.isdigit()]
    return {str(user.pk): user for user in User.objects.filter(pk__in=pks)}


def profile_owner(subject_id: str) -> User | None:
    return User.objects.filter(pk=int(subject_id)).first() if subject_id.isdigit() else None


def profile_moderation_show(*, subject_id: str, visibility: str, reason: str, by: User) -> None:
    """Hide or remove: the profile is hidden from others (the account stays; banning it is a sanction);
    visible: shown again."""
    user = profile_owner(subject_id)
    if user is None:
        return
    said = moderation_reason(visibility, reason)
    profile_hidden_set(user=user, hidden=said is not None, reason=said or "")
