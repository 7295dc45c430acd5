from __future__ import annotations

import base64
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sora_site import japanese
from sora_site.texts import sentence_render


def new_public_id() -> str:
    return f"video_{secrets.token_hex(12)}"


class GenerationJob(models.Model):
    """One generation request. The row is the truth; Celery messages only point at it.

    queued -> in_progress -> finishing -> completed | failed | cancelled
    (a stalled in_progress/finishing job goes back to queued until it has failed too often).
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        IN_PROGRESS = "in_progress", _("In Progress")
        FINISHING = "finishing", _("Finishing")
        COMPLETED = "completed", _("Completed")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    class Kind(models.TextChoices):
        GENERATE = "generate", _("Generated")
        STITCH = "stitch", _("Stitched")  # drafts joined (`stitch_parts`): re-encoded, nothing generated

    ACTIVE_STATES = (State.QUEUED, State.IN_PROGRESS, State.FINISHING)
    # What a retry copies: the request, not its outcome.
    REQUEST_FIELDS = ("prompt", "model", "width", "height", "seconds", "shots", "seed", "input_image", "remix_of")

    public_id = models.CharField(max_length=40, unique=True, default=new_public_id)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="generation_jobs")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.GENERATE)
    state = models.CharField(max_length=12, choices=State.choices, default=State.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField(default=0)

    prompt = models.TextField()
    model = models.CharField(max_length=32)
    width = models.PositiveSmallIntegerField()
    height = models.PositiveSmallIntegerField()
    seconds = models.PositiveSmallIntegerField()
    shots = models.JSONField(default=list)  # [{"prompt": str, "seconds": int}], one entry without a storyboard
    seed = models.BigIntegerField()
    input_image = models.ImageField(upload_to="inputs/%Y/%m/", blank=True, db_index=True)
    # The video this one remixes: the caller's own draft, or the job behind a post they may see.
    remix_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="remixes")

    idempotency_key = models.CharField(max_length=64, blank=True)
    # SHA-256 of the request that came with the key: the same key with another request is refused.
    idempotency_request_hash = models.CharField(max_length=64, blank=True)
    job_token = models.CharField(max_length=32, blank=True)  # set by each claim; writes must present it
    cancel_requested = models.BooleanField(default=False)
    failures = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    charged_seconds = models.PositiveSmallIntegerField(default=0)  # quota; refunded on failure/cancel
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.CharField(max_length=500, blank=True)  # in English: the API's `error.message`
    # The same as a code and parameters (sora_site.texts), written in the viewer's language when shown.
    error_sentence = models.JSONField(default=dict, blank=True)
    timings = models.JSONField(default=dict)  # seconds per phase of the last run
    gpu_seconds = models.FloatField(default=0)

    # Indexed: the local media view looks files up by name to decide who may read them.
    video = models.FileField(upload_to="drafts/%Y/%m/", blank=True, db_index=True)
    poster = models.ImageField(upload_to="drafts/%Y/%m/", blank=True, db_index=True)  # WebP
    # Provenance (generation/provenance): a JPEG grid of frames for scrub previews and how to read it
    # ({"tiles", "columns", "rows", "tile_width", "tile_height", "interval_s"}), and the perceptual hashes of
    # the finished frames that the verify page matches re-encoded copies against.
    spritesheet = models.FileField(upload_to="drafts/%Y/%m/", blank=True, db_index=True)
    sprite_layout = models.JSONField(default=dict, blank=True)
    frame_hashes = models.JSONField(default=list, blank=True)
    # WebVTT of the dialogue as it is heard (generation.audio), for the players' subtitles; none if silent.
    subtitles = models.FileField(upload_to="drafts/%Y/%m/", blank=True, db_index=True)
    backend = models.CharField(max_length=16, blank=True)
    is_preview = models.BooleanField(default=False)

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="job_idempotency_key_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.public_id} ({self.state})"

    @property
    def subtitles_language(self) -> str:
        """The language its dialogue is in (the players' <track srclang>): the prompt's quoted lines."""
        return "ja" if japanese.has_japanese(self.prompt) else "en"

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE_STATES

    @property
    def error_text(self) -> str:
        """Why it failed, in the active language (stored English for rows from before sentences)."""
        return sentence_render(self.error_sentence, self.error_message)

    @property
    def size(self) -> str:
        return f"{self.width}x{self.height}"

    @property
    def is_storyboard(self) -> bool:
        return len(self.shots) > 1

    @property
    def is_stitch(self) -> bool:
        return self.kind == self.Kind.STITCH


class StitchPart(models.Model):
    """One of the drafts a stitched video joins, in order, trimmed to `start_s`..`end_s` of its own time."""

    stitch = models.ForeignKey(GenerationJob, on_delete=models.CASCADE, related_name="stitch_parts")
    # Kept when the draft is deleted later: the stitch stays (its own file); a retry then says it is gone.
    source = models.ForeignKey(GenerationJob, null=True, on_delete=models.SET_NULL, related_name="stitched_into")
    position = models.PositiveSmallIntegerField()
    start_s = models.FloatField()
    end_s = models.FloatField()

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["stitch", "position"], name="stitch_part_position_once")]

    def __str__(self) -> str:
        return f"{self.stitch_id}#{self.position}: {self.source_id} {self.start_s}-{self.end_s} s"


# --- the Videos API (generation/api/): keys and webhooks ------------------------------------------


def new_api_key_id() -> str:
    return f"key_{secrets.token_hex(8)}"


class ApiKey(models.Model):
    """A Bearer key for /v1. Only its SHA-256 is stored: the key itself is shown once, at creation."""

    public_id = models.CharField(max_length=24, unique=True, default=new_api_key_id)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=16)  # the key's first characters, to recognise it in a list
    key_hash = models.CharField(max_length=64, unique=True)
    rate_limit_per_minute = models.PositiveIntegerField(null=True, blank=True)  # None: the server's default
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


def new_webhook_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def new_webhook_id() -> str:
    return f"wh_{secrets.token_hex(8)}"


def new_event_id() -> str:
    return f"evt_{secrets.token_hex(12)}"


class WebhookEndpoint(models.Model):
    """Where a user's `video.completed` / `video.failed` events go, signed with `secret` (Standard Webhooks)."""

    public_id = models.CharField(max_length=32, unique=True, default=new_webhook_id)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=64, default=new_webhook_secret)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event for one endpoint, and how sending it went (the delivery log in settings)."""

    class Status(models.TextChoices):
        PENDING = "pending"
        DELIVERED = "delivered"
        FAILED = "failed"  # gave up after the last retry

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.CharField(max_length=40, default=new_event_id)
    event_type = models.CharField(max_length=32)
    body = models.TextField()  # the event as sent: text, not JSON, so every retry signs the same bytes
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} -> {self.endpoint_id}: {self.status}"
