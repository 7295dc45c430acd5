from django.apps import AppConfig


class GenerationConfig(AppConfig):
    name = "generation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cameos.signals import cameo_access_narrowed, cameo_job_withdrawn
        from generation import (
            receivers,
            tasks,  # noqa: F401  (registers the tasks in every process: jobs are queued by name)
        )
        from moderation.registry import SubjectType, subject_type_register
        from sora_site.media_views import media_rule_register

        cameo_access_narrowed.connect(receivers.on_cameo_access_narrowed, dispatch_uid="generation.access_narrowed")
        cameo_job_withdrawn.connect(receivers.on_cameo_job_withdrawn, dispatch_uid="generation.job_withdrawn")
        media_rule_register(receivers.job_media_readable)
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
