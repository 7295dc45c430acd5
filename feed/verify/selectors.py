"""Finding the original of a video: by its signed manifest, its invisible watermark, or its frames."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.urls import reverse

from feed.accounts.models import User
from feed.posts.models import Post
from feed.posts.selectors import post_get_for_viewer
from generation import fingerprint_index
from generation.models import GenerationJob
from generation.provenance import invisible
from generation.provenance.fingerprints import CopyFrame, job_matching
from generation.provenance.reading import HASH_MATCH_BITS, VideoReading, hashes_distance, video_read
from generation.provenance.signing import ManifestSummary, manifest_read
from sora_site.errors import DomainError


@dataclass
class Original:
    # "found": a post the viewer may see; "private": a draft or a post they may not see; "removed":
    # taken down; "deleted": the video was deleted; "none": nothing matched.
    state: str = "none"
    matched_by: str = ""  # "c2pa" | "watermark" | "fingerprint"
    post: Post | None = None


def manifest_json(manifest: ManifestSummary) -> dict[str, Any]:
    return {
        "state": manifest.state,
        "claim_generator": manifest.claim_generator,
        "actions": manifest.actions,
        "digital_source_type": manifest.digital_source_type,
        "generation": manifest.generation,
        "ingredients": manifest.ingredients,
        "issuer": manifest.issuer,
        "soft_bindings": manifest.soft_bindings,
        "errors": manifest.errors,
    }


@dataclass
class Verification:
    reading: VideoReading
    watermark_job: str | None  # the public id of the job the watermark names, when it still exists
    original: Original = field(default_factory=Original)
    # For a copy without its manifest: the original's, found through the watermark (C2PA soft binding).
    original_manifest: ManifestSummary | None = None

    def as_json(self) -> dict[str, Any]:
        post = self.original.post
        return {
            "c2pa": manifest_json(self.reading.manifest),
            "original_manifest": manifest_json(self.original_manifest) if self.original_manifest else None,
            "watermark": {"found": self.reading.watermark_job_pk is not None, "job": self.watermark_job},
            "original": {
                "state": self.original.state,
                "matched_by": self.original.matched_by,
                "url": reverse("post_detail", args=[post.pk]) if post is not None else None,
            },
        }


def video_verify(path: Path, viewer: User | None) -> Verification:
    reading = video_read(path)
    job_from_mark = (
        GenerationJob.objects.filter(pk=reading.watermark_job_pk).first() if reading.watermark_job_pk else None
    )
    verification = Verification(reading, job_from_mark.public_id if job_from_mark else None)
    # Only our own signature is believed: a Valid manifest from someone else's key could name any job.
    claimed = reading.manifest.generation.get("job") if reading.manifest.state == "Trusted" else None
    if claimed:
        verification.original = _original_of(GenerationJob.objects.filter(public_id=claimed).first(), viewer, "c2pa")
    elif reading.watermark_job_pk is not None:
        verification.original = _original_of(job_from_mark, viewer, "watermark")
        if job_from_mark is not None and verification.original.state == "found":
            verification.original_manifest = _manifest_bound_to_mark(job_from_mark, reading.watermark_job_pk)
    else:
        verification.original = (
            _original_by_fingerprints(reading.fingerprints, viewer)
            if fingerprint_index.index_present()
            else _original_by_frames(reading.hashes, viewer)
        )
    return verification


def _manifest_bound_to_mark(job: GenerationJob, mark: int) -> ManifestSummary | None:
    """The original video's manifest, when it is ours and its soft-binding assertion names this mark:
    the C2PA soft-binding lookup, with the stored original as the manifest repository."""
    with tempfile.NamedTemporaryFile(suffix=".mp4") as copy:
        with job.video.open("rb") as stored:
            shutil.copyfileobj(stored, copy)
        copy.flush()
        manifest = manifest_read(Path(copy.name))
    wanted = {"alg": invisible.SOFT_BINDING_ALG, "value": invisible.soft_binding_value(mark)}
    return manifest if manifest.state == "Trusted" and wanted in manifest.soft_bindings else None


def _original_of(job: GenerationJob | None, viewer: User | None, matched_by: str) -> Original:
    if job is None:
        return Original("deleted", matched_by)
    post = Post.objects.filter(job=job).first()
    return _post_as_seen(post, viewer, matched_by) if post else Original("private", matched_by)


def _post_as_seen(post: Post, viewer: User | None, matched_by: str) -> Original:
    try:
        return Original("found", matched_by, post_get_for_viewer(post.pk, viewer))
    except DomainError as error:
        return Original("removed" if error.code in ("post_taken_down", "post_removed") else "private", matched_by)


def _original_by_fingerprints(fingerprints: list[CopyFrame], viewer: User | None) -> Original:
    """The post whose video the copy's frames match, through pgvector's index (crops, reframing,
    letterboxes, mirroring: generation/provenance/fingerprints.py), when a candidate passes the finer,
    time-aligned check (`job_matching`). A job never posted is not an original to show."""
    job_id = job_matching(fingerprints)
    post = Post.objects.filter(job_id=job_id).first() if job_id is not None else None
    return _post_as_seen(post, viewer, "fingerprint") if post is not None else Original()


def _original_by_frames(hashes: list[int], viewer: User | None) -> Original:
    """Where PostgreSQL has no pgvector: the published post whose whole frames' hashes are nearest, if
    near enough, by a scan over every post's hashes (thousands of posts; no crops)."""
    best: tuple[float, int] | None = None
    for post_id, indexed in Post.objects.exclude(job__frame_hashes=[]).values_list("pk", "job__frame_hashes"):
        distance = hashes_distance(hashes, indexed)
        if distance <= HASH_MATCH_BITS and (best is None or distance < best[0]):
            best = (distance, post_id)
    if best is None:
        return Original()
    return _post_as_seen(Post.objects.get(pk=best[1]), viewer, "fingerprint")
