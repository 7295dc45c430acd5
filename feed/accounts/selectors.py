"""Reads for accounts."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest
from django.utils.translation import gettext

from feed.accounts.models import User
from sora_site.errors import DomainError


def user_get_by_handle(handle: str) -> User:
    try:
        return User.objects.get(username=handle.lower(), is_active=True)
    except User.DoesNotExist:
        raise DomainError(
            "user_not_found", gettext("There is no account @%(handle)s.") % {"handle": handle}, status=404
        ) from None


def signed_in_user(request: HttpRequest) -> User:
    """The account behind a request that `login_required` let through."""
    user = request.user
    if not isinstance(user, User):
        raise DomainError("not_signed_in", gettext("Sign in first."), status=401)
    return user


def viewer_of(request: HttpRequest) -> User | None:
    """The signed-in account, or None for a visitor."""
    return request.user if isinstance(request.user, User) else None


def avatar_readable(name: str, viewer: AbstractBaseUser | None) -> bool:
    """Avatars are public (a media rule, registered in FeedConfig.ready)."""
    return name.startswith("avatars/")
