"""Cameo notifications move to the feed's one Notification model (kept, with the cameo as subject)."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def copy_to_feed(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    CameoNotification = apps.get_model("cameos", "CameoNotification")
    Notification = apps.get_model("feed", "Notification")
    Notification.objects.bulk_create(
        Notification(
            recipient_id=note.recipient_id,
            actor_id=note.actor_id,
            kind="cameo",
            subject=f"cameo:{note.cameo_id}",
            text=note.text,
            created_at=note.created_at,
        )
        for note in CameoNotification.objects.all()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cameos", "0001_initial"),
        ("feed", "0004_notifications"),
    ]

    operations = [
        migrations.RunPython(copy_to_feed, migrations.RunPython.noop),
        migrations.DeleteModel(name="CameoNotification"),
    ]
