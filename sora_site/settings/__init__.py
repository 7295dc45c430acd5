"""Django settings, one module per concern, read from the environment (see README "Settings").

DJANGO_SETTINGS_MODULE=sora_site.settings loads them all, in this order (a later module may import
names from an earlier one). Defaults give a working laptop install: the embedded PostgreSQL (`make run`
starts it, data in var/postgres) and media under var/, the CPU preview renderer. Which module a new
setting goes in: docs/ARCHITECTURE.md "Where to put things".
"""

# ruff: noqa: I001  (the order is the load order)
from sora_site.settings.base import *  # noqa: F403
from sora_site.settings.database import *  # noqa: F403
from sora_site.settings.redis import *  # noqa: F403
from sora_site.settings.storage import *  # noqa: F403
from sora_site.settings.accounts import *  # noqa: F403
from sora_site.settings.security import *  # noqa: F403
from sora_site.settings.observability import *  # noqa: F403
from sora_site.settings.generation import *  # noqa: F403
from sora_site.settings.moderation import *  # noqa: F403
from sora_site.settings.api import *  # noqa: F403
from sora_site.settings.provenance import *  # noqa: F403
from sora_site.settings.feed import *  # noqa: F403
from sora_site.settings.celery import *  # noqa: F403
