"""`{% draft_actions job %}`: what a finished draft offers (post it, remix it, delete it, or view its post).

Generation's drafts page renders it without knowing about posts: the feed, above generation, owns both
the publish form and the caption and visibility rules it shows.
"""

from __future__ import annotations

from typing import Any

from django import template

from feed.posts.models import Post
from feed.posts.services import CAPTION_MAX
from generation.models import GenerationJob

register = template.Library()


@register.inclusion_tag("feed/_draft_actions.html")
def draft_actions(job: GenerationJob) -> dict[str, Any]:
    return {
        "job": job,
        "post": Post.objects.filter(job=job).first(),
        "caption_max": CAPTION_MAX,
        "visibility_choices": Post.Visibility.choices,
    }
