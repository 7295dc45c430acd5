"""Writes for accounts: sign-up, invite codes, profiles."""

from __future__ import annotations

import datetime as dt
import io
import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from feed.accounts.models import InviteCode, User, age_on, handle_validator
from sora_site.errors import DomainError
from sora_site.images import cover_crop, image_open_checked
from sora_site.texts import Sentence, sentence_columns
from sora_site.timezones import time_zone_valid

AVATAR_SIZE = 512
AVATAR_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")


def user_sign_up(
    *,
    username: str,
    password: str,
    birth_date: dt.date,
    display_name: str = "",
    invite_code: str = "",
    today: dt.date | None = None,
    browser_language: str = "",
    time_zone: str = "",
) -> User:
    """A new account; `browser_language` and `time_zone` are what their browser asked for (blank settings
    follow them), so what they are told before their next visit is in their language and zone."""
    username = username.strip().lower()
    try:
        handle_validator(username)
    except ValidationError as exc:
        raise DomainError("invalid_handle", exc.messages[0], field="username") from None
    today = today or timezone.localdate()
    if birth_date > today:
        raise DomainError("invalid_birth_date", _("Birth date cannot be in the future."), field="birth_date")
    if age_on(birth_date, today) < settings.MINIMUM_AGE:
        raise DomainError(
            "under_minimum_age",
            _("You must be at least %(age)d years old to use this app.") % {"age": settings.MINIMUM_AGE},
            field="birth_date",
        )
    candidate = User(
        username=username,
        birth_date=birth_date,
        display_name=display_name.strip(),
        browser_language=browser_language if browser_language in dict(settings.LANGUAGES) else "",
        browser_time_zone=time_zone if time_zone_valid(time_zone) else "",
    )
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        raise DomainError("weak_password", " ".join(exc.messages), field="password") from None

    with transaction.atomic():
        if settings.INVITE_ONLY or invite_code:
            _invite_redeem(invite_code)
        if User.objects.filter(username=username).exists():
            raise DomainError("handle_taken", _("That handle is taken."), field="username")
        candidate.set_password(password)
        try:
            with transaction.atomic():
                candidate.save()
        except IntegrityError:  # a concurrent sign-up won the race for this handle
            raise DomainError("handle_taken", _("That handle is taken."), field="username") from None
    return candidate


def _invite_redeem(code: str) -> None:
    code = code.strip()
    if not code:
        raise DomainError("invite_required", _("Sign-up needs an invite code right now."), field="invite_code")
    # The conditional UPDATE makes redemption safe under concurrent sign-ups.
    redeemed = (
        InviteCode.objects.filter(code=code, uses__lt=F("max_uses"))
        .exclude(expires_at__lt=timezone.now())
        .update(uses=F("uses") + 1)
    )
    if redeemed != 1:
        raise DomainError(
            "invite_invalid", _("That invite code is not valid or has been used up."), field="invite_code"
        )


def invite_code_create(
    *, created_by: User | None, max_uses: int = 1, expires_at: dt.datetime | None = None
) -> InviteCode:
    if max_uses < 1:
        raise DomainError("invalid_max_uses", _("An invite code needs at least one use."))
    return InviteCode.objects.create(
        code=secrets.token_urlsafe(9), max_uses=max_uses, expires_at=expires_at, created_by=created_by
    )


def profile_update(
    *,
    user: User,
    display_name: str,
    bio: str,
    avatar: UploadedFile | None = None,
    language: str | None = None,
    time_zone: str | None = None,
) -> User:
    """`language`: one of settings.LANGUAGES, "" to follow the browser, None to leave it as it is;
    `time_zone` the same, an IANA zone name."""
    if language and language not in dict(settings.LANGUAGES):
        raise DomainError("invalid_language", _("That language is not available."), field="language")
    if time_zone and not time_zone_valid(time_zone):
        raise DomainError("invalid_time_zone", _("That time zone is not known."), field="time_zone")
    if time_zone is not None:
        user.time_zone = time_zone
    user.display_name = display_name.strip()[:50]
    user.bio = bio.strip()[:300]
    if language is not None:
        user.language = language
    if avatar is not None:
        old_name = user.avatar.name if user.avatar else ""
        user.avatar.save(f"{user.pk}-{secrets.token_hex(4)}.webp", ContentFile(_avatar_normalise(avatar)), save=False)
        if old_name:
            user.avatar.storage.delete(old_name)
    user.save(update_fields=["display_name", "bio", "avatar", "language", "time_zone"])
    return user


def _avatar_normalise(upload: UploadedFile) -> bytes:
    """Crop square and re-encode as WebP: drops metadata (EXIF GPS) and anything smuggled in the file."""
    image = image_open_checked(
        upload,
        formats=AVATAR_FORMATS,
        max_bytes=settings.AVATAR_MAX_BYTES,
        max_pixels=settings.AVATAR_MAX_PIXELS,
        code_prefix="avatar",
        field="avatar",
    )
    square = cover_crop(image, AVATAR_SIZE, AVATAR_SIZE)
    out = io.BytesIO()
    square.save(out, "WEBP", quality=85)
    return out.getvalue()


def profile_hidden_set(*, user: User, hidden: bool, reason: str | Sentence = "") -> None:
    """A moderator hides a profile (its name, bio, picture and videos) from everyone but its owner, who
    sees why (in their language), or shows it again."""
    user.profile_hidden_at = timezone.now() if hidden else None
    user.profile_hidden_reason, user.profile_hidden_sentence = sentence_columns(reason if hidden else "", 300)
    user.save(update_fields=["profile_hidden_at", "profile_hidden_reason", "profile_hidden_sentence"])
