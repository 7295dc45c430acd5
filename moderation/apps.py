from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser


def case_frame_readable(name: str, viewer: AbstractBaseUser | None) -> bool:
    """Evidence frames of moderation cases: moderators only."""
    from feed.accounts.models import User
    from moderation.models import CaseFrame
    from moderation.selectors import user_is_moderator

    if not name.startswith("moderation/") or not isinstance(viewer, User):
        return False
    return user_is_moderator(viewer) and CaseFrame.objects.filter(image=name).exists()


class ModerationConfig(AppConfig):
    name = "moderation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from sora_site.media_views import media_rule_register

        media_rule_register(case_frame_readable)
