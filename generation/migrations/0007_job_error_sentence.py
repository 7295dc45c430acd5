"""A failed job's reason kept as a code and parameters (sora_site.texts), so its owner reads it in their
language. Rows from before whose English is one of the fixed reasons get that reason's code; any other
(with parameters, or free text) keeps showing its stored English."""

from django.db import migrations, models

# The English each parameterless reason was stored with, frozen here as it was written.
_KNOWN = {
    "Something went wrong while generating. Your quota was refunded.": "job_generic_failure",
    "The video worker stopped responding several times. Your quota was refunded; try again.": "job_worker_lost",
    "Cancelled.": "job_cancelled",
    "Removed by a moderator.": "job_moderation_removed",
    "This video showed nudity, so it was not kept.": "job_nudity_blocked",
    "This video's speech is in the voice of someone whose cameo you may not use. It was not kept.": "job_voice_blocked",
    "This shows a real public figure, which videos can't depict. The video was not kept.": "job_public_figure_blocked",
    "This shows the face of someone whose cameo you may not use. The video was not kept.": "job_likeness_blocked",
    "A cameo in this video was deleted by its owner.": "cameo_deleted",
}


def codes_for_known_reasons(apps, schema_editor):
    jobs = apps.get_model("generation", "GenerationJob")
    for english, code in _KNOWN.items():
        jobs.objects.filter(error_message=english, error_sentence={}).update(
            error_sentence={"code": code, "params": {}}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("generation", "0006_job_idempotency_request_hash"),
    ]

    operations = [
        migrations.AddField(
            model_name="generationjob",
            name="error_sentence",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(codes_for_known_reasons, migrations.RunPython.noop),
    ]
