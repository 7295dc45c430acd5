from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser


def held_cameos(subject_ids: Sequence[str]) -> Mapping[str, object]:
    """The cameos of a page of moderation cases, with their portraits (what the queue shows)."""
    from cameos.models import Cameo

    pks = [int(i) for i in subject_ids if i.isdigit()]
    return {str(cameo.pk): cameo for cameo in Cameo.objects.filter(pk__in=pks).prefetch_related("portraits")}


def public_figure_photo_readable(name: str, viewer: AbstractBaseUser | None) -> bool:
    """Registry photos of public figures: moderators only."""
    from cameos.models import PublicFigurePhoto
    from feed.accounts.models import User
    from moderation.selectors import user_is_moderator

    if not name.startswith("public_figures/") or not isinstance(viewer, User) or not user_is_moderator(viewer):
        return False
    return PublicFigurePhoto.objects.filter(image=name).exists()


class CameosConfig(AppConfig):
    name = "cameos"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Moderation sits below cameos: held cameos reach its queue through its subject registry."""
        from cameos import tasks  # noqa: F401  (registers the tasks in every process: they are queued by name)
        from cameos.services import cameo_review_decide
        from moderation.registry import SubjectType, subject_type_register
        from sora_site.media_views import media_rule_register

        media_rule_register(public_figure_photo_readable)

        subject_type_register(
            SubjectType(
                name="cameo",
                load=held_cameos,
                template="cameos/_moderation_subject.html",
                decide=cameo_review_decide,
                approve_label="Approve cameo",
                reject_label="Reject and erase",
            )
        )
