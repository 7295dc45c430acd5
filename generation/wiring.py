"""Generation's connections to the layers below it: it answers cameos' signals, reads moderation's
"job" subjects and guards its media files (the answers: generation/receivers.py); the API hears of
finished jobs. Called once, from GenerationConfig.ready()."""

from __future__ import annotations


def connect() -> None:
    from cameos.signals import cameo_access_narrowed, cameo_job_withdrawn
    from generation import receivers
    from generation.api.webhooks import on_job_finished
    from generation.signals import job_finished
    from moderation.registry import SubjectType, subject_type_register
    from sora_site.media_views import media_rule_register

    cameo_access_narrowed.connect(receivers.on_cameo_access_narrowed, dispatch_uid="generation.access_narrowed")
    cameo_job_withdrawn.connect(receivers.on_cameo_job_withdrawn, dispatch_uid="generation.job_withdrawn")
    media_rule_register(receivers.job_media_readable)
    job_finished.connect(on_job_finished, dispatch_uid="generation.api.webhooks")
    subject_type_register(
        SubjectType(
            name="job",
            load=receivers.moderated_jobs,
            template="generation/_moderation_subject.html",
            decide=receivers.job_moderation_decide,
            owner=receivers.job_owner,
            approve_label="Keep video",
            reject_label="Remove video",
        )
    )
