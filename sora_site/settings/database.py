"""The one PostgreSQL database (DATABASE_URL, else the embedded server `make run` starts)."""

from __future__ import annotations

from sora_site import embedded_postgres
from sora_site.env import env_float, env_int, env_str, parse_database_url
from sora_site.settings.base import VAR_DIR

# Without DATABASE_URL: the embedded server `make run` starts (sora_site/embedded_postgres.py).
DATABASES = {
    "default": parse_database_url(env_str("DATABASE_URL", embedded_postgres.database_url(VAR_DIR / "postgres")))
}
# A bounded pool per process (web server, each worker process): Daphne runs sync code on a thread per
# request, and persistent per-thread connections (CONN_MAX_AGE) piled up until the server had none left.
# A request waits up to DATABASE_POOL_TIMEOUT seconds for a free connection.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps the connections; Django requires 0 with it
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # the pool checks a connection before lending it
DATABASE_POOL_SIZE = env_int("DATABASE_POOL_SIZE", 20, minimum=1)
DATABASES["default"]["OPTIONS"]["pool"] = {
    "min_size": 1,
    "max_size": DATABASE_POOL_SIZE,
    "max_idle": 60,  # seconds before an idle connection above min_size is closed
    "timeout": env_float("DATABASE_POOL_TIMEOUT", 30.0, minimum=0.1),
}
# pgvector's HNSW search (the feed's "similar" source, feed/ranking/vector_index.py): a wider
# candidate list, and keep scanning past rows the query filters out. Sent in the connection's
# start-up packet, so a search costs no extra round trip; harmless placeholders without pgvector.
_pg = DATABASES["default"]["OPTIONS"]
_pg["options"] = f"{_pg.get('options', '')} -c hnsw.ef_search=100 -c hnsw.iterative_scan=strict_order".strip()
