from django.apps import AppConfig


class FeedConfig(AppConfig):
    name = "feed"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Posts sit above generation: they answer its signals and fill its registries from here."""
        from django.db.models.signals import post_save

        from feed.accounts import hooks as account_hooks
        from feed.accounts.selectors import avatar_readable
        from feed.engagement import hooks as engagement_hooks
        from feed.engagement import receivers
        from feed.graph.models import Follow
        from feed.posts import (
            hooks,
            tasks,  # noqa: F401  (registers the tasks in every process: they are queued by name)
        )
        from feed.posts.models import Post
        from generation.hooks import job_deleting, job_withdrawn, remix_grant_register
        from moderation.registry import SubjectType, subject_type_register
        from sora_site.media_views import media_rule_register

        job_withdrawn.connect(hooks.on_job_withdrawn, dispatch_uid="feed.job_withdrawn")
        job_deleting.connect(hooks.on_job_deleting, dispatch_uid="feed.job_deleting")
        remix_grant_register(hooks.remix_grant)
        media_rule_register(hooks.post_media_readable)
        media_rule_register(avatar_readable)
        post_save.connect(receivers.on_follow_saved, sender=Follow, dispatch_uid="feed.follow_notice")
        post_save.connect(receivers.on_post_saved, sender=Post, dispatch_uid="feed.remix_notice")
        subject_type_register(
            SubjectType(
                name="post",
                load=hooks.reported_posts,
                template="feed/_moderation_subject.html",
                decide=hooks.post_moderation_decide,
                act=hooks.post_moderation_act,
                owner=hooks.post_owner,
                approve_label="Keep post",
                reject_label="Take down",
            )
        )
        subject_type_register(
            SubjectType(
                name="comment",
                load=engagement_hooks.reported_comments,
                template="feed/_moderation_comment.html",
                decide=engagement_hooks.comment_moderation_decide,
                act=engagement_hooks.comment_moderation_act,
                owner=engagement_hooks.comment_owner,
                approve_label="Keep comment",
                reject_label="Remove comment",
            )
        )
        subject_type_register(
            SubjectType(
                name="profile",
                load=account_hooks.reported_profiles,
                template="feed/_moderation_profile.html",
                decide=account_hooks.profile_moderation_decide,
                act=account_hooks.profile_moderation_act,
                owner=account_hooks.profile_owner,
                approve_label="Keep profile",
                reject_label="Hide profile",
            )
        )
