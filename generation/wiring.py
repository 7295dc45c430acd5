"""Generation's connections to the layers below it: it answers cameos' signals, reads moderation's
"job" subjects and guards its media files (the answers: generation/receivers.py). The Videos API
hears of finished jobs through its own app's wiring (generation/api/wiring.py). Called once, from
GenerationConfig.ready()."""

from __future__ import annotations

from django.utils.translation import pgettext_lazy


def connect() -> None:
    from django.db.models.signals import post_delete

    from cameos.signals import cameo_access_narrowed, cameo_job_withdrawn
    from generation import (
        metrics,
        receivers,
        tasks,  # noqa: F401  (registers the tasks in every process: jobs are queued by name)
    )
    from generation.models import GenerationJob
    from generation.signals import job_finished
    from moderation.registry import SubjectType, subject_type_register
    from sora_site.media_views import media_rule_register

    cameo_access_narrowed.connect(receivers.on_cameo_access_narrowed, dispatch_uid="generation.access_narrowed")
    cameo_job_withdrawn.connect(receivers.on_cameo_job_withdrawn, dispatch_uid="generation.job_withdrawn")
    media_rule_register(receivers.job_media_readable)
    job_finished.connect(metrics.on_job_finished, dispatch_uid="generation.metrics")
    post_delete.connect(receivers.on_job_deleted, sender=GenerationJob, dispatch_uid="generation.fingerprints")
    subject_type_register(
        SubjectType(
            name="job",
            load=receivers.moderated_jobs,
            template="generation/_moderation_subject.html",
            show=receivers.job_moderation_show,
            owner=receivers.job_owner,
            approve_label=pgettext_lazy("moderation queue button", "Keep video"),
            reject_label=pgettext_lazy("moderation queue button", "Remove video"),
        )
    )
