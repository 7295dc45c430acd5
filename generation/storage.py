"""A job's files in storage: deleting them, and erasing a finished video's files when it is withdrawn.

Only generation writes `GenerationJob` rows; the feed calls `job_files_erase` for a posted video taken
down for consent instead of clearing the job's fields itself.
"""

from __future__ import annotations

from generation.fingerprint_index import fingerprints_delete
from generation.models import GenerationJob


def media_delete(*names: str | None) -> None:
    storage = GenerationJob._meta.get_field("video").storage
    for name in names:
        if name:
            storage.delete(name)


def job_files_erase(*, job: GenerationJob) -> None:
    """Delete a finished video's video, poster, spritesheet and subtitles, and forget the sprite layout,
    frame hashes and fingerprints derived from them: nobody, its owner included, can see or match it
    any more."""
    media_delete(job.video.name, job.poster.name, job.spritesheet.name, job.subtitles.name)
    GenerationJob.objects.filter(pk=job.pk).update(
        video="", poster="", spritesheet="", subtitles="", sprite_layout={}, frame_hashes=[]
    )
    fingerprints_delete(job_id=job.pk)
