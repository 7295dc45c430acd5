"""A viewer reports a post from its page, on a desktop and on a 390 px phone, and no longer sees it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from feed.models import User
from moderation.models import Report

from .test_create_flow import log_in, published_post

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.parametrize("width", [1280, 390])
def test_a_user_reports_a_post_and_no_longer_sees_it(
    page: Page, live_server_url: str, alice: User, bob: User, screenshot, width: int
) -> None:
    post = published_post(alice, "a red kite over green hills", "Kite day")
    log_in(page, live_server_url, "bob")
    page.set_viewport_size({"width": width, "height": 900})  # phones log out from the profile, not the top bar
    page.goto(f"{live_server_url}/")
    expect(page.get_by_text("Kite day")).to_be_visible()
    page.goto(f"{live_server_url}/p/{post.pk}/")
    page.get_by_text("Report", exact=True).click()
    page.get_by_label("What is wrong?").select_option("spam")
    page.get_by_label("Details (optional)").fill("a scam link in the video")
    screenshot(f"report-form-{width}")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_text("You won't see this post in your feed.")).to_be_visible()
    expect(page.get_by_text("Kite day")).to_have_count(0)
    screenshot(f"report-done-{width}")
    assert Report.objects.get().category == "spam"
