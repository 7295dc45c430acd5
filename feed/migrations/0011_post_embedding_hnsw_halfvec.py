"""The HNSW index over post embeddings in half precision (pgvector >= 0.7's halfvec), where it exists.

At 200,000 posts the float32 graph is 391 MB and the half-precision one 223 MB: with PostgreSQL's
default 128 MB of shared buffers, a search reads far fewer pages from outside them, and cosine
neighbours in half precision are the same posts for a feed (docs/BENCHMARKS.md). Without the column
(no pgvector) or without halfvec (an older pgvector) this does nothing.
"""

from django.db import migrations

FLOAT = "CREATE INDEX IF NOT EXISTS post_embedding_hnsw ON feed_postembedding USING hnsw (embedding vector_cosine_ops)"
HALF = (
    "CREATE INDEX IF NOT EXISTS post_embedding_hnsw ON feed_postembedding"
    " USING hnsw ((embedding::halfvec(384)) halfvec_cosine_ops)"
)


def _rebuild(schema_editor, create: str) -> None:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM information_schema.columns WHERE table_name = 'feed_postembedding'"
            " AND column_name = 'embedding'"
        )
        if cursor.fetchone() is None:
            return
        cursor.execute("SELECT to_regtype('halfvec') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return
        cursor.execute("DROP INDEX IF EXISTS post_embedding_hnsw")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")  # the graph built in memory
        cursor.execute(create)


def to_half(apps, schema_editor):
    _rebuild(schema_editor, HALF)


def to_float(apps, schema_editor):
    _rebuild(schema_editor, FLOAT)


class Migration(migrations.Migration):
    dependencies = [("feed", "0010_post_author_keyset_index")]
    operations = [migrations.RunPython(to_half, to_float)]
