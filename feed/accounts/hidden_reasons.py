"""Why a profile, a comment or a post is hidden from everyone but its owner, as sentences
(sora_site.texts) its owner reads in their language; a moderator's own words go inside as they were typed."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sora_site.texts import Sentence, sentence

_HIDDEN = sentence("hidden_in_review", _("Hidden while a moderator reviews it"))
_HIDDEN_BECAUSE = sentence("hidden_in_review_because", _("Hidden while a moderator reviews it: {reason}"))
_REMOVED = sentence("removed_by_moderator", _("Removed by a moderator"))
_REMOVED_BECAUSE = sentence("removed_by_moderator_because", _("Removed by a moderator: {reason}"))


def moderation_reason(visibility: str, reason: str) -> Sentence | None:
    """What its owner is told for a moderator's `visibility` ("hidden", "removed"; None for "visible")."""
    if visibility == "hidden":
        return _HIDDEN_BECAUSE(reason=reason) if reason else _HIDDEN()
    if visibility == "removed":
        return _REMOVED_BECAUSE(reason=reason) if reason else _REMOVED()
    return None
