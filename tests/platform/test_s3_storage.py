"""MEDIA_STORAGE=s3 against a real HTTP S3 endpoint (moto_server: the one thing outside our stack)."""

from __future__ import annotations

import boto3
import pytest
from botocore.client import BaseClient
from django.core.files.storage import default_storage

from feed.models import User
from generation import services, worker
from sora_site.env import S3Settings, s3_storage_config

pytestmark = pytest.mark.slow
BUCKET = "openreel-test"


@pytest.fixture
def s3_storage(settings, s3_endpoint: str) -> BaseClient:
    credentials = {"aws_access_key_id": "test", "aws_secret_access_key": "test", "region_name": "us-east-1"}
    boto3.client("s3", endpoint_url=s3_endpoint, **credentials).create_bucket(Bucket=BUCKET)
    s3 = S3Settings(bucket=BUCKET, endpoint_url=s3_endpoint, region="us-east-1", access_key="test", secret_key="test")
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage_config(s3)}
    return boto3.client("s3", endpoint_url=s3_endpoint, **credentials)


def test_drafts_and_remixes_work_on_s3(alice: User, s3_storage) -> None:
    assert default_storage.__class__.__name__ == "S3Storage"
    parent, _ = services.job_create(owner=alice, prompt="a lantern floating on a lake")
    worker.job_execute(parent.pk)
    parent.refresh_from_db()
    assert parent.state == "completed", parent.error_message
    stored = s3_storage.head_object(Bucket=BUCKET, Key=parent.video.name)
    assert stored["ContentLength"] > 10_000
    assert "X-Amz-Signature=" in parent.video.url  # private media: presigned URLs only

    # A remix reads its parent back through a temporary local copy.
    remix, _ = services.job_create(owner=alice, prompt="the lantern turns into a moon", remix_of=parent)
    worker.job_execute(remix.pk)
    remix.refresh_from_db()
    assert remix.state == "completed", remix.error_message
    services.job_delete(job=remix, by=alice)
    keys = {item["Key"] for item in s3_storage.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert parent.video.name in keys and remix.video.name not in keys
