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


def figure_requests(subject_ids: Sequence[str]) -> Mapping[str, object]:
    """The requests to be added to the public-figure registry of a page of moderation cases."""
    from cameos.models import PublicFigureRequest

    pks = [int(i) for i in subject_ids if i.isdigit()]
    return {str(request.pk): request for request in PublicFigureRequest.objects.filter(pk__in=pks)}


def public_figure_photo_readable(name: str, viewer: AbstractBaseUser | None) -> bool:
    """Registry photos of public figures, and the photos sent with requests to be added: moderators only."""
    from cameos.models import PublicFigurePhoto, PublicFigureRequest
    from feed.accounts.models import User
    from moderation.selectors import user_is_moderator

    if not name.startswith(("public_figures/", "figure_requests/")):
        return False
    if not isinstance(viewer, User) or not user_is_moderator(viewer):
        return False
    if name.startswith("figure_requests/"):
        return PublicFigureRequest.objects.filter(photo=name).exists()
    return PublicFigurePhoto.objects.filter(image=name).exists()


class CameosConfig(AppConfig):
    name = "cameos"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Moderation sits below cameos: held cameos reach its queue through its subject registry."""
        from cameos.services import FIGURE_REQUEST_SUBJECT, cameo_review_decide, public_figure_request_decide
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
        subject_type_register(
            SubjectType(
                name=FIGURE_REQUEST_SUBJECT,
                load=figure_requests,
                template="cameos/_figure_request_subject.html",
                decide=public_figure_request_decide,
                approve_label="Add to the registry",
                reject_label="Decline",
            )
        )
