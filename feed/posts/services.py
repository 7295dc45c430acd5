"""Writes for posts: publishing a finished draft, its creator's edits and deletion, taking a post down.

Generation ends at a completed draft; from there the video belongs to the feed. Generation never
imports this module: it announces withdrawals and deletions with signals, answered in `feed.posts.receivers`.

Publishing is moderation's stage 3. The caption is checked at once (a refusal loses nothing: the draft
stays a draft); the stored video's frames and the caption + prompt are re-checked at the feed's
stricter bars by `post_publish_check`, in a Celery task after commit, because that takes about 2 CPU-s
for a 10 s video. Until it passes the post is "in review": hidden from everyone but its creator.
"""

from __future__ import annotations

import io

import numpy as np
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce, Now
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from PIL import Image

from cameos.selectors import cameos_of_job
from feed.accounts.models import User
from feed.notifications.services import notification_send
from feed.posts.models import Post
from generation.models import GenerationJob
from generation.selectors import job_get_for_owner
from moderation.cases import case_frame_add, case_open
from moderation.metrics import stage_measured
from moderation.models import ModerationCase
from moderation.publish import PublishVerdict, publish_rules, publish_verdict
from moderation.sanctions import account_standing_check
from moderation.texts import texts_check
from sora_site import media
from sora_site.celery import task_enqueue
from sora_site.errors import DomainError
from sora_site.storage import local_path
from sora_site.texts import Sentence, sentence, sentence_columns, sentence_in

HELD_AT_PUBLISH = sentence("case_held_at_publish", gettext_lazy("Held at publish: post {id} by @{handle}: {reason}"))
CAMEO_POSTED = sentence("cameo_posted", gettext_lazy("@{handle} posted a video with your cameo @{cameo}."))

CAPTION_MAX = Post._meta.get_field("caption").max_length or 0
IN_REVIEW_REASON = sentence("post_in_review", gettext_lazy("In review: it appears once moderation's checks pass"))
STITCH_PART_DOWN = sentence("stitch_part_down", gettext_lazy("Hidden because a video it joins was taken down"))
EVIDENCE_FRAMES_MAX = 6


def draft_post_check(*, job: GenerationJob, by: User) -> GenerationJob:
    """May `by` post this draft? Only its maker, while their account is in good standing (not suspended
    or banned). Returns the draft as stored. Every door that posts a draft meets it in `post_publish`."""
    job = job_get_for_owner(job.public_id, by)
    account_standing_check(user=by)
    return job


def caption_check(*, caption: str, prompt: str, by: User) -> None:
    """Moderation's text check on a caption, read with its video's prompt (what a caption says is
    judged with what the video was asked to show), at publish and on every edit."""
    texts_check(texts=[("caption", caption)], context=[prompt], surface="caption", user=by)


def post_publish(*, job: GenerationJob, by: User, caption: str, visibility: str, show_prompt: bool) -> Post:
    """Post a finished draft of `by`'s. A remix points at the post of the video it remixed, if any."""
    job = draft_post_check(job=job, by=by)
    if visibility not in Post.Visibility.values:
        raise DomainError("invalid_visibility", gettext("Choose public, unlisted or private."), field="visibility")
    if len(caption) > CAPTION_MAX:
        raise DomainError(
            "caption_too_long",
            gettext("Captions can be at most %(max)s characters.") % {"max": f"{CAPTION_MAX:,}"},
            field="caption",
        )
    if caption.strip():  # moderation's publish stage: captions meet stricter thresholds than prompts
        caption_check(caption=caption, prompt=job.prompt, by=by)
    with transaction.atomic():
        job = GenerationJob.objects.select_for_update().get(pk=job.pk)
        if job.state != GenerationJob.State.COMPLETED:
            raise DomainError("draft_not_ready", gettext("Only finished videos can be posted."))
        if Post.objects.filter(job=job).exists():
            raise DomainError("already_posted", gettext("This video is already posted."))
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
            review=Post.Review.CHECKING,
            taken_down_at=timezone.now(),
            taken_down_reason=sentence_in("en", IN_REVIEW_REASON()),
            taken_down_sentence=IN_REVIEW_REASON().as_json(),
        )
        transaction.on_commit(lambda: task_enqueue("feed.posts.tasks.post_publish_check_run", post.pk))
        return post


def post_publish_check(*, post_id: int) -> Post | None:
    """Moderation's publish stage on a post being checked: frames sampled from its stored video and its
    caption + prompt against the feed's bars (policy.toml `[publish]`). Clear: published. Borderline:
    held for a moderator (a case at stage "publish" with the frames as evidence). Teen-unsuitable:
    published with `teen_suitable` False. None when the post is not being checked (a second delivery,
    or it was deleted meanwhile)."""
    post = Post.objects.filter(pk=post_id, review=Post.Review.CHECKING).first()
    if post is None:
        return None
    frames: list[np.ndarray] = []
    # The CPU preview renderer's abstract shapes are misread by NudeNet up to 0.73 (policy.toml
    # `[publish]`), and all it shows of the world (an input image, cameo portraits, a remix parent)
    # met the feed bar before; its frames are not held to it again. A video model's output is.
    unreadable = False
    if post.video.name and not post.is_preview:  # an erased post has nothing left to look at
        try:
            with local_path(post.video.name, post.video.storage) as path:
                decoded = media.decode_video(path, sample_fps=publish_rules().frames_per_second, with_audio=False)
            frames = decoded.frames
        except DomainError:  # a stored video PyAV cannot read is for a moderator to judge, not the feed
            unreadable = True
    with stage_measured("publish") as measured:
        verdict = publish_verdict(frames=frames, texts=[post.caption, post.prompt])
        if unreadable and not verdict.hold:
            verdict.hold, verdict.category = True, "unchecked"
            verdict.reasons.insert(0, "the stored video could not be decoded")
        measured.decision = "held" if verdict.hold else "clear" if verdict.teen_suitable else "clear_not_teen"
    with transaction.atomic():
        held = Post.objects.filter(pk=post.pk, review=Post.Review.CHECKING)
        outcome: dict[str, object]
        if verdict.hold:
            outcome = {"review": Post.Review.HELD}
        elif _stitch_part_down(post):
            # Passed, but a video it joins was hidden while it was checked: it stays down as the stitches
            # already posted went, and comes back with that video (`feed.posts.receivers`).
            english, stored = sentence_columns(STITCH_PART_DOWN(), 200)
            outcome = {"review": Post.Review.CLEAR, "taken_down_reason": english, "taken_down_sentence": stored}
        else:
            outcome = {"review": Post.Review.CLEAR, "taken_down_at": None, "taken_down_reason": ""}
        changed = held.update(teen_suitable=verdict.teen_suitable, **outcome)
        if not changed:
            return None
        if verdict.hold:
            _case_for_held(post, verdict, frames, fps=publish_rules().frames_per_second)
        else:  # now others can see it
            _cameo_owners_tell(post)
    post.refresh_from_db()
    return post


def _stitch_part_down(post: Post) -> bool:
    """Is a posted video this stitch joins down (hidden or removed, or held for a moderator)? One still in
    its own first check is not: its frames passed the frames stage already."""
    return (
        Post.objects.filter(job__stitched_into__stitch_id=post.job_id)
        .exclude(taken_down_at=None)
        .exclude(review=Post.Review.CHECKING)
        .exists()
    )


def _case_for_held(post: Post, verdict: PublishVerdict, frames: list[np.ndarray], *, fps: int) -> None:
    categories = {"nudity": ModerationCase.Category.NUDITY, "unchecked": ModerationCase.Category.UNCHECKED}
    category = categories.get(verdict.category, ModerationCase.Category.HELD_TEXT)
    case = case_open(
        subject_type="post",
        subject_id=str(post.pk),
        category=category,
        summary=HELD_AT_PUBLISH(id=post.pk, handle=post.author.username, reason=verdict.reasons[0]),
        action="held",
        stage=ModerationCase.Stage.PUBLISH,
        visibility=ModerationCase.Visibility.HIDDEN,
        detail={
            "stage": "publish",
            "category": verdict.category,
            "reasons": verdict.reasons,
            "scores": verdict.scores,
            "teen_suitable": verdict.teen_suitable,
            "caption": post.caption[:1000],
            "prompt": post.prompt[:1000],
        },
    )
    for finding in verdict.evidence[:EVIDENCE_FRAMES_MAX]:
        out = io.BytesIO()
        Image.fromarray(frames[finding.index]).save(out, "JPEG", quality=85)
        case_frame_add(
            case=case,
            image=ContentFile(out.getvalue(), "frame.jpg"),
            seconds=finding.index / fps,
            finding=f"{finding.label} {finding.score:.2f}",
        )


def _cameo_owners_tell(post: Post) -> None:
    """Each cameo owner (other than the author) learns their likeness is now in a published video (once
    the publish check lets others see it): stored with that change, pushed after commit."""
    for cameo in cameos_of_job(post.job_id) if post.job_id else []:
        if cameo.owner_id == post.author_id:
            continue
        notification_send(
            recipient=cameo.owner,
            actor=post.author,
            kind="cameo_posted",
            text=CAMEO_POSTED(handle=post.author.username, cameo=cameo.handle),
            subject=f"post:{post.pk}",
        )


def post_take_down(*, post: Post, reason: str | Sentence) -> None:
    """Hide a post from everyone but its author, who sees the latest reason (a post already down, its
    files erased for consent included, may still be hidden or removed by a moderator). A post in review
    that is taken down is no longer in review (a moderator removed it, or its cameo went)."""
    english, stored = sentence_columns(reason, 200)
    Post.objects.filter(pk=post.pk).update(
        taken_down_at=Coalesce(F("taken_down_at"), Now()),
        taken_down_reason=english,
        taken_down_sentence=stored,
        review=Post.Review.CLEAR,
    )


def post_restore(*, post: Post) -> bool:
    """Show a post taken down by moderation again (an approve or an upheld appeal). A post whose
    files were erased for consent cannot come back. False if it was not down."""
    if not Post.objects.filter(pk=post.pk).exclude(video="").exists():
        raise DomainError(
            "post_media_erased", gettext("This video's files were erased for consent; it can't be shown again.")
        )
    return bool(
        Post.objects.filter(pk=post.pk)
        .exclude(taken_down_at=None)
        .update(taken_down_at=None, taken_down_reason="", taken_down_sentence={}, review=Post.Review.CLEAR)
    )


def _own(post: Post, by: User) -> Post:
    if post.author_id != by.pk:
        raise DomainError("post_forbidden", gettext("Only its creator can change this post."), status=403)
    return post


def post_edit_check(*, post: Post, by: User, caption: str) -> None:
    """May `by` edit this post's caption and visibility? Only its creator, in good standing (not
    suspended or banned); and while the post is in review, held for a moderator or taken down, its
    caption stays as the check or the moderator saw it (a moderator's restore would otherwise show a
    caption nobody checked). Its visibility may still change: a taken-down post stays down whatever it is."""
    _own(post, by)
    account_standing_check(user=by)
    if caption.strip() != post.caption and (post.taken_down_at is not None or post.review != Post.Review.CLEAR):
        raise DomainError(
            "post_caption_locked",
            gettext("This post is in review or taken down, so its caption can't be changed now."),
            field="caption",
            status=403,
        )


def post_update(*, post: Post, by: User, caption: str, visibility: str) -> Post:
    """Its creator edits the caption, unposts it (private: only they see it) or posts it again."""
    post_edit_check(post=post, by=by, caption=caption)
    if len(caption) > CAPTION_MAX:
        raise DomainError(
            "caption_too_long",
            gettext("Captions can be at most %(max)s characters.") % {"max": f"{CAPTION_MAX:,}"},
            field="caption",
        )
    if visibility not in Post.Visibility.values:
        raise DomainError("invalid_visibility", gettext("Choose public, unlisted or private."), field="visibility")
    new_caption = caption.strip() != post.caption
    if new_caption and caption.strip():  # the same check as at publish: a refusal keeps the old caption
        caption_check(caption=caption, prompt=post.prompt, by=by)
    with transaction.atomic():
        post.caption, post.visibility = caption.strip(), visibility
        post.save(update_fields=["caption", "visibility"])
        if new_caption and post.review == Post.Review.CLEAR and post.taken_down_at is None:
            _caption_recheck(post)
    post.refresh_from_db()
    return post


def _caption_recheck(post: Post) -> None:
    """A published post's new caption meets the publish stage's text bars (its frames passed already):
    borderline holds it for review again; a caption can only make it less suitable for teens."""
    verdict = publish_verdict(frames=[], texts=[post.caption, post.prompt])
    teen_suitable = post.teen_suitable and verdict.teen_suitable
    if not verdict.hold:
        Post.objects.filter(pk=post.pk).update(teen_suitable=teen_suitable)
        return
    Post.objects.filter(pk=post.pk).update(
        review=Post.Review.HELD,
        teen_suitable=teen_suitable,
        taken_down_at=timezone.now(),
        taken_down_reason=sentence_in("en", IN_REVIEW_REASON()),
        taken_down_sentence=IN_REVIEW_REASON().as_json(),
    )
    _case_for_held(post, verdict, [], fps=publish_rules().frames_per_second)


def post_delete(*, post: Post, by: User) -> None:
    """The post goes (with its likes, comments and views); its video stays in the creator's drafts."""
    _own(post, by).delete()
