"""Writes for posts: publishing a finished draft, its creator's edits and deletion, taking a post down.

Generation ends at a completed draft; from there the video belongs to the feed. Generation never
imports this module: it announces withdrawals and deletions with signals, answered in `feed.posts.hooks`.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from cameos.selectors import cameos_of_job
from feed.accounts.models import User
from feed.notifications.services import notification_send
from feed.posts.models import Post
from generation.models import GenerationJob
from generation.selectors import job_get_for_owner
from moderation import services as moderation_services
from sora_site.errors import DomainError

CAPTION_MAX = Post._meta.get_field("caption").max_length or 0


def post_publish(*, job: GenerationJob, by: User, caption: str, visibility: str, show_prompt: bool) -> Post:
    """Post a finished draft of `by`'s. A remix points at the post of the video it remixed, if any."""
    job = job_get_for_owner(job.public_id, by)
    moderation_services.account_standing_check(user=by)
    if visibility not in Post.Visibility.values:
        raise DomainError("invalid_visibility", "Choose public, unlisted or private.", field="visibility")
    if len(caption) > CAPTION_MAX:
        raise DomainError("caption_too_long", f"Captions can be at most {CAPTION_MAX:,} characters.", field="caption")
    if caption.strip():  # moderation's publish stage: captions meet stricter thresholds than prompts
        moderation_services.text_check(text=caption, surface="caption", user=by, field="caption")
    with transaction.atomic():
        job = GenerationJob.objects.select_for_update().get(pk=job.pk)
        if job.state != GenerationJob.State.COMPLETED:
            raise DomainError("draft_not_ready", "Only finished videos can be posted.")
        if Post.objects.filter(job=job).exists():
            raise DomainError("already_posted", "This video is already posted.")
        post = Post.objects.create(
            author=by,
            job=job,
            video=job.video.name,
            poster=job.poster.name,
            caption=caption.strip(),
            prompt=job.prompt,
            show_prompt=show_prompt,
            visibility=visibility,
            is_preview=job.is_preview,
            seconds=job.seconds,
            remix_of=Post.objects.filter(job_id=job.remix_of_id).first() if job.remix_of_id else None,
        )
        _cameo_owners_tell(post)
        return post


def _cameo_owners_tell(post: Post) -> None:
    """Each cameo owner (other than the author) learns their likeness is now in a posted video: stored
    with the post, pushed after commit by `notification_send`."""
    for cameo in cameos_of_job(post.job_id) if post.job_id else []:
        if cameo.owner_id == post.author_id:
            continue
        notification_send(
            recipient=cameo.owner,
            actor=post.author,
            kind="cameo_posted",
            text=f"@{post.author.username} posted a video with your cameo @{cameo.handle}.",
            subject=f"post:{post.pk}",
        )


def post_take_down(*, post: Post, reason: str) -> bool:
    """Hide a post from everyone but its author, who sees the reason. False if it already was."""
    return bool(
        Post.objects.filter(pk=post.pk, taken_down_at=None).update(
            taken_down_at=timezone.now(), taken_down_reason=reason[:200]
        )
    )


def post_restore(*, post: Post) -> bool:
    """Show a post taken down by moderation again (an approve or an upheld appeal). A post whose
    files were erased for consent cannot come back. False if it was not down."""
    if not Post.objects.filter(pk=post.pk).exclude(video="").exists():
        raise DomainError("post_media_erased", "This video's files were erased for consent; it can't be shown again.")
    return bool(
        Post.objects.filter(pk=post.pk).exclude(taken_down_at=None).update(taken_down_at=None, taken_down_reason="")
    )


def _own(post: Post, by: User) -> Post:
    if post.author_id != by.pk:
        raise DomainError("post_forbidden", "Only its creator can change this post.", status=403)
    return post


def post_update(*, post: Post, by: User, caption: str, visibility: str) -> Post:
    """Its creator edits the caption, unposts it (private: only they see it) or posts it again."""
    post = _own(post, by)
    if len(caption) > CAPTION_MAX:
        raise DomainError("caption_too_long", f"Captions can be at most {CAPTION_MAX:,} characters.", field="caption")
    if visibility not in Post.Visibility.values:
        raise DomainError("invalid_visibility", "Choose public, unlisted or private.", field="visibility")
    post.caption, post.visibility = caption.strip(), visibility
    post.save(update_fields=["caption", "visibility"])
    return post


def post_delete(*, post: Post, by: User) -> None:
    """The post goes (with its likes, comments and views); its video stays in the creator's drafts."""
    _own(post, by).delete()
