"""Published videos."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sora_site.texts import sentence_render


class Post(models.Model):
    """A published video. Drafts live in generation until their owner posts them."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        UNLISTED = "unlisted", _("Unlisted (anyone with the link)")
        PRIVATE = "private", _("Only me")

    class Review(models.TextChoices):
        """Moderation's publish stage. A post in review is hidden from everyone but its creator (through
        `taken_down_at`, like any post that is not shown) and labelled "In review" for them."""

        CLEAR = "clear", _("Published")
        CHECKING = "checking", _("In review: being checked")
        HELD = "held", _("In review: waiting for a moderator")

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
    taken_down_reason = models.CharField(max_length=200, blank=True)  # English; rows from before sentences
    taken_down_sentence = models.JSONField(default=dict, blank=True)  # the reason as code + parameters
    review = models.CharField(max_length=10, choices=Review.choices, default=Review.CLEAR)
    # Set by the publish stage: frames or text over the teen bar hide the post from teen accounts everywhere.
    teen_suitable = models.BooleanField(default=True)

    class Meta:
        indexes = [
            models.Index(fields=["visibility", "-created_at"]),
            # Following's keyset (created_at, id) per author, newest first: the index order is the page order.
            models.Index(fields=["author", "-created_at", "-id"], name="post_author_keyset"),
        ]

    def __str__(self) -> str:
        return f"post {self.pk} by @{self.author.username}"

    @property
    def taken_down_text(self) -> str:
        """Why it is down, in the active language."""
        return sentence_render(self.taken_down_sentence, self.taken_down_reason)
