"""pgvector for "similar to your taste", only where the extension can be installed.

When PostgreSQL has pgvector available (the embedded server always does; for a DATABASE_URL server
scripts/install_pgvector.sh builds it) and FEED_PGVECTOR is on: CREATE EXTENSION, an `embedding
vector(384)` column beside the float32 bytes, filled from them, and an HNSW index (cosine). Anywhere
else this does nothing and the feed uses its NumPy fallback.
The column is not a model field on purpose: the model must work on databases without the type.
"""

from django.conf import settings
from django.db import migrations, transaction
from django.db.utils import DatabaseError

BATCH = 2000


def vector_index_add(apps, schema_editor):
    connection = schema_editor.connection
    if not settings.FEED_PGVECTOR:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")
        if cursor.fetchone() is None:
            return
        try:
            with transaction.atomic(using=connection.alias):
                cursor.execute("CREATE EXTENSION IF NOT EXISTS vector")
        except DatabaseError:  # no right to create it (not a superuser): stay on the fallback
            return
        cursor.execute("ALTER TABLE feed_postembedding ADD COLUMN IF NOT EXISTS embedding vector(384)")
        PostEmbedding = apps.get_model("feed", "PostEmbedding")
        import numpy as np

        rows = PostEmbedding.objects.order_by("pk").values_list("pk", "vector")
        for start in range(0, rows.count(), BATCH):
            batch = list(rows[start : start + BATCH])
            cursor.execute(
                "UPDATE feed_postembedding AS e SET embedding = v.value::vector"
                " FROM unnest(%s::bigint[], %s::text[]) AS v(id, value) WHERE e.post_id = v.id",
                [
                    [pk for pk, _ in batch],
                    [str(np.frombuffer(bytes(raw), dtype=np.float32).tolist()) for _, raw in batch],
                ],
            )
        # Building the graph in memory is several times faster than spilling (200k posts: ~400 MB).
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS post_embedding_hnsw ON feed_postembedding"
            " USING hnsw (embedding vector_cosine_ops)"
        )


def vector_index_drop(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS post_embedding_hnsw")
        cursor.execute("ALTER TABLE feed_postembedding DROP COLUMN IF EXISTS embedding")


class Migration(migrations.Migration):
    dependencies = [
        ("feed", "0008_post_review_teen_suitable"),
    ]

    operations = [migrations.RunPython(vector_index_add, vector_index_drop)]
