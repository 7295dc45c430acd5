"""What generation tells the layers above it, and the one question it asks them. It never imports them:
the feed (and later notifications and webhooks) connect here from their `wiring.connect()`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.dispatch import Signal

if TYPE_CHECKING:
    from feed.accounts.models import User
    from generation.models import GenerationJob

# After commit, once per job that reached completed, failed or cancelled. kwargs: job.
job_finished = Signal()

# A finished job's video must no longer be shown (a cameo in it was withdrawn). kwargs: job, reason.
# A receiver that took a published copy down returns True.
job_withdrawn = Signal()

# Before a draft is deleted. kwargs: job. A receiver raises DomainError to keep it (the feed: it is posted).
job_deleting = Signal()

# May `user` remix `job`? Filled by the layers that publish jobs (the feed: a post of it that `user` may
# see, and for its author a post no moderator holds or took down). None: not theirs to say (never posted);
# then only its maker may.
RemixGrant = Callable[["GenerationJob", "User"], bool | None]
_remix_grants: list[RemixGrant] = []


def remix_grant_register(grant: RemixGrant) -> None:
    if grant not in _remix_grants:
        _remix_grants.append(grant)


def remix_granted(job: GenerationJob, user: User) -> bool | None:
    """False if any layer refuses, True if one grants, None if none has a say."""
    verdicts = [grant(job, user) for grant in _remix_grants]
    if False in verdicts:
        return False
    return True if True in verdicts else None
