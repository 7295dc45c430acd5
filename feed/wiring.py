"""The feed's connections to the layers below its packages (the answers: each package's `receivers.py`).
Called once, from FeedConfig.ready(). This module sits outside the feed's layers, like apps.py: accounts
sit below moderation, so they answer its registry but cannot register themselves."""

from __future__ import annotations

from django.utils.translation import pgettext_lazy


def connect() -> None:
    """In the order the registries list them: posts, comments, profiles."""
    _posts()
    _engagement()
    _accounts()
    _search()
    from feed.ranking import metrics  # noqa: F401  (the feed's latency metric, in every process)


def _posts() -> None:
    """Posts sit above generation: they answer its signals and its remix question, guard their media,
    and are a moderation subject."""
    from feed.posts import (
        receivers,
        tasks,  # noqa: F401  (registers the tasks in every process: they are queued by name)
    )
    from generation.signals import job_deleting, job_withdrawn, remix_grant_register
    from moderation.registry import SubjectType, subject_type_register
    from sora_site.media_views import media_rule_register

    job_withdrawn.connect(receivers.on_job_withdrawn, dispatch_uid="feed.job_withdrawn")
    job_deleting.connect(receivers.on_job_deleting, dispatch_uid="feed.job_deleting")
    remix_grant_register(receivers.remix_grant)
    media_rule_register(receivers.post_media_readable)
    subject_type_register(
        SubjectType(
            name="post",
            load=receivers.reported_posts,
            template="feed/_moderation_subject.html",
            show=receivers.post_moderation_show,
            hideable=True,
            owner=receivers.post_owner,
            approve_label=pgettext_lazy("moderation queue button", "Keep post"),
            reject_label=pgettext_lazy("moderation queue button", "Take down"),
        )
    )


def _engagement() -> None:
    """Notices for follows and remixes (written in other packages: Django's post_save), and comments as
    a moderation subject."""
    from django.db.models.signals import post_save

    from feed.engagement import receivers
    from feed.graph.models import Follow
    from feed.posts.models import Post
    from moderation.registry import SubjectType, subject_type_register

    post_save.connect(receivers.on_follow_saved, sender=Follow, dispatch_uid="feed.follow_notice")
    post_save.connect(receivers.on_post_saved, sender=Post, dispatch_uid="feed.remix_notice")
    subject_type_register(
        SubjectType(
            name="comment",
            load=receivers.reported_comments,
            template="feed/_moderation_comment.html",
            show=receivers.comment_moderation_show,
            hideable=True,
            owner=receivers.comment_owner,
            approve_label=pgettext_lazy("moderation queue button", "Keep comment"),
            reject_label=pgettext_lazy("moderation queue button", "Remove comment"),
        )
    )


def _accounts() -> None:
    """Avatars' media rule, and profiles as a moderation subject."""
    from feed.accounts import receivers
    from feed.accounts.selectors import avatar_readable
    from moderation.registry import SubjectType, subject_type_register
    from sora_site.media_views import media_rule_register

    media_rule_register(avatar_readable)
    subject_type_register(
        SubjectType(
            name="profile",
            load=receivers.reported_profiles,
            template="feed/_moderation_profile.html",
            show=receivers.profile_moderation_show,
            hideable=True,
            owner=receivers.profile_owner,
            approve_label=pgettext_lazy("moderation queue button", "Keep profile"),
            reject_label=pgettext_lazy("moderation queue button", "Hide profile"),
        )
    )


def _search() -> None:
    """The search index follows posts and profiles (saved in lower packages: Django's post_save), and
    catches up after `migrate` on what it has never seen."""
    from django.apps import apps
    from django.db.models.signals import post_migrate, post_save

    from feed.accounts.models import User
    from feed.posts.models import Post
    from feed.search import receivers

    post_save.connect(receivers.on_post_saved, sender=Post, dispatch_uid="feed.search_post")
    post_save.connect(receivers.on_user_saved, sender=User, dispatch_uid="feed.search_person")
    post_migrate.connect(receivers.on_migrated, sender=apps.get_app_config("feed"), dispatch_uid="feed.search_missing")
