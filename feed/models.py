from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

handle_validator = RegexValidator(
    r"^[a-z0-9_]{3,30}$",
    "Handles are 3-30 characters: lowercase letters, digits and underscores.",
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
        error_messages={"unique": "That handle is taken."},
    )
    display_name = models.CharField(max_length=50, blank=True)
    bio = models.CharField(max_length=300, blank=True)
    avatar = models.ImageField(upload_to="avatars/", blank=True)
    birth_date = models.DateField(null=True)  # null only for superusers made with createsuperuser
    is_moderator = models.BooleanField(default=False)

    REQUIRED_FIELDS: list[str] = []

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


class Follow(models.Model):
    follower = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="following_edges")
    followee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follower_edges")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "followee"], name="follow_once"),
            models.CheckConstraint(condition=~Q(follower=F("followee")), name="follow_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.follower_id} follows {self.followee_id}"


class Block(models.Model):
    blocker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocking_edges")
    blocked = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocked_by_edges")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_once"),
            models.CheckConstraint(condition=~Q(blocker=F("blocked")), name="block_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"


class Post(models.Model):
    """A published video. Drafts live in generation until their owner posts them."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public"
        UNLISTED = "unlisted", "Unlisted (anyone with the link)"
        PRIVATE = "private", "Only me"

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts")
    video = models.FileField(upload_to="posts/%Y/%m/")
    poster = models.ImageField(upload_to="posters/%Y/%m/", blank=True)
    caption = models.CharField(max_length=2200, blank=True)
    prompt = models.TextField(blank=True)
    show_prompt = models.BooleanField(default=True)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    is_preview = models.BooleanField(default=False, help_text="Rendered by the CPU preview renderer, not a video model")
    seconds = models.PositiveSmallIntegerField(default=4)
    remix_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="remixes")
    job = models.OneToOneField(
        "generation.GenerationJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="post"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Taken down (by moderation or because a cameo it shows was deleted): hidden from everyone but
    # its author, who sees the reason.
    taken_down_at = models.DateTimeField(null=True, blank=True)
    taken_down_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["visibility", "-created_at"]), models.Index(fields=["author", "-created_at"])]

    def __str__(self) -> str:
        return f"post {self.pk} by @{self.author.username}"
