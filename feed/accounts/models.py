"""Accounts: the user (whose username is the public @handle) and invite codes."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

handle_validator = RegexValidator(
    r"^[a-z0-9_]{3,30}$",
    _("Handles are 3-30 characters: lowercase letters, digits and underscores."),
    code="invalid_handle",
)


def age_on(birth_date: dt.date, today: dt.date) -> int:
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


class User(AbstractUser):
    """An account. `username` is the public @handle."""

    username = models.CharField(
        max_length=30,
        unique=True,
        validators=[handle_validator],
        error_messages={"unique": _("That handle is taken.")},
    )
    display_name = models.CharField(max_length=50, blank=True)
    bio = models.CharField(max_length=300, blank=True)
    avatar = models.ImageField(upload_to="avatars/", blank=True)
    birth_date = models.DateField(null=True)  # null only for superusers made with createsuperuser
    is_moderator = models.BooleanField(default=False)
    # The interface language; blank follows the browser's (sora_site.middleware.UserLanguageMiddleware).
    language = models.CharField(max_length=8, blank=True, choices=settings.LANGUAGES)
    # Set by a moderator: the profile (name, bio, picture, videos) is hidden from everyone but its owner.
    profile_hidden_at = models.DateTimeField(null=True, blank=True)
    profile_hidden_reason = models.CharField(max_length=300, blank=True)

    REQUIRED_FIELDS: ClassVar[list[str]] = []

    @property
    def handle(self) -> str:
        return self.username

    @property
    def name(self) -> str:
        return self.display_name or self.username

    @property
    def is_teen(self) -> bool:
        if self.birth_date is None:
            return False
        return age_on(self.birth_date, timezone.localdate()) < settings.ADULT_AGE


class InviteCode(models.Model):
    """Admin-issued codes; required at sign-up when settings.INVITE_ONLY is on."""

    code = models.CharField(max_length=32, unique=True)
    max_uses = models.PositiveIntegerField(default=1)
    uses = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(uses__lte=F("max_uses")), name="invite_uses_within_max")]

    def __str__(self) -> str:
        return f"{self.code} ({self.uses}/{self.max_uses})"
