"""Moderation's answer to the layer below it: the media rule for case evidence frames (connected in
moderation/wiring.py)."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser

from feed.accounts.models import User
from moderation.models import CaseFrame
from moderation.selectors import user_is_moderator


def case_frame_readable(name: str, viewer: AbstractBaseUser | None) -> bool:
    """Evidence frames of moderation cases: moderators only."""
    if not name.startswith("moderation/") or not isinstance(viewer, User):
        return False
    return user_is_moderator(viewer) and CaseFrame.objects.filter(image=name).exists()
