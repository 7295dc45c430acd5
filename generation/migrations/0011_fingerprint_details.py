"""Each indexed fingerprint gets its second in the video and a finer picture of the same square (32x32
grey, generation/provenance/fingerprints.py), which /verify/ checks a candidate against: the 8x8 DCT
alone matched unrelated renders with the same soft layout. Only where migration 0010 made the table.
Rows from before carry NULLs and are never named as a match until `manage.py fingerprints_backfill`
indexes their videos again."""

from django.db import migrations


def details_add(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE IF EXISTS generation_framefingerprint"
            " ADD COLUMN IF NOT EXISTS second real, ADD COLUMN IF NOT EXISTS detail bytea"
        )


def details_drop(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE IF EXISTS generation_framefingerprint DROP COLUMN IF EXISTS second, DROP COLUMN IF EXISTS detail"
        )


class Migration(migrations.Migration):
    dependencies = [("generation", "0010_frame_fingerprints")]
    operations = [migrations.RunPython(details_add, details_drop)]
