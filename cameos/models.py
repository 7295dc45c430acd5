"""Cameos: a verified likeness (or a non-human character) that other people may put in videos.

Biometric data (face encodings, the voice embedding, portrait crops, the raw recording) lives only
on `Cameo` and `CameoPortrait` rows and their files, so deleting a cameo erases all of it.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cameos.moves import MOVE_WORDS
from sora_site.texts import sentence_render


def _random_name(prefix: str, suffix: str) -> str:
    # Unguessable names: biometric files are never served from a public URL, but be safe anyway.
    return f"cameos/{prefix}/{secrets.token_hex(16)}{suffix}"


class Cameo(models.Model):
    class Kind(models.TextChoices):
        HUMAN = "human", _("Me (a person)")
        PET = "pet", _("A pet")
        OBJECT = "object", _("An object")
        CHARACTER = "character", _("A character")

    class Status(models.TextChoices):
        AWAITING_RECORDING = "awaiting_recording", _("Waiting for a recording")
        QUEUED = "queued", _("Waiting to be checked")
        VERIFYING = "verifying", _("Checking your recording")
        ACTIVE = "active", _("Verified")
        REJECTED = "rejected", _("Not verified")
        IN_REVIEW = "in_review", _("Held for a moderator")

    class Access(models.TextChoices):
        ONLY_ME = "only_me", _("Only me")
        APPROVED = "approved", _("People I approve")
        MUTUALS = "mutuals", _("Mutual followers")
        EVERYONE = "everyone", _("Everyone")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cameos")
    # What people type after "@" in a prompt. A person's cameo uses their own handle.
    handle = models.CharField(max_length=30, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.HUMAN)
    name = models.CharField(max_length=50, blank=True)  # "Rex the corgi" (non-human cameos)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.AWAITING_RECORDING)
    access = models.CharField(max_length=10, choices=Access.choices, default=Access.ONLY_ME)
    is_paused = models.BooleanField(default=False)
    preferences = models.CharField(max_length=300, blank=True)  # appended to every prompt using it
    restrictions = models.CharField(max_length=300, blank=True)  # enforced at the prompt stage

    # The last recording and what the checks said about it (no biometrics in `report`).
    challenge = models.ForeignKey("CameoChallenge", null=True, blank=True, on_delete=models.SET_NULL)
    recording = models.FileField(blank=True)
    keep_recording = models.BooleanField(default=False)
    report = models.JSONField(default=dict, blank=True)

    # Biometrics: the owner and moderators only.
    face_encodings = models.JSONField(default=list, blank=True)  # a few 128-d lists of floats
    voice_embedding = models.JSONField(null=True, blank=True)  # 256 floats
    voice_pitch_hz = models.FloatField(null=True, blank=True)
    espeak_voice = models.CharField(max_length=20, blank=True)
    # Opt-in: a few seconds of the verified recording's speech (16 kHz WAV) and what it says, the
    # prompt of the voice-cloning TTS that speaks this cameo's lines. Never served to anyone.
    keep_voice_sample = models.BooleanField(default=False)
    voice_sample = models.FileField(blank=True)
    voice_sample_text = models.CharField(max_length=100, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner"], condition=Q(kind="human"), name="one_human_cameo_per_owner"),
        ]

    def __str__(self) -> str:
        return f"@{self.handle} ({self.kind}, {self.status})"

    @property
    def failures_said(self) -> list[dict[str, str]]:
        """The failed checks of the last attempt, each said in the active language."""
        return [
            {"code": f.get("code", ""), "message": sentence_render(f.get("sentence"), f.get("message", ""))}
            for f in self.report.get("failures", [])
        ]

    @property
    def is_human(self) -> bool:
        return self.kind == self.Kind.HUMAN

    @property
    def label(self) -> str:
        return self.name or f"@{self.handle}"

    @property
    def is_usable(self) -> bool:
        return self.status == self.Status.ACTIVE and not self.is_paused


class CameoPortrait(models.Model):
    """A verified portrait crop (or an uploaded photo of a non-human cameo)."""

    cameo = models.ForeignKey(Cameo, on_delete=models.CASCADE, related_name="portraits")
    image = models.ImageField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"portrait {self.position} of cameo {self.cameo_id}"


class CameoChallenge(models.Model):
    """A one-time liveness challenge: head moves in a random order, then digits to read aloud."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cameo_challenges")
    nonce = models.CharField(max_length=64, unique=True)
    moves = models.JSONField()  # ["left", "right"] in the order asked
    digits = models.CharField(max_length=8)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"challenge for user {self.owner_id}: {', '.join(self.moves)} then {self.digits}"

    @property
    def move_words(self) -> list[str]:
        """The moves in the active language, in the order asked."""
        return [str(MOVE_WORDS.get(move, move)) for move in self.moves]


class CameoAccess(models.Model):
    """A person's standing with one cameo: asked for access, approved, or revoked (which always wins)."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("Asked for access")
        APPROVED = "approved", _("Approved")
        REVOKED = "revoked", _("Access revoked")

    cameo = models.ForeignKey(Cameo, on_delete=models.CASCADE, related_name="access_entries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cameo_access")
    state = models.CharField(max_length=10, choices=State.choices)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cameo", "user"], name="cameo_access_once")]

    def __str__(self) -> str:
        return f"user {self.user_id} on cameo {self.cameo_id}: {self.state}"


class CameoUsage(models.Model):
    """The ledger: this job (and the post made from it) used this cameo. Shown to the cameo's owner."""

    cameo = models.ForeignKey(Cameo, on_delete=models.CASCADE, related_name="usages")
    job = models.ForeignKey("generation.GenerationJob", on_delete=models.CASCADE, related_name="cameo_usages")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["cameo", "job"], name="cameo_usage_once")]

    def __str__(self) -> str:
        return f"cameo {self.cameo_id} in job {self.job_id}"


class PublicFigure(models.Model):
    """Someone whose likeness may not be shown: by face (new cameos, input images, generated frames) and
    by words in a prompt (their names and aliases, or a description that points at them alone). An
    office that changes hands ("the current US president") is an entry of its own, so it keeps working
    whoever holds it. Kept by moderators; `key` marks the shipped starter registry
    (cameos/data/public_figures.toml), which `manage.py public_figures_load` brings up to date."""

    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        OFFICE = "office", _("Office")

    name = models.CharField(max_length=100)
    notes = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PERSON)
    key = models.SlugField(max_length=80, blank=True)  # "" for entries added by moderators
    # Refused wherever they appear as whole words: full names, nicknames, spellings, kana and kanji.
    aliases = models.JSONField(default=list, blank=True)
    # Names that are also everyday words (Trump, Swift, Bush): refused only with one of `cues` in the text.
    ambiguous_names = models.JSONField(default=list, blank=True)
    cues = models.JSONField(default=list, blank=True)
    # What points at this one person (office, team and number, band, deed), English or Japanese.
    descriptions = models.JSONField(default=list, blank=True)
    deceased = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)  # with the count, the registry's version (the text index cache)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key"], condition=~models.Q(key=""), name="public_figure_key_unique")
        ]

    def __str__(self) -> str:
        return self.name


class PublicFigurePhoto(models.Model):
    figure = models.ForeignKey(PublicFigure, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="public_figures/")
    encoding = models.JSONField()  # the photo's one face, 128 floats (computed on save)

    def __str__(self) -> str:
        return f"photo of {self.figure_id}"


class PublicFigureRequest(models.Model):
    """Someone (or the estate of someone who died) asks to be added to the registry, from the public
    form. It is a moderation case ("figure_request"); approving it adds the figure."""

    class Relation(models.TextChoices):
        SELF = "self", _("I am this person")
        REPRESENTATIVE = "representative", _("I represent them (agent, lawyer, office)")
        ESTATE = "estate", _("I speak for their estate or family (they have died)")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    name = models.CharField(max_length=100)
    aliases = models.JSONField(default=list, blank=True)
    descriptions = models.JSONField(default=list, blank=True)
    deceased = models.BooleanField(default=False)
    requester_name = models.CharField(max_length=100)
    relation = models.CharField(max_length=20, choices=Relation.choices)
    contact = models.EmailField(max_length=200)
    photo = models.ImageField(upload_to="figure_requests/", blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    figure = models.ForeignKey(PublicFigure, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"request to add {self.name}"
