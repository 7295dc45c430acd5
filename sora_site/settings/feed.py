"""The feed: page size, ranking's shared pools and similarity, well-being limits for teens."""

from __future__ import annotations

from sora_site.env import env_bool, env_int

FEED_PAGE_SIZE = env_int("FEED_PAGE_SIZE", 8, minimum=1)
# "Similar to your taste" compares with an in-process matrix of recent post vectors, rebuilt this often.
FEED_SIMILAR_REFRESH_SECONDS = env_int("FEED_SIMILAR_REFRESH_SECONDS", 60, minimum=0)
# Candidate pools everyone shares (trending, popular, fresh) live in the cache, remade by beat this often
# (settings/celery.py).
FEED_POOL_SECONDS = env_int("FEED_POOL_SECONDS", 60, minimum=0)
# Similarity through pgvector's HNSW index when the extension is installed (off: the NumPy fallback).
FEED_PGVECTOR = env_bool("FEED_PGVECTOR", True)
# Load MiniLM when a web server or worker process starts (sora_site.text_embeddings.embeddings_warm).
TEXT_EMBEDDINGS_WARM = env_bool("TEXT_EMBEDDINGS_WARM", True)
# What a web process (sora_site/web.py) loads on a thread at start, after MiniLM, when
# TEXT_EMBEDDINGS_WARM is on: the prompt stage's first run (its examples' embeddings), which the first
# Generate would otherwise wait for (25 s on a busy machine).
WEB_MODELS = {"prompt stage": "moderation.policy.policy_warm"}
# Teens (and anyone who turns the limits on): items a day, and a "take a break" card every N in a row.
FEED_TEEN_DAILY_CAP = env_int("FEED_TEEN_DAILY_CAP", 120, minimum=1)
FEED_TEEN_BREAK_AFTER = env_int("FEED_TEEN_BREAK_AFTER", 30, minimum=1)
# The player's view beacon (every 10 s and when a tab is hidden): more per minute than this is no player.
FEED_VIEWS_PER_MINUTE = env_int("FEED_VIEWS_PER_MINUTE", 30, minimum=1)
