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

from sora_site.texts import sentence_render

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
        _("Handle"),
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
    # The browser's language, recorded at sign-up and on later visits while `language` is blank: what is
    # written to them while they are away (a pushed notification) is in the language they read.
    browser_language = models.CharField(max_length=8, blank=True, choices=settings.LANGUAGES)
    # IANA zone (e.g. "Asia/Tokyo") for dates, times and the daily limits' midnight; blank follows the
    # browser's, recorded as it last reported it (static/js/app.js sets the `tz` cookie; read by
    # sora_site.middleware.UserTimeZoneMiddleware), for what is computed or sent while they are away.
    time_zone = models.CharField(max_length=64, blank=True)
    browser_time_zone = models.CharField(max_length=64, blank=True)
    # Set by a moderator: the profile (name, bio, picture, videos) is hidden from everyone but its owner.
    profile_hidden_at = models.DateTimeField(null=True, blank=True)
    profile_hidden_reason = models.CharField(max_length=300, blank=True)  # English; rows from before sentences
    profile_hidden_sentence = models.JSONField(default=dict, blank=True)  # the reason as code + parameters

    REQUIRED_FIELDS: ClassVar[list[str]] = []

    @property
    def handle(self) -> str:
        return self.username

    @property
    def name(self) -> str:
        return self.display_name or self.username

    @property
    def profile_hidden_text(self) -> str:
        """Why the profile is hidden, in the active language."""
        return sentence_render(self.profile_hidden_sentence, self.profile_hidden_reason)

    @property
    def zone_name(self) -> str:
        """Their time zone: the one they chose, else their browser's ("" when neither is known: UTC)."""
        return self.time_zone or self.browser_time_zone

    @property
    def reading_language(self) -> str:
        """The language to write to them in when they are not the one asking (notifications sent out)."""
        return self.language or self.browser_language or settings.LANGUAGE_CODE

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
