"""Every finished MP4 carries a C2PA manifest signed with the site's key, read as Trusted here."""

from __future__ import annotations

from pathlib import Path

import pytest

from feed.models import User
from generation.provenance.signing import TRAINED, manifest_read
from tests.builders.finished_jobs import finished_job

pytestmark = pytest.mark.slow


def test_a_generated_video_reads_trusted_and_one_flipped_byte_reads_invalid(alice: User, tmp_path: Path) -> None:
    job = finished_job(alice, "a paper boat on a puddle")
    path = Path(job.video.path)
    manifest = manifest_read(path)
    assert manifest.state == "Trusted", manifest.errors
    assert manifest.actions == ["c2pa.created"]
    assert manifest.digital_source_type == TRAINED
    assert manifest.generation["job"] == job.public_id
    assert manifest.generation["model"] == job.model
    assert len(manifest.generation["prompt_sha256"]) == 64
    assert "paper boat" not in str(manifest.generation) and "alice" not in str(manifest.generation)

    data = bytearray(path.read_bytes())
    data[data.rfind(b"mdat") + 1000] ^= 0x01  # one bit of the video itself
    flipped = tmp_path / "flipped.mp4"
    flipped.write_bytes(bytes(data))
    tampered = manifest_read(flipped)
    assert tampered.state == "Invalid"
    assert any("mismatch" in code for code in tampered.errors), tampered.errors


def test_a_remix_is_an_edit_with_its_parent_as_ingredient(alice: User) -> None:
    parent = finished_job(alice, "a lantern floating on a lake")
    remix = finished_job(alice, "the lantern turns into a moon", remix_of=parent)
    manifest = manifest_read(Path(remix.video.path))
    assert manifest.state == "Trusted", manifest.errors
    assert manifest.actions == ["c2pa.opened", "c2pa.edited"]
    assert manifest.generation["remix_of"] == parent.public_id
    assert manifest.ingredients == [
        {"title": f"{parent.public_id}.mp4", "relationship": "parentOf", "job": parent.public_id}
    ]


def test_a_video_signed_by_another_ca_is_valid_not_trusted(alice: User, settings, tmp_path: Path) -> None:
    from django.core.management import call_command

    job = finished_job(alice, "a kite in the wind")
    call_command("provenance_keys", folder=tmp_path, verbosity=0)
    settings.C2PA_TRUST_ANCHORS_FILE = tmp_path / "ca.pem"  # a stranger's CA as our only anchor
    assert manifest_read(Path(job.video.path)).state == "Valid"
