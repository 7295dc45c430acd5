"""What ranking keeps: post embeddings and each person's feed settings (steering, well-being limits)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PostEmbedding(models.Model):
    """all-MiniLM-L6-v2 of the post's prompt and caption, L2-normalised float32 (384 values)."""

    post = models.OneToOneField("feed.Post", primary_key=True, on_delete=models.CASCADE, related_name="embedding")
    vector = models.BinaryField()

    def __str__(self) -> str:
        return f"embedding of post {self.post_id}"


class FeedPreferences(models.Model):
    """Steering chips and well-being limits. Absent row: no steering, the defaults for the account's age."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="feed_preferences"
    )
    # [{"kind": "more" | "less" | "no", "topic": "cooking"}, ...], parsed from the steering box.
    steering = models.JSONField(default=list, blank=True)
    # Well-being: teens always have limits (their own may only be lower than the defaults); anyone
    # may turn them on. None: the default from settings.
    limits_on = models.BooleanField(default=False)
    daily_cap = models.PositiveIntegerField(null=True, blank=True)
    break_after = models.PositiveIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"feed preferences of {self.user_id}"
