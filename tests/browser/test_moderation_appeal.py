"""A moderator hides a reported post from the queue, its author appeals from the post page, the
moderator upholds the appeal and the post is visible again; on a desktop and on a 390 px phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from feed.models import User
from moderation.models import ModerationCase
from moderation.reports import report_create

from .test_create_flow import log_in, published_post

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def as_user(page: Page, base: str, handle: str, width: int) -> None:
    """Log in as someone else (on a desktop: phones log out from the profile), then take the width."""
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, base, handle)
    page.set_viewport_size({"width": width, "height": 900})


@pytest.mark.parametrize("width", [1280, 390])
def test_a_moderator_hides_a_post_and_reverses_it_on_appeal(
    page: Page, live_server_url: str, alice: User, bob: User, charlie: User, mod: User, screenshot, width: int
) -> None:
    post = published_post(alice, "a red kite over green hills", "Kite day")
    case = report_create(reporter=bob, subject_type="post", subject_id=str(post.pk), category="hate").case

    as_user(page, live_server_url, "mod", width)
    page.goto(f"{live_server_url}/moderation/")
    row = page.locator(f"[data-case-id='{case.pk}']")
    expect(row).to_contain_text("Kite day")
    row.get_by_label("Action").select_option("hide")
    row.get_by_label("Reason").fill("The caption looks like a slur")
    screenshot(f"moderation-hide-{width}")
    row.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("Action recorded.")).to_be_visible()
    expect(page.locator(f"[data-case-id='{case.pk}']")).to_have_count(0)

    as_user(page, live_server_url, "alice", width)
    page.goto(f"{live_server_url}/p/{post.pk}/")
    # Said once, by the moderator's action (with its appeal link), with no doubled full stop.
    expect(page.get_by_text("Only you can see this post: it was taken down.")).to_be_visible()
    expect(page.get_by_text("Hidden by a moderator. Reason: The caption looks like a slur")).to_be_visible()
    assert page.locator("main").inner_text().count("The caption looks like a slur") == 1
    assert ".." not in page.locator("main").inner_text()
    screenshot(f"moderation-hidden-post-{width}")
    page.get_by_role("link", name="Details and appeal").click()
    page.get_by_label("Why was this wrong?").fill("Kite day is the name of a festival, not a slur.")
    screenshot(f"moderation-appeal-{width}")
    page.get_by_role("button", name="Send appeal").click()
    expect(page.get_by_text("Appeal sent.")).to_be_visible()
    expect(page.get_by_text("Your appeal: pending.")).to_be_visible()

    as_user(page, live_server_url, "mod", width)
    page.goto(f"{live_server_url}/moderation/?appealed=on")
    appeal = page.locator(f"[data-case-id='{case.pk}'] [data-appeal-id]")
    expect(appeal).to_contain_text("Kite day is the name of a festival")
    screenshot(f"moderation-appeal-queue-{width}")
    appeal.get_by_role("button", name="Uphold appeal").click()
    expect(page.get_by_text("Appeal decided.")).to_be_visible()

    as_user(page, live_server_url, "charlie", width)
    page.goto(f"{live_server_url}/p/{post.pk}/")
    expect(page.get_by_text("Kite day").first).to_be_visible()
    expect(page.get_by_text("Only you can see this post")).to_have_count(0)
    case.refresh_from_db()
    assert (case.status, case.visibility) == (ModerationCase.Status.CLOSED, ModerationCase.Visibility.VISIBLE)
