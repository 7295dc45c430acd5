"""Moderation cases and their append-only event log.

A case is one subject under review (a cameo held for a likeness match, a reported video...). Every
automatic or human decision about it is a `ModerationEvent` row; the case's `status` is updated in the
same transaction. Events are never edited or deleted. Nothing biometric is stored here: a likeness
match records the ids involved and the distance, not encodings or pictures.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sora_site.texts import sentence_render


class ModerationCase(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ESCALATED = "escalated", _("Escalated")
        CLOSED = "closed", _("Closed")

    class Visibility(models.TextChoices):
        VISIBLE = "visible", _("Visible")
        HIDDEN = "hidden", _("Hidden")
        REMOVED = "removed", _("Removed")

    class Stage(models.TextChoices):
        VERIFICATION = "verification", _("Cameo verification")
        FRAMES = "frames", _("Frames")
        PUBLISH = "publish", _("Publish")
        REPORT = "report", _("Report")

    class Category(models.TextChoices):
        LIKENESS_MATCH = "likeness_match", _("Face matches another account's cameo")
        PUBLIC_FIGURE = "public_figure", _("Face matches a public figure")
        LIKENESS_WITHOUT_CONSENT = "likeness_without_consent", _("My likeness used without consent")
        LIKENESS_BLOCKED = "likeness_blocked", _("A generated video showed a face it may not show")
        REPORTED = "reported", _("Reported by people")
        NUDITY = "nudity", _("Nudity in a generated video")
        HELD_TEXT = "held_text", _("Caption or prompt near the policy's limits")
        UNCHECKED = "unchecked", _("A posted video that could not be checked")
        FIGURE_REQUEST = "figure_request", _("Asks to be added to the public-figure registry")

    subject_type = models.CharField(max_length=20)  # "cameo", "job", "post"
    subject_id = models.CharField(max_length=40)
    category = models.CharField(max_length=40, choices=Category.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    summary = models.CharField(max_length=300)  # in English; rows from before sentences show it
    summary_sentence = models.JSONField(default=dict, blank=True)  # the same as code + parameters
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # The subject's state as moderation left it, changed with each event (the per-subject status row).
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.VISIBLE)
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.REPORT)
    severity = models.PositiveSmallIntegerField(default=1)  # the queue: most severe first, then oldest

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"]),
            models.Index(fields=["status", "-severity", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.subject_type} {self.subject_id} ({self.status})"

    @property
    def summary_text(self) -> str:
        """The summary in the active language (the moderator's)."""
        return sentence_render(self.summary_sentence, self.summary)


class ModerationEvent(models.Model):
    """Append-only. `actor` is None for automatic decisions. An automatic refusal that opens no case
    (a prompt refused at the prompt stage) has no `case` and names the account in `about_user`."""

    case = models.ForeignKey(ModerationCase, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    about_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="moderation_events"
    )
    action = models.CharField(max_length=30)  # "flagged", "reported", "approved", "rejected", ...
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.action} on case {self.case_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("moderation events are append-only")
        super().save(*args, **kwargs)


def _frame_name(instance: CaseFrame, filename: str) -> str:
    return f"moderation/frames/{secrets.token_hex(16)}.jpg"


class CaseFrame(models.Model):
    """A sampled frame kept as evidence for a case (a blocked video stores nothing else). Readable by
    moderators only (`moderation.wiring` registers the media rule)."""

    case = models.ForeignKey(ModerationCase, on_delete=models.CASCADE, related_name="frames")
    image = models.ImageField(upload_to=_frame_name)
    seconds = models.FloatField()  # where in the clip it was sampled
    finding = models.CharField(max_length=100, blank=True)  # "face: public figure", "FEMALE_BREAST_EXPOSED"

    class Meta:
        ordering = ["seconds"]

    def __str__(self) -> str:
        return f"frame at {self.seconds:.1f}s of case {self.case_id}"


class Report(models.Model):
    """Someone's report about a post, comment, profile or cameo use. It joins the subject's open case
    (one case per subject) as a "reported" event; the reporter no longer sees what they reported."""

    class Category(models.TextChoices):
        SEXUAL = "sexual", _("Sexual content")
        MINOR_SAFETY = "minor_safety", _("Involves a minor")
        VIOLENCE = "violence", _("Violence or gore")
        SELF_HARM = "self_harm", _("Self-harm or suicide")
        HATE = "hate", _("Hate or harassment")
        EXTREMISM = "extremism", _("Violent extremism")
        ILLEGAL = "illegal", _("Dangerous or illegal acts")
        IMPERSONATION = "impersonation", _("Impersonation or a real public figure")
        COPYRIGHT = "copyright", _("Copyrighted characters or music")
        SPAM = "spam", _("Spam or scam")
        LIKENESS = "likeness", _("My likeness was used without consent")
        OTHER = "other", _("Something else")

    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_made")
    subject_type = models.CharField(max_length=20)  # "post", "comment", "profile", "cameo_use"
    subject_id = models.CharField(max_length=40)
    category = models.CharField(max_length=20, choices=Category.choices)
    note = models.CharField(max_length=500, blank=True)
    start_s = models.FloatField(null=True, blank=True)  # optional time range in the video
    end_s = models.FloatField(null=True, blank=True)
    case = models.ForeignKey(ModerationCase, on_delete=models.PROTECT, related_name="reports")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    resolved_at = models.DateTimeField(null=True, blank=True)  # a moderator settled it

    class Meta:
        indexes = [models.Index(fields=["reporter", "subject_type"])]

    def __str__(self) -> str:
        return f"report by {self.reporter_id} on {self.subject_type} {self.subject_id}"


class Sanction(models.Model):
    """One moderator action that touches a person: their subject hidden or removed, a strike, a
    suspension or a ban. The person is told, and may appeal it once within `APPEAL_WINDOW`; an upheld
    appeal lifts it (`lifted_at`), and a hidden or removed subject is restored."""

    class Kind(models.TextChoices):
        HIDE = "hide", _("Hidden")
        REMOVE = "remove", _("Removed")
        STRIKE = "strike", _("Strike")
        SUSPEND = "suspend", _("Suspended")
        BAN = "ban", _("Banned")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sanctions")
    case = models.ForeignKey(ModerationCase, on_delete=models.PROTECT, related_name="sanctions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reason = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(null=True, blank=True)  # suspensions; a ban has none
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.user_id} (case {self.case_id})"


class Appeal(models.Model):
    """A person's one appeal against one sanction. It reopens the sanction's case in the queue."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        UPHELD = "upheld", _("Upheld")
        DENIED = "denied", _("Denied")

    sanction = models.OneToOneField(Sanction, on_delete=models.CASCADE, related_name="appeal")
    text = models.CharField(max_length=1000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"appeal of sanction {self.sanction_id} ({self.status})"
