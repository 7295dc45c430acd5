"""A developer in Chromium, at phone width: create an API key (shown once), use it, revoke it; add a
webhook endpoint and send a test event that shows in the delivery log."""

from __future__ import annotations

import pytest
from openai import AuthenticationError
from playwright.sync_api import Page, expect

from feed.models import User
from tests.conftest import PASSWORD
from tests.generation.api.clients import sdk
from tests.generation.api.receiver import WebhookReceiver

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def log_in(page: Page, base: str, handle: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Handle").fill(handle)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_keys_and_webhooks_from_the_settings_pages(
    page: Page, live_server_url: str, alice: User, screenshot, start_worker, monkeypatch
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server_url, "alice")
    page.goto(f"{live_server_url}/@alice/")
    page.get_by_role("link", name="API keys").click()
    page.get_by_label("Name").fill("phone script")
    page.get_by_role("button", name="Create key").click()
    raw = page.get_by_test_id("new-key-value").inner_text().strip()
    screenshot("api-keys-created-390")
    assert sdk(live_server_url, raw).videos.list().data == []

    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("Key revoked.")).to_be_visible()
    expect(page.get_by_test_id("key-row").get_by_text("Revoked")).to_be_visible()
    with pytest.raises(AuthenticationError):
        sdk(live_server_url, raw).videos.list()

    # The live server was forked before this test could allow 127.0.0.1 there; the worker starts now.
    monkeypatch.setenv("WEBHOOK_ALLOW_PRIVATE_TARGETS", "1")
    start_worker()
    receiver = WebhookReceiver()
    try:
        page.get_by_role("link", name="Webhooks").click()
        page.get_by_label("URL").fill("https://93.184.215.14/hooks/videos")  # an address literal: no DNS here
        page.get_by_role("button", name="Add endpoint").click()
        expect(page.get_by_test_id("new-endpoint-secret")).to_contain_text("whsec_")
        alice.webhook_endpoints.update(url=receiver.url)  # a public URL in the form; the test's receiver behind it
        page.get_by_role("button", name="Send a test event").click()
        receiver.wait_for(1)
        page.reload()
        expect(page.get_by_test_id("delivery-log")).to_contain_text("Delivered")
        screenshot("webhooks-delivered-390")
    finally:
        receiver.close()
