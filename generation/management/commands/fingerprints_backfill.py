"""`manage.py fingerprints_backfill`: put the frame fingerprints of finished videos that lack them into
the /verify/ index (videos finished before the index existed, or indexed before migration 0011 added
the details a match is checked with). Idempotent; a no-op without pgvector."""

from __future__ import annotations

import shutil
import tempfile
from typing import Any

import av
from django.core.management.base import BaseCommand, CommandError, CommandParser

from generation.fingerprint_index import fingerprints_save, index_present, jobs_indexed
from generation.models import GenerationJob
from generation.provenance.fingerprints import INDEX_FPS, IndexedFrame, indexed_frame


def stored_video_fingerprints(job: GenerationJob) -> list[IndexedFrame]:
    """The fingerprints finishing would have stored, read from the job's stored MP4."""
    prints: list[IndexedFrame] = []
    with tempfile.NamedTemporaryFile(suffix=".mp4") as copy:
        with job.video.open("rb") as stored:
            shutil.copyfileobj(stored, copy)
        copy.flush()
        with av.open(copy.name) as container:
            next_at = 0.0
            for index, frame in enumerate(container.decode(video=0)):
                at = float(frame.time) if frame.time is not None else index / 24.0
                if at + 1e-6 >= next_at:
                    next_at = at + 1.0 / INDEX_FPS
                    entry = indexed_frame(frame.to_ndarray(format="gray"), at)
                    if entry is not None:
                        prints.append(entry)
    return prints


class Command(BaseCommand):
    help = "Index the frame fingerprints of finished videos that are not in the /verify/ index yet."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=0, help="at most this many videos (0: all)")

    def handle(self, *args: Any, limit: int, **options: Any) -> None:
        if not index_present():
            raise CommandError("This database has no fingerprint index (pgvector is not installed).")
        done = jobs_indexed()
        jobs = GenerationJob.objects.filter(state=GenerationJob.State.COMPLETED).exclude(video="")
        count = 0
        for job in jobs.order_by("pk").iterator():
            if job.pk in done:
                continue
            if limit and count >= limit:
                break
            fingerprints_save(job_id=job.pk, frames=stored_video_fingerprints(job))
            count += 1
        self.stdout.write(f"Indexed the frame fingerprints of {count} videos.")
