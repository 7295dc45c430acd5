"""The Celery app. Queues: `default` (web-side work) and `gpu` (generation; see CELERY_TASK_ROUTES).

A GPU machine runs: celery -A sora_site worker -Q gpu --concurrency 1 --prefetch-multiplier 1
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sora_site.settings")

app = Celery("sora_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
