"""The provenance steps of the finishing pipeline (named in settings, see generation/finishing.py)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from generation.finishing import Clip
from generation.provenance import invisible, signing, visible

SOFT_BINDING = "soft_binding"  # clip.metadata: the watermark's value, when the clip carries one
# clip.metadata: True when every frame already carries this creator's visible label (a stitch of their own
# drafts, each labelled when it was made): drawing it again would show two.
LABELLED = "labelled"


def visible_watermark(clip: Clip) -> None:
    """Site name + the creator's @handle, moving around the frame."""
    if clip.metadata.get(LABELLED):
        return
    text = visible.label_text(settings.SITE_NAME, clip.job.owner.get_username())
    clip.frames = visible.frames_label(clip.frames, clip.fps, text)


def invisible_watermark(clip: Clip) -> None:
    """The job's id (error-corrected), in every frame; the manifest will name it as a soft binding."""
    clip.frames = invisible.frames_mark(clip.frames, clip.job.pk)
    clip.metadata[SOFT_BINDING] = invisible.soft_binding_value(clip.job.pk)


def c2pa_sign(clip: Clip, path: Path) -> None:
    """Sign the MP4: created, edited from its parent's MP4 (the remix's ingredient), or joined from its
    drafts' MP4s (a stitch's ingredients)."""
    parent = clip.job.remix_of
    claim = signing.GenerationClaim(
        job=clip.job.public_id,
        model=clip.job.model,
        prompt=clip.job.prompt,
        parent_path=clip.request.parent_video if parent is not None else None,
        parent_job=parent.public_id if parent is not None else None,
        soft_binding=clip.metadata.get(SOFT_BINDING),
        components=clip.ingredients,
    )
    signing.mp4_sign(path, claim)
