"""Keys (hashed, shown once, revocable, expiring; the operator's command) and webhook delivery with
retries, through the settings pages and the Celery task run in-process."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
import socket
import ssl
from collections.abc import Iterator
from pathlib import Path

import certifi
import openai
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from openai.types import Video
from standardwebhooks import Webhook

from feed.models import User
from generation.api.tasks import webhook_deliver
from generation.api.webhooks import events as webhooks
from generation.api.webhooks.endpoints import webhook_endpoint_create
from generation.models import ApiKey, GenerationJob, WebhookDelivery, WebhookEndpoint
from generation.retention import videos_delete_expired
from generation.transitions import job_end
from sora_site.celery import app as celery_app
from sora_site.errors import DomainError
from tests.generation.api.clients import key_for, sdk_in_process
from tests.generation.api.receiver import WebhookReceiver


@pytest.fixture
def receiver(settings) -> Iterator[WebhookReceiver]:
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    # Tasks run here with `apply()`, retries included; a failure must stay a result, not raise.
    celery_app.conf.task_eager_propagates = False
    server = WebhookReceiver()
    yield server
    server.close()
    celery_app.conf.task_eager_propagates = True


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_key_is_shown_once_and_stored_hashed(alice: User) -> None:
    page = signed_in(alice).post("/settings/api-keys/", {"name": "laptop script", "expires_in_days": "30"})
    raw = page.context["new_raw"]
    key = ApiKey.objects.get(owner=alice)
    assert key.key_hash == hashlib.sha256(raw.encode()).hexdigest() and raw not in str(key.__dict__)
    assert raw.startswith(key.prefix) and key.name == "laptop script"
    assert (key.expires_at - timezone.now()).days in (29, 30)
    assert raw not in signed_in(alice).get("/settings/api-keys/").content.decode()  # never again
    sdk_in_process(raw).videos.list()
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_a_revoked_or_expired_key_is_refused(alice: User, bob: User) -> None:
    raw = key_for(alice)
    key = ApiKey.objects.get(owner=alice)
    assert signed_in(bob).post(f"/settings/api-keys/{key.public_id}/revoke/").status_code == 404  # not his
    sdk_in_process(raw).videos.list()
    signed_in(alice).post(f"/settings/api-keys/{key.public_id}/revoke/")
    with pytest.raises(openai.AuthenticationError):
        sdk_in_process(raw).videos.list()
    expiring = key_for(alice, expires_in_days=1)
    ApiKey.objects.filter(expires_at__isnull=False).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(openai.AuthenticationError) as expired:
        sdk_in_process(expiring).videos.list()
    assert "expired" in expired.value.message


def test_the_operator_command_prints_a_working_key(alice: User) -> None:
    out = io.StringIO()
    call_command("api_key_create", "@alice", "--name", "ci", stdout=out, stderr=io.StringIO())
    raw = out.getvalue().strip()
    assert ApiKey.objects.get(owner=alice).name == "ci"
    assert sdk_in_process(raw).videos.list().data == []


def test_idempotency_key_returns_the_first_job(alice: User) -> None:
    client = sdk_in_process(key_for(alice))
    first = client.videos.create(prompt="a fox", extra_headers={"Idempotency-Key": "retry-me"})
    again = client.videos.create(prompt="a fox", extra_headers={"Idempotency-Key": "retry-me"})
    other = client.videos.create(prompt="a fox", extra_headers={"Idempotency-Key": "another"})
    assert first.id == again.id != other.id
    assert GenerationJob.objects.filter(owner=alice).count() == 2


def test_idempotency_key_with_another_request_is_refused(alice: User) -> None:
    """As the hosted API does (and the IETF Idempotency-Key draft says): a 422, not the first video."""
    client = sdk_in_process(key_for(alice))
    first = client.videos.create(prompt="a fox", extra_headers={"Idempotency-Key": "retry-me"})
    for changed in ({"prompt": "a hare"}, {"prompt": "a fox", "seconds": "8"}):
        with pytest.raises(openai.UnprocessableEntityError) as refused:
            client.videos.create(**changed, extra_headers={"Idempotency-Key": "retry-me"})  # type: ignore[arg-type]
        assert refused.value.code == "idempotency_key_reused"
    assert client.videos.create(prompt="a fox", extra_headers={"Idempotency-Key": "retry-me"}).id == first.id
    assert GenerationJob.objects.filter(owner=alice).count() == 1


def test_poll_interval_grows_with_the_queue(alice: User, bob: User, settings) -> None:
    settings.API_POLL_AFTER_MS = 500
    bob_client = sdk_in_process(key_for(bob))
    bob_client.videos.create(prompt="a fox")
    bob_client.videos.create(prompt="a hare")
    response = sdk_in_process(key_for(alice)).videos.with_raw_response.create(prompt="a cat")
    assert response.headers["openai-poll-after-ms"] == "1500"  # two jobs ahead of it


def test_expires_at_follows_the_retention_setting(alice: User, settings) -> None:
    client = sdk_in_process(key_for(alice))
    video = client.videos.create(prompt="a fox")
    assert video.expires_at is None  # queued: nothing to expire yet
    job = GenerationJob.objects.get(public_id=video.id)
    job_end(job.pk, state="completed")
    assert client.videos.retrieve(video.id).expires_at is None  # retention 0 keeps videos
    settings.VIDEO_RETENTION_DAYS = 7
    done = client.videos.retrieve(video.id)
    assert done.expires_at == done.completed_at + 7 * 86400
    GenerationJob.objects.filter(pk=job.pk).update(completed_at=timezone.now() - dt.timedelta(days=8))
    with pytest.raises(openai.NotFoundError) as expired:
        client.videos.download_content(video.id)
    assert "expired" in expired.value.message
    kept = client.videos.create(prompt="a hare")
    GenerationJob.objects.filter(public_id=kept.id).update(state="completed", completed_at=timezone.now())
    assert videos_delete_expired() == 1  # the beat task: the expired one goes, the recent one stays
    assert list(GenerationJob.objects.values_list("public_id", flat=True)) == [kept.id]


def test_edits_and_extensions_work_from_ones_own_videos(alice: User, bob: User) -> None:
    client = sdk_in_process(key_for(alice))
    source = client.videos.create(prompt="a fox", seconds="8")
    job_end(GenerationJob.objects.get(public_id=source.id).pk, state="completed")
    # openai 2.54's `videos.edit(video={"id": ...})` fails in the SDK itself (it expects a file at `video`),
    # so the reference goes as JSON through the SDK's own request method, and as `video[id]` in multipart.
    edited = client.post(
        "/videos/edits", cast_to=Video, body={"prompt": "a fox in the rain", "video": {"id": source.id}}
    )
    assert (edited.remixed_from_video_id, edited.seconds) == (source.id, "8")
    GenerationJob.objects.filter(public_id=edited.id).update(state="cancelled")  # make room under the quota
    form = signed_in(alice)  # a session is no key: refused; the same form with a key is accepted
    form_fields = {"prompt": "then it sleeps", "video[id]": source.id, "seconds": "4"}
    assert form.post("/v1/videos/extensions", form_fields).status_code == 401
    keyed = Client(headers={"Authorization": f"Bearer {key_for(alice)}"})
    extended = Video.model_validate(keyed.post("/v1/videos/extensions", form_fields).json())
    assert (extended.remixed_from_video_id, extended.seconds) == (source.id, "12")
    assert [s["prompt"] for s in GenerationJob.objects.get(public_id=extended.id).shots] == ["a fox", "then it sleeps"]
    with pytest.raises(openai.BadRequestError) as upload:
        client.videos.edit(prompt="x", video=("clip.mp4", b"\x00\x00", "video/mp4"))
    assert upload.value.param == "video"
    with pytest.raises(openai.NotFoundError):
        sdk_in_process(key_for(bob)).post(
            "/videos/edits", cast_to=Video, body={"prompt": "x", "video": {"id": source.id}}
        )


def test_a_failed_webhook_is_retried_until_delivered(alice: User, receiver: WebhookReceiver, settings) -> None:
    receiver.fail_first = 2
    endpoint = webhook_endpoint_create(owner=alice, url=receiver.url)
    assert endpoint.secret.startswith("whsec_")
    page = signed_in(alice).post("/settings/webhooks/test/", follow=True)
    assert page.status_code == 200
    # Celery runs the task in this process here (`apply`), retries included; a worker does the same with delays.
    delivery = WebhookDelivery.objects.get()
    webhook_deliver.apply(args=[delivery.pk])
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("delivered", 3, 204)
    bodies = {r.body for r in receiver.requests}
    assert len(bodies) == 1  # every retry sends the same signed bytes
    last = receiver.requests[-1]
    event = Webhook(endpoint.secret).verify(last.body, last.headers)
    assert event["type"] == "video.completed" and event["id"] == delivery.event_id
    log = signed_in(alice).get("/settings/webhooks/").content.decode()
    assert delivery.event_id in log and "3 attempts" in log


def test_a_webhook_that_keeps_failing_is_given_up(
    alice: User, receiver: WebhookReceiver, settings, django_capture_on_commit_callbacks
) -> None:
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    receiver.fail_first = 99
    webhook_endpoint_create(owner=alice, url=receiver.url)
    job = GenerationJob.objects.create(
        owner=alice, prompt="x", model="sora-2", width=720, height=1280, seconds=4, seed=1
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job_end(job.pk, state="failed", error=("generation_error", "broke"))
    assert not WebhookDelivery.objects.exists()  # nothing before commit
    for callback in callbacks:  # the commit: job_finished reaches the webhooks
        callback()
    delivery = WebhookDelivery.objects.get()
    assert json.loads(delivery.body)["type"] == "video.failed"
    webhook_deliver.apply(args=[delivery.pk])
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("failed", 2, "HTTP 500")


def test_webhook_urls_on_private_networks_are_refused(alice: User) -> None:
    for url in ("http://127.0.0.1:8000/x", "http://10.0.0.5/x", "ftp://example.org/x", "not a url"):
        with pytest.raises(DomainError):
            webhook_endpoint_create(owner=alice, url=url)
    page = signed_in(alice).post("/settings/webhooks/", {"url": "http://localhost/hook"})
    assert page.status_code == 400 and not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("url", ["http://h:99999/", "http://h:abc/", "http://[::1/"])
def test_webhook_urls_that_do_not_parse_get_the_form_error(alice: User, url: str) -> None:
    page = signed_in(alice).post("/settings/webhooks/", {"url": url})
    assert page.status_code == 400 and "Enter an http:// or https:// URL" in page.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_a_webhook_goes_only_to_the_address_that_was_checked(
    alice: User, receiver: WebhookReceiver, settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: the name answers a public address to the check, then this machine to a second
    lookup. The delivery must connect where the check looked (here a multicast address: "global" to
    the check, refused at once by the kernel), never to the receiver on 127.0.0.1."""
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    answers = iter(["233.252.0.1", receiver.host, receiver.host])
    real_getaddrinfo = socket.getaddrinfo

    def rebinding_getaddrinfo(host: str, port: object, *args: object, **kwargs: object) -> list:
        if host != "hooks.example":
            return real_getaddrinfo(host, port, *args, **kwargs)  # type: ignore[arg-type]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_getaddrinfo)
    webhook_endpoint_create(owner=alice, url=f"http://hooks.example:{receiver.port}/hooks")
    answers = iter(["233.252.0.1", receiver.host, receiver.host])  # the same two answers at delivery
    webhooks.test_event_send(owner=alice)
    webhook_deliver.apply(args=[WebhookDelivery.objects.get().pk])
    assert receiver.requests == []
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_error) == ("failed", "NewConnectionError")


def test_webhook_logs_never_show_the_url_secrets(
    alice: User, receiver: WebhookReceiver, caplog: pytest.LogCaptureFixture
) -> None:
    port = receiver.port
    WebhookEndpoint.objects.create(owner=alice, url=f"http://user:hunter2@127.0.0.1:{port}/t/s3cr3t?token=abc")
    webhooks.test_event_send(owner=alice)
    with caplog.at_level(logging.INFO, logger="generation.api.webhooks"):
        webhook_deliver.apply(args=[WebhookDelivery.objects.get().pk])
    logged = caplog.text
    assert f"http://127.0.0.1:{port}/…" in logged
    assert "hunter2" not in logged and "s3cr3t" not in logged and "token=" not in logged
    assert receiver.requests[0].headers["host"] == f"127.0.0.1:{port}"  # the name, not the pinned address


def self_signed(name: str, folder: Path) -> tuple[Path, Path]:
    """A certificate for `name` (its own CA) and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


def test_an_https_webhook_connects_to_the_address_and_verifies_the_name(
    alice: User, settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Pinned to 127.0.0.1, the TLS handshake still names the host (SNI) and checks the certificate
    against that name: a certificate for hooks.example passes there, and fails for another name."""
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    cert_file, key_file = self_signed("hooks.example", tmp_path)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert_file, key_file)
    server = WebhookReceiver(tls=tls)
    monkeypatch.setattr(certifi, "where", lambda: str(cert_file))  # trust the test certificate
    real_getaddrinfo = socket.getaddrinfo

    def local_names(host: str, port: object, *args: object, **kwargs: object) -> list:
        if host in ("hooks.example", "other.example"):
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real_getaddrinfo(host, port, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", local_names)
    celery_app.conf.task_eager_propagates = False
    try:
        for name in ("hooks.example", "other.example"):
            WebhookEndpoint.objects.all().delete()
            webhook_endpoint_create(owner=alice, url=f"https://{name}:{server.port}/hooks")
            webhooks.test_event_send(owner=alice)
            webhook_deliver.apply(args=[WebhookDelivery.objects.get().pk])
    finally:
        celery_app.conf.task_eager_propagates = True
        server.close()
    assert len(server.requests) == 1 and server.requests[0].headers["host"] == f"hooks.example:{server.port}"
    assert WebhookDelivery.objects.get().last_error == "SSLError"  # other.example: the certificate is not its
