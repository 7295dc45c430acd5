"""No shared disk: web (gunicorn), a gpu-queue worker and a default-queue worker run as separate "hosts",
each in its own working directory with its own VAR_DIR, sharing only PostgreSQL, Redis and S3 (a real S3
API, moto_server, on loopback). Keys and secrets come from settings (the environment), as a deployment
hands them to every host. One video goes the whole way: created on the web, generated and finished by
the gpu worker, read and downloaded through the Videos API, announced by a signed webhook (sent from the
default worker), checked for publishing by the default worker, shown on its post page, downloaded, and
traced by /verify/; its request id and job id are in the worker's log lines, and each host's /metrics
counted its part."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
import requests
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from prometheus_client.parser import text_string_to_metric_families

from feed.models import Post, User
from generation.models import GenerationJob, WebhookEndpoint
from sora_site.celery import worker_argv
from tests.conftest import PASSWORD, ROOT, database_url_for_test_db, queues_purge, wait_for
from tests.generation.api.clients import key_for, sdk
from tests.generation.api.receiver import WebhookReceiver

pytestmark = pytest.mark.slow
BUCKET = "openreel-media"
TOKEN = "multihost-scrape-token"
MEDIA_SUFFIXES = {".mp4", ".jpg", ".jpeg", ".png", ".webp", ".wav"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Host:
    name: str
    root: Path  # its working directory; VAR_DIR is root/var
    process: subprocess.Popen
    log: Path
    metrics_port: int = 0

    def log_lines(self) -> list[dict]:
        """The JSON log lines it wrote (LOG_FORMAT=json), skipping anything else on its output."""
        lines = []
        for line in self.log.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                try:
                    lines.append(json.loads(line))
                except ValueError:
                    pass
        return lines


@pytest.fixture
def cluster(transactional_db, s3_endpoint: str, tmp_path: Path) -> Iterator[dict[str, object]]:
    """The three hosts, started from the same settings a deployment would give them."""
    boto3.client(
        "s3", endpoint_url=s3_endpoint, aws_access_key_id="k", aws_secret_access_key="s", region_name="us-east-1"
    ).create_bucket(Bucket=BUCKET)
    # The signing chain is deployed to every host (config management), never made by one of them.
    secrets_dir = tmp_path / "secrets"
    secrets_dir.mkdir()
    for source in (settings.C2PA_CERT_FILE, settings.C2PA_KEY_FILE, settings.C2PA_TRUST_ANCHORS_FILE):
        shutil.copy(source, secrets_dir / Path(source).name)
    shared = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/root"),
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "sora_site.settings",  # production settings, not the suite's
        "WORKER_NICENESS": "0",  # as the suite's workers (tests/settings.py): a busy test machine starves them
        "DATABASE_URL": database_url_for_test_db(),
        "REDIS_URL": os.environ["REDIS_URL"],
        "CHANNELS_PREFIX": f"multihost{os.getpid()}",
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "MEDIA_STORAGE": "s3",
        "S3_BUCKET": BUCKET,
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": "k",
        "S3_SECRET_ACCESS_KEY": "s",
        "C2PA_CERT_FILE": str(secrets_dir / Path(settings.C2PA_CERT_FILE).name),
        "C2PA_KEY_FILE": str(secrets_dir / Path(settings.C2PA_KEY_FILE).name),
        "C2PA_TRUST_ANCHORS_FILE": str(secrets_dir / Path(settings.C2PA_TRUST_ANCHORS_FILE).name),
        "METRICS_TOKEN": TOKEN,
        "WEBHOOK_ALLOW_PRIVATE_TARGETS": "1",  # the test's receiver listens on loopback
        "LOG_FORMAT": "json",
        "HF_HUB_OFFLINE": "1",
        "TEXT_EMBEDDINGS_WARM": "0",
        # Each worker would load all seven of settings.WORKER_MODELS before its first task (~24 s of CPU
        # each; the default-queue host needs few of them): they load when a task first needs one instead.
        # Warming is tested on its own (tests/generation/test_worker_models.py).
        "WORKER_MODELS_WARM": "0",
        "FEED_SIMILAR_REFRESH_SECONDS": "0",
        "FEED_POOL_SECONDS": "0",
    }
    hosts: list[Host] = []

    def start(name: str, argv: list[str], **env: str) -> Host:
        root = tmp_path / name
        (root / "var").mkdir(parents=True)
        (root / "prometheus").mkdir()
        log = tmp_path / f"{name}.log"
        process = subprocess.Popen(
            argv,
            cwd=root,
            env={**shared, "VAR_DIR": str(root / "var"), "PROMETHEUS_MULTIPROC_DIR": str(root / "prometheus"), **env},
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        host = Host(name, root, process, log, int(env.get("METRICS_PORT", 0)))
        hosts.append(host)
        return host

    queues_purge()
    web_port = free_port()
    web = start(
        "web",
        [str(ROOT / ".venv/bin/gunicorn"), "sora_site.wsgi", "-w", "2", "-b", f"127.0.0.1:{web_port}", "-t", "300"],
    )
    gpu = start("gpu", worker_argv(queues="gpu", loglevel="info"), METRICS_PORT=str(free_port()))
    cpu = start("cpu", worker_argv(queues="default", loglevel="info"), METRICS_PORT=str(free_port()))
    web_url = f"http://127.0.0.1:{web_port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if requests.get(f"{web_url}/healthz", timeout=120).status_code == 200:
                    break
            except requests.RequestException:  # not listening yet, or still loading the app
                pass
            assert time.monotonic() < deadline, web.log.read_text()[-3000:]
            assert web.process.poll() is None, web.log.read_text()[-3000:]
            time.sleep(0.5)
        yield {"web": web, "gpu": gpu, "cpu": cpu, "url": web_url, "s3": s3_endpoint}
    finally:
        for host in hosts:
            if host.process.poll() is None:
                os.killpg(host.process.pid, 15)
        for host in hosts:
            try:
                host.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(host.process.pid, 9)
                host.process.wait(timeout=10)


def labels(**pairs: str) -> frozenset:
    return frozenset(pairs.items())


def scrape(url: str) -> dict[tuple[str, frozenset], float]:
    response = requests.get(url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert response.status_code == 200, response.text[:300]
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def signed_in(url: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{url}/login/", timeout=120).raise_for_status()
    response = session.post(
        f"{url}/login/",
        {"username": "alice", "password": PASSWORD, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        timeout=120,
    )
    assert response.status_code == 200 and "sessionid" in session.cookies, response.text[:500]
    return session


def test_a_video_goes_the_whole_way_across_hosts_that_share_no_disk(cluster: dict, alice: User) -> None:
    url, web, gpu, cpu = cluster["url"], cluster["web"], cluster["gpu"], cluster["cpu"]
    # The suite hashes passwords with MD5 for speed; the hosts run production settings, which read PBKDF2.
    alice.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    alice.save(update_fields=["password"])
    s3 = boto3.client(
        "s3", endpoint_url=cluster["s3"], aws_access_key_id="k", aws_secret_access_key="s", region_name="us-east-1"
    )
    ready = requests.get(f"{url}/readyz", timeout=120)
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"]["storage"]["status"] == "ok"

    receiver = WebhookReceiver()
    endpoint = WebhookEndpoint.objects.create(owner=alice, url=receiver.url)
    api = sdk(url, key_for(alice))
    session = signed_in(url)
    request_id = f"multihost-{os.getpid()}-{time.time_ns()}"
    created = session.post(
        f"{url}/create/",
        {"prompt": "a paper boat drifting across a pond at dawn", "model": "sora-2", "seconds": "4"},
        headers={"X-Request-ID": request_id, "X-CSRFToken": session.cookies["csrftoken"]},
        timeout=240,
    )
    assert created.status_code == 200, created.text[:500]
    job = GenerationJob.objects.get(owner=alice)

    # The gpu host generates and finishes it; the file lands in S3 only.
    job = wait_for(job, lambda j: j.state in ("completed", "failed"), timeout=300)
    assert job.state == "completed", (job.error_code, job.error_message, gpu.log.read_text()[-3000:])
    stored = s3.get_object(Bucket=BUCKET, Key=job.video.name)["Body"].read()
    assert len(stored) > 10_000

    # The Videos API on the web host reads the same job and hands out the same bytes; the default host
    # delivered the signed webhook.
    assert api.videos.retrieve(job.public_id).status == "completed"
    assert api.videos.download_content(job.public_id, variant="video").read() == stored
    try:
        (delivery,) = receiver.wait_for(1, timeout=180)
    finally:
        receiver.close()
    event = api.webhooks.unwrap(delivery.body, delivery.headers, secret=endpoint.secret)
    assert (event.type, event.data.id) == ("video.completed", job.public_id)

    # Its request id crossed from the web into the gpu worker's task, next to the job id.
    job_lines = [line for line in gpu.log_lines() if line.get("job_id") == str(job.pk)]
    assert job_lines, gpu.log.read_text()[-3000:]
    assert {line["request_id"] for line in job_lines} == {request_id}

    # Publishing: the default host runs the publish check, reading the video back from S3.
    published = session.post(
        f"{url}/drafts/{job.public_id}/post/",
        {"caption": "Dawn on the pond", "visibility": "public", "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        allow_redirects=False,
        timeout=240,
    )
    assert published.status_code == 302, published.text[:500]
    post_path = published.headers["Location"]
    post = Post.objects.get(pk=int(re.fullmatch(r"/p/(\d+)/", post_path).group(1)))
    deadline = time.monotonic() + 180
    while post.review == Post.Review.CHECKING:
        assert time.monotonic() < deadline, cpu.log.read_text()[-3000:]
        time.sleep(0.5)
        post.refresh_from_db()
    assert post.review == Post.Review.CLEAR

    # Anyone sees the post page (presigned S3 URLs) and can download the stored file.
    page = requests.get(f"{url}{post_path}", timeout=120)
    assert page.status_code == 200 and "X-Amz-Signature=" in page.text
    download = requests.get(f"{url}{post_path}download/", allow_redirects=False, timeout=120)
    assert download.status_code == 302 and download.headers["Location"].startswith(cluster["s3"])
    downloaded = requests.get(download.headers["Location"], timeout=120)
    assert downloaded.status_code == 200 and downloaded.content == stored

    # /verify/ on the web host traces the download to its post: the gpu host's C2PA signature is
    # trusted by the web host's anchors, the invisible watermark names the job.
    verifier = requests.Session()
    verifier.get(f"{url}/verify/", timeout=120).raise_for_status()
    verified = verifier.post(
        f"{url}/verify/",
        files={"video": ("downloaded.mp4", downloaded.content, "video/mp4")},
        data={"csrfmiddlewaretoken": verifier.cookies["csrftoken"]},
        headers={"Accept": "application/json"},
        timeout=240,
    )
    assert verified.status_code == 200, verified.text[:500]
    body = verified.json()
    assert body["c2pa"]["state"] == "Trusted", body["c2pa"]
    assert body["watermark"] == {"found": True, "job": job.public_id}
    assert body["original"] == {"state": "found", "matched_by": "c2pa", "url": post_path}

    # Nothing was written to a host's own disk: media exist only in S3.
    for host in (web, gpu, cpu):
        local = [path for path in host.root.rglob("*") if path.suffix.lower() in MEDIA_SUFFIXES]
        assert local == [], (host.name, local)

    # Each host counted its part, across its processes (PROMETHEUS_MULTIPROC_DIR).
    worker_metrics = scrape(f"http://127.0.0.1:{gpu.metrics_port}/metrics")
    assert worker_metrics[("sora_job_phase_seconds_count", labels(phase="generate", model="sora-2"))]
    finished = labels(state="completed", model="sora-2", error_code="")
    assert worker_metrics[("sora_jobs_finished_total", finished)] == 1
    assert worker_metrics[("sora_moderation_decisions_total", labels(stage="frames", decision="allowed"))]
    publish_metrics = scrape(f"http://127.0.0.1:{cpu.metrics_port}/metrics")
    clear = labels(stage="publish", decision="clear")
    assert publish_metrics[("sora_moderation_decisions_total", clear)] == 1
    web_metrics = scrape(f"{url}/metrics")
    assert web_metrics[("sora_http_request_seconds_count", labels(view="create", method="POST"))]
    assert web_metrics[("sora_moderation_decisions_total", labels(stage="prompt", decision="allowed"))]
    assert web_metrics[("sora_queue_depth", labels(queue="gpu"))] == 0
