"""A remix points at a job only: `remix_of_post` (a reference up into the feed) goes.

A job that remixed a post now remixes the job behind that post, so no lineage is lost.
"""

import django.db.models.deletion
from django.db import migrations, models


def post_remixes_to_jobs(apps, schema_editor):  # noqa: ANN001, ANN201
    GenerationJob = apps.get_model("generation", "GenerationJob")
    for job in GenerationJob.objects.filter(remix_of_post__isnull=False, remix_of_job__isnull=True).select_related(
        "remix_of_post"
    ):
        job.remix_of_job_id = job.remix_of_post.job_id
        job.save(update_fields=["remix_of_job"])


class Migration(migrations.Migration):
    dependencies = [
        ("feed", "0003_post_take_down"),
        ("generation", "0002_media_name_indexes"),
    ]

    operations = [
        migrations.RunPython(post_remixes_to_jobs, migrations.RunPython.noop),
        migrations.RemoveField(model_name="generationjob", name="remix_of_post"),
        migrations.RenameField(model_name="generationjob", old_name="remix_of_job", new_name="remix_of"),
        migrations.AlterField(
            model_name="generationjob",
            name="remix_of",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="remixes",
                to="generation.generationjob",
            ),
        ),
    ]
