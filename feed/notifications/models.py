"""Notifications: something happened that a person should hear about (a cameo used, access asked...)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from sora_site.texts import sentence_render


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=40)  # stable, e.g. "cameo_used", "cameo_access_requested"
    # What it is about, as "<type>:<id>" (e.g. "cameo:12"), so a page can list the ones that concern it.
    subject = models.CharField(max_length=60, blank=True, db_index=True)
    # What it says, as a code and its parameters (sora_site.texts), written in the reader's language when
    # shown; `text` is the same written in the recipient's language when it was sent (what the live push
    # carried, and what rows from before codes show).
    sentence = models.JSONField(default=dict, blank=True)
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"]),
            models.Index(fields=["recipient"], condition=models.Q(read_at=None), name="notification_unread"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def display_text(self) -> str:
        """What it says, in the active language and time zone (the reader's)."""
        return sentence_render(self.sentence, self.text)[:300]
