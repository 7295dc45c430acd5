"""The owner's settings and who may use their cameo: level, instructions, pause, the kept voice
sample, and access requests, approvals and revocations. Who may use it is decided by
`cameos.selectors.cameo_use_check`; narrowing it tells generation through `cameos.signals`."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, ngettext

from cameos.models import Cameo, CameoAccess
from cameos.selectors import cameo_access_request_check, cameo_check_for_viewer
from cameos.services.ledger import erase_voice_sample, notification_subject
from cameos.signals import cameo_access_narrowed
from feed.accounts.models import User
from feed.notifications.services import notification_send
from sora_site.errors import DomainError
from sora_site.texts import Sentence, sentence

ACCESS_REQUESTED = sentence("cameo_access_requested", gettext_lazy("@{handle} asked to use your cameo @{cameo}."))
ACCESS_APPROVED = sentence(
    "cameo_access_approved", gettext_lazy("@{owner} approved you: you can use the cameo @{cameo} in your videos.")
)


def cameo_settings_update(
    *, cameo: Cameo, by: User, access: str, preferences: str, restrictions_text: str
) -> list[str]:
    """Change who may use the cameo and its instructions. Returns notices for the owner."""
    cameo_check_for_viewer(cameo, by, to="manage")
    if access not in Cameo.Access.values:
        raise DomainError("cameo_bad_access", gettext("Choose who can use your cameo."), field="access")
    notices = []
    if by.is_teen and access == Cameo.Access.EVERYONE:
        access = Cameo.Access.MUTUALS
        notices.append(
            gettext(
                "Teen accounts can share their cameo with mutual followers at most, so it is set to mutual followers."
            )
        )
    with transaction.atomic():
        cameo.access = access
        cameo.preferences = preferences.strip()[:300]
        cameo.restrictions = restrictions_text.strip()[:300]
        cameo.save(update_fields=["access", "preferences", "restrictions"])
        revoked = _revoke_jobs_no_longer_allowed(cameo)
    if revoked:
        notices.append(
            ngettext(
                "Stopped %(count)d video in progress by someone who can no longer use your cameo.",
                "Stopped %(count)d videos in progress by people who can no longer use your cameo.",
                revoked,
            )
            % {"count": revoked}
        )
    return notices


def cameo_pause(*, cameo: Cameo, by: User, paused: bool) -> None:
    cameo_check_for_viewer(cameo, by, to="manage")
    with transaction.atomic():
        cameo.is_paused = paused
        cameo.save(update_fields=["is_paused"])
        if paused:
            _revoke_jobs_no_longer_allowed(cameo)


def cameo_voice_sample_stop(*, cameo: Cameo, by: User) -> None:
    """The owner withdraws consent to their kept voice sample: it is deleted now, and their lines go
    back to the synthetic voice. (Consent is given when recording, the only time speech is at hand.)"""
    cameo_check_for_viewer(cameo, by, to="manage")
    with transaction.atomic():
        locked = Cameo.objects.select_for_update().get(pk=cameo.pk)
        locked.keep_voice_sample = False
        erase_voice_sample(locked)
        locked.save(update_fields=["keep_voice_sample", "voice_sample", "voice_sample_text"])


def cameo_request_access(*, cameo: Cameo, by: User) -> CameoAccess:
    """`by` asks the owner to approve them (the owner is told once), if `cameo_access_request_check` lets them."""
    cameo_access_request_check(by, cameo)
    with transaction.atomic():
        entry, created = CameoAccess.objects.get_or_create(
            cameo=cameo, user=by, defaults={"state": CameoAccess.State.REQUESTED}
        )
        if created:
            owner_notify(
                cameo,
                actor=by,
                kind="cameo_access_requested",
                text=ACCESS_REQUESTED(handle=by.username, cameo=cameo.handle),
            )
    return entry


def cameo_approve_access(*, cameo: Cameo, by: User, user: User) -> CameoAccess:
    """`user` may use the cameo; they are told once, when they were not approved before."""
    cameo_check_for_viewer(cameo, by, to="manage")
    with transaction.atomic():
        was_approved = CameoAccess.objects.filter(cameo=cameo, user=user, state=CameoAccess.State.APPROVED).exists()
        entry, _ = CameoAccess.objects.update_or_create(
            cameo=cameo, user=user, defaults={"state": CameoAccess.State.APPROVED, "updated_at": timezone.now()}
        )
        if not was_approved:
            notification_send(
                recipient=user,
                actor=by,
                kind="cameo_access_approved",
                text=ACCESS_APPROVED(owner=by.username, cameo=cameo.handle),
                subject=notification_subject(cameo),
            )
    return entry


def cameo_revoke_access(*, cameo: Cameo, by: User, user: User) -> int:
    """`user` may no longer use the cameo, at any level; their videos in progress with it fail."""
    cameo_check_for_viewer(cameo, by, to="manage")
    with transaction.atomic():
        CameoAccess.objects.update_or_create(
            cameo=cameo, user=user, defaults={"state": CameoAccess.State.REVOKED, "updated_at": timezone.now()}
        )
        return _revoke_jobs_no_longer_allowed(cameo)


def cameo_allow_again(*, cameo: Cameo, by: User, user: User) -> None:
    """Undo a revocation (the level decides again)."""
    cameo_check_for_viewer(cameo, by, to="manage")
    CameoAccess.objects.filter(cameo=cameo, user=user, state=CameoAccess.State.REVOKED).delete()


def _revoke_jobs_no_longer_allowed(cameo: Cameo) -> int:
    """Tell generation that fewer people may use the cameo; returns how many jobs it stopped."""
    cameo.refresh_from_db()
    return sum(int(stopped or 0) for _, stopped in cameo_access_narrowed.send(sender=Cameo, cameo=cameo))


def owner_notify(cameo: Cameo, *, actor: User | None, kind: str, text: Sentence) -> None:
    notification_send(recipient=cameo.owner, actor=actor, kind=kind, text=text, subject=notification_subject(cameo))
