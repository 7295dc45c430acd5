"""Cameos' answers to the layers below them: moderation's "cameo" and "figure_request" subjects and
the media rule for public-figure photos (connected in cameos/wiring.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.contrib.auth.base_user import AbstractBaseUser

from cameos.models import Cameo, PublicFigurePhoto, PublicFigureRequest
from feed.accounts.models import User
from moderation.selectors import user_is_moderator


def held_cameos(subject_ids: Sequence[str]) -> Mapping[str, object]:
    """The cameos of a page of moderation cases, with their portraits (what the queue shows)."""
    pks = [int(i) for i in subject_ids if i.isdigit()]
    return {str(cameo.pk): cameo for cameo in Cameo.objects.filter(pk__in=pks).prefetch_related("portraits")}


def figure_requests(subject_ids: Sequence[str]) -> Mapping[str, object]:
    """The requests to be added to the public-figure registry of a page of moderation cases."""
    pks = [int(i) for i in subject_ids if i.isdigit()]
    return {str(request.pk): request for request in PublicFigureRequest.objects.filter(pk__in=pks)}


def public_figure_photo_readable(name: str, viewer: AbstractBaseUser | None) -> bool:
    """Registry photos of public figures, and the photos sent with requests to be added: moderators only."""
    if not name.startswith(("public_figures/", "figure_requests/")):
        return False
    if not isinstance(viewer, User) or not user_is_moderator(viewer):
        return False
    if name.startswith("figure_requests/"):
        return PublicFigureRequest.objects.filter(photo=name).exists()
    return PublicFigurePhoto.objects.filter(image=name).exists()
