"""Cameos' answers to the layers below them: moderation's "cameo" subject and the media rule for
public-figure photos (connected in cameos/wiring.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.contrib.auth.base_user import AbstractBaseUser

from cameos.models import Cameo, PublicFigurePhoto
from feed.accounts.models import User
from moderation.selectors import user_is_moderator


def held_cameos(subject_ids: Sequence[str]) -> Mapping[str, object]:
    """The cameos of a page of moderation cases, with their portraits (what the queue shows)."""
    pks = [int(i) for i in subject_ids if i.isdigit()]
    return {str(cameo.pk): cameo for cameo in Cameo.objects.filter(pk__in=pks).prefetch_related("portraits")}


def public_figure_photo_readable(name: str, viewer: AbstractBaseUser | None) -> bool:
    """Registry photos of public figures: moderators only."""
    if not name.startswith("public_figures/") or not isinstance(viewer, User) or not user_is_moderator(viewer):
        return False
    return PublicFigurePhoto.objects.filter(image=name).exists()
