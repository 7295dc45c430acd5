"""MEDIA_STORAGE=s3 against a real HTTP S3 endpoint (moto_server: the one thing outside our stack)."""

from __future__ import annotations

import select
import socket
import socketserver
import threading
import time
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.client import BaseClient
from botocore.exceptions import EndpointConnectionError
from django.core.files.base import ContentFile
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


class DelayedRelay:
    """A TCP relay to `target` that starts listening on `port` only after `delay` seconds: until then S3
    refuses connections, as during an outage."""

    def __init__(self, port: int, target: str, delay: float) -> None:
        self.target = urlsplit(target)
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", port), self._handler(), bind_and_activate=False)
        self.server.allow_reuse_address = True
        self.server.daemon_threads = True
        self.serving = False
        self.timer = threading.Timer(delay, self._start)
        self.timer.start()

    def _start(self) -> None:
        self.server.server_bind()
        self.server.server_activate()
        self.serving = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _handler(self) -> type[socketserver.BaseRequestHandler]:
        target = (self.target.hostname, self.target.port)

        class Pipe(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                with socket.create_connection(target) as upstream:
                    sockets = [self.request, upstream]
                    while True:
                        readable, _, _ = select.select(sockets, [], [], 30)
                        if not readable:
                            return
                        for source in readable:
                            data = source.recv(65536)
                            if not data:
                                return
                            (upstream if source is self.request else self.request).sendall(data)

        return Pipe

    def close(self) -> None:
        self.timer.cancel()
        self.timer.join()
        if self.serving:
            self.server.shutdown()
        self.server.server_close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_store_waits_out_s3_refusing_connections_when_its_host_allows(settings, s3_endpoint: str) -> None:
    """S3_MAX_ATTEMPTS (a worker host sets 15): a file stored while S3 refuses connections is retried."""
    credentials = {"aws_access_key_id": "test", "aws_secret_access_key": "test", "region_name": "us-east-1"}
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, **credentials)
    s3.create_bucket(Bucket=BUCKET)
    port = free_port()
    down = S3Settings(BUCKET, f"http://127.0.0.1:{port}", "us-east-1", "test", "test", max_attempts=1)
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage_config(down)}
    default_storage.connection.meta.client  # noqa: B018  (botocore loads its models here: not part of the try)
    began = time.monotonic()
    with pytest.raises(EndpointConnectionError):
        default_storage.save("drafts/refused.mp4", ContentFile(b"\0" * 1000))
    assert time.monotonic() - began < 1.5  # one try, no backoff (botocore's own default waits seconds)

    patient = S3Settings(BUCKET, f"http://127.0.0.1:{port}", "us-east-1", "test", "test", max_attempts=15)
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage_config(patient)}
    relay = DelayedRelay(port, s3_endpoint, delay=2.0)
    try:
        started = time.monotonic()
        name = default_storage.save("drafts/patient.mp4", ContentFile(b"\1" * 1000))
        assert time.monotonic() - started >= 2.0
    finally:
        relay.close()
    assert s3.get_object(Bucket=BUCKET, Key=name)["Body"].read() == b"\1" * 1000
