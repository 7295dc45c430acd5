"""Posts' answers to the layers below them (connected in feed/wiring.py): generation's signals and
remix question, the media rule for posts, moderation's "post" subject. Generation never imports posts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.utils.translation import gettext

from feed.accounts.hidden_reasons import moderation_reason
from feed.accounts.models import User
from feed.posts.models import Post
from feed.posts.selectors import post_get_for_viewer
from feed.posts.services import STITCH_PART_DOWN, post_restore, post_take_down
from generation.models import GenerationJob
from generation.storage import job_files_erase
from moderation.selectors import user_is_moderator
from sora_site.errors import DomainError
from sora_site.texts import Sentence


def on_job_withdrawn(sender: type[GenerationJob], *, job: GenerationJob, reason: str | Sentence, **kwargs: Any) -> bool:
    """A video withdrawn for consent (a cameo it shows was deleted or its owner removed it) that was
    posted is taken down and stays down; its video, poster and spritesheet are erased (and the frame
    hashes derived from it), so nobody, the author included, can see it any more. The post row keeps
    the reason for its author."""
    post = Post.objects.filter(job=job).first()
    if post is None:
        return False
    post_take_down(post=post, reason=reason)
    for file in (post.video, post.poster):
        if file.name:
            file.storage.delete(file.name)
    Post.objects.filter(pk=post.pk).update(video="", poster="")
    job_files_erase(job=job)  # generation erases its own files and rows
    return True


def on_job_deleting(sender: type[GenerationJob], *, job: GenerationJob, **kwargs: Any) -> None:
    if Post.objects.filter(job=job).exists():
        raise DomainError("job_posted", gettext("This video is posted. Delete the post instead."))


def remix_grant(job: GenerationJob, user: User) -> bool | None:
    """Anyone may remix a video whose post they may see (public or unlisted, not blocked, not taken down);
    its author too, unless the post is in review, held or taken down: remixing would carry what a
    moderator is judging, or removed, into a new video. None for a video never posted."""
    post = Post.objects.filter(job=job).first()
    if post is None:
        return None
    if post.author_id == user.pk:
        return post.taken_down_at is None
    if post.visibility == Post.Visibility.PRIVATE:
        return False
    try:
        post_get_for_viewer(post.pk, user)
    except DomainError:
        return False
    return True


def post_media_readable(name: str, viewer: AbstractBaseUser | None) -> bool:
    """A post's video, poster, spritesheet and subtitles are readable by whoever may see the post, and by
    moderators (a post erased for consent has no files left to read)."""
    viewer = viewer if isinstance(viewer, User) else None
    post = (
        Post.objects.filter(video=name).first()
        or Post.objects.filter(poster=name).first()
        or Post.objects.filter(job__spritesheet=name).first()
        or Post.objects.filter(job__subtitles=name).first()
    )
    if post is None:
        return False
    if user_is_moderator(viewer or AnonymousUser()):  # a hidden or removed post stays reviewable
        return True
    try:
        post_get_for_viewer(post.pk, viewer)
    except DomainError:
        return False
    return True


def reported_posts(subject_ids: Sequence[str]) -> Mapping[str, object]:
    """The posts of a page of moderation cases (reports), shown with their video in the queue."""
    pks = [int(i) for i in subject_ids if i.isdigit()]
    return {str(post.pk): post for post in Post.objects.filter(pk__in=pks).select_related("author")}


def _post_of(subject_id: str) -> Post | None:
    return Post.objects.filter(pk=int(subject_id)).select_related("author").first() if subject_id.isdigit() else None


def post_owner(subject_id: str) -> User | None:
    """Whose the post is: the moderator's strikes and suspensions reach them, and they may appeal."""
    post = _post_of(subject_id)
    return post.author if post is not None else None


def post_moderation_show(*, subject_id: str, visibility: str, reason: str, by: User) -> None:
    """A moderator hides a post (from everyone but its author, who sees why and may appeal), removes
    it (the same, as a final take-down; a post whose files were erased for consent too) or shows it
    again (approve, or an upheld appeal; refused for erased files: `post_restore`)."""
    post = _post_of(subject_id)
    if post is None:
        return
    if visibility == "visible":
        post_restore(post=post)
        _stitch_posts_restore(post.job_id)
        return
    post_take_down(post=post, reason=moderation_reason(visibility, reason) or "")
    # A stitch shows its drafts' frames: its post goes down with them (one that is down already
    # keeps its own reason, so it does not come back with this one).
    for stitch_post in _stitch_posts(post.job_id).filter(taken_down_at=None):
        post_take_down(post=stitch_post, reason=STITCH_PART_DOWN())


def _stitch_posts(job_id: int | None) -> QuerySet[Post]:
    """The posts of every stitch that shows `job_id`'s frames, stitches of stitches included."""
    found: set[int] = set()
    frontier = {job_id} if job_id is not None else set()
    while frontier:
        frontier = (
            set(GenerationJob.objects.filter(stitch_parts__source_id__in=frontier).values_list("pk", flat=True)) - found
        )
        found |= frontier
    return Post.objects.filter(job_id__in=found)


def _stitch_posts_restore(job_id: int | None) -> None:
    """Show again the stitches' posts taken down with this video, once every posted video they join
    is up (in rounds, so a stitch of a stitch follows the stitch it joins)."""
    waiting = {p.pk: p for p in _stitch_posts(job_id) if p.taken_down_sentence.get("code") == STITCH_PART_DOWN.code}
    changed = True
    while changed:
        changed = False
        for pk, stitch_post in list(waiting.items()):
            sources = GenerationJob.objects.filter(stitched_into__stitch_id=stitch_post.job_id)
            if not Post.objects.filter(job__in=sources).exclude(taken_down_at=None).exists():
                post_restore(post=stitch_post)
                del waiting[pk]
                changed = True
