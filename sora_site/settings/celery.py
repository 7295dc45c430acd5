"""Celery (sora_site/celery.py reads every CELERY_* name): the broker, queues, limits, and the one beat
schedule. A periodic task is added here, next to the others, whichever app it belongs to."""

from __future__ import annotations

from sora_site.env import env_bool, env_int
from sora_site.settings.feed import FEED_POOL_SECONDS
from sora_site.settings.redis import REDIS_URL

# Without REDIS_URL, tasks run inline in the calling process (see settings/redis.py).
CELERY_BROKER_URL = REDIS_URL or "memory://"
# Tasks are queued and forgotten: nothing reads a result, so none is kept. (With a Redis result backend
# every send also subscribed the sender to the result's channel, and a send while Redis was down raised
# from there, past the broker's retries.)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ACKS_LATE = True
# With acks_late, a task whose worker process dies is redelivered instead of lost.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 15 * 60, minimum=10)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 20 * 60, minimum=20)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Workers log through LOGGING (settings/base.py), so their lines carry the request and job ids too.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Redis redelivers an unacked task after this long; it must exceed the longest task.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 600}
# What a worker process loads when it starts (sora_site.celery.models_warm, on a thread beside its tasks),
# so that no task waits for a model that is not already loading: label -> dotted path of a function of no
# arguments, in the order they load (what every preview job needs first: the frames stage). The worker
# says how long each took. WORKER_MODELS_WARM=0 skips them (the test suite's many short-lived workers;
# tested on its own).
WORKER_MODELS = {
    "NudeNet": "moderation.nudity.detector_load",  # the frames stage
    "dlib": "cameos.verification.loaders.face_encoder",  # faces: the frames stage, cameo verification
    "CenterFace": "cameos.verification.loaders.face_finder",  # faces found in frames and input images
    # What the first job imported on its way (the soundtrack's filters, the hashes' FFTs, the image writers).
    "finishing": "generation.finishing.finishing_warm",
    "MiniLM": "sora_site.text_embeddings.embeddings_warm",  # the prompt stage (TEXT_EMBEDDINGS_WARM=0 skips it)
    "prompt stage": "moderation.policy.policy_warm",  # its examples' embeddings (the API's and tasks' texts)
    "silero VAD": "cameos.verification.loaders.vad_model",  # speech: the voice check, verification
    "resemblyzer": "cameos.verification.loaders.voice_encoder",
    "pocketsphinx": "cameos.verification.speech.decoder_load",  # the spoken digits of verification
}
WORKER_MODELS_WARM = env_bool("WORKER_MODELS_WARM", True)
# A worker lowers its CPU priority by this much when it starts (sora_site.celery.worker_nice): on a host
# that also serves pages, a video being rendered takes only the CPU the web leaves, so pages keep their
# latency (docs/BENCHMARKS.md "Whole app under load"). Where it runs alone it costs nothing. 0 keeps it.
WORKER_NICENESS = env_int("WORKER_NICENESS", 10, minimum=0)
CELERY_TASK_ROUTES = {"generation.tasks.gpu_*": {"queue": "gpu"}}
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {"task": "feed.tasks.sessions_clear_expired", "schedule": 6 * 3600},
    # Jobs stalled past GENERATION_STALL_SECONDS (settings/generation.py).
    "generation-watchdog": {"task": "generation.tasks.jobs_requeue_stalled", "schedule": 60},
    # Finished videos past VIDEO_RETENTION_DAYS (settings/api.py).
    "videos-delete-expired": {"task": "generation.tasks.videos_delete_expired", "schedule": 3600},
    "feed-pools-refresh": {"task": "feed.tasks.feed_pools_refresh", "schedule": max(1, FEED_POOL_SECONDS)},
}
