"""charlie reports a comment on alice's post from the comment sheet; the moderator opens the queue, then
the case's item page, and hides the comment; bob no longer sees it. Desktop and a 390 px phone."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import Locator, Page, expect

from feed.engagement.models import Comment
from feed.engagement.services import comment_create
from feed.models import Post, User
from moderation.models import ModerationCase, ModerationEvent
from tests.conftest import make_user

from .test_create_flow import log_in, published_post

pytestmark = [pytest.mark.browser, pytest.mark.slow]

INSULT = "everyone who likes kites is an idiot"


def commented(post: Post, author: User, text: str) -> Comment:
    """Off the main thread, like `published_post`: the service pushes socket events after commit."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(comment_create, author=author, post=post, text=text).result()


def sign_in_as(page: Page, base: str, handle: str, width: int) -> None:
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})  # phones log out from the profile, not the top bar
    log_in(page, base, handle)
    page.set_viewport_size({"width": width, "height": 900})


def open_comments(page: Page, base: str, post: Post) -> Locator:
    """The post page lists its comments below the video (the rail's Comments button goes there)."""
    page.goto(f"{base}/p/{post.pk}/")
    page.get_by_role("button", name="Comments").first.click()
    comments = page.get_by_role("region", name="Comments")
    expect(comments.locator(".comments")).to_be_visible()
    return comments


@pytest.mark.parametrize("width", [1280, 390])
def test_a_reported_comment_is_hidden_from_its_item_page(
    page: Page, live_server_url: str, alice: User, bob: User, charlie: User, mod: User, screenshot, width: int
) -> None:
    post = published_post(alice, "a red kite over green hills", "Kite day")
    troll = make_user("dana", display_name="Dana")  # the comment's author: neither reporter nor the viewer
    comment = commented(post, troll, INSULT)
    commented(post, bob, "Lovely colours")

    sign_in_as(page, live_server_url, "charlie", width)
    sheet = open_comments(page, live_server_url, post)
    item = sheet.locator(f"#comment-{comment.pk}")
    item.get_by_text("Report", exact=True).click()
    item.get_by_label("What is wrong?").select_option("hate")
    item.get_by_label("Details (optional)").fill("insults everyone")
    screenshot(f"comment-report-{width}")
    item.get_by_role("button", name="Send report about @dana's comment").click()
    expect(sheet.get_by_text("Thanks, we'll look at it.")).to_be_visible()
    expect(sheet.get_by_text(INSULT)).to_have_count(0)  # gone for the reporter at once
    expect(sheet.get_by_text("Lovely colours")).to_be_visible()

    sign_in_as(page, live_server_url, "mod", width)
    page.goto(f"{live_server_url}/moderation/")
    case = ModerationCase.objects.get(subject_type="comment", subject_id=str(comment.pk))
    page.locator(f'[data-case-id="{case.pk}"]').get_by_role("link").first.click()
    expect(page.get_by_role("heading", name=f"Case {case.pk}")).to_be_visible()
    expect(page.get_by_text(INSULT)).to_be_visible()
    expect(page.get_by_test_id("reporter-record")).to_have_text("1 filed · 0 upheld · 0 dismissed")
    expect(page.get_by_text("Owner: @dana")).to_be_visible()
    screenshot(f"moderation-item-{width}")
    page.get_by_label("Reason", exact=False).first.fill("insults other viewers")
    page.get_by_role("button", name="Hide", exact=True).click()
    expect(page.get_by_test_id("case-status")).to_contain_text("closed · hidden")
    expect(page.get_by_test_id("case-history").locator("li").first).to_contain_text("Hidden by @mod")
    screenshot(f"moderation-item-hidden-{width}")
    assert ModerationEvent.objects.filter(case=case, action="hide", actor=mod).exists()

    sign_in_as(page, live_server_url, "bob", width)
    sheet = open_comments(page, live_server_url, post)
    expect(sheet.get_by_text("Lovely colours")).to_be_visible()
    expect(sheet.get_by_text(INSULT)).to_have_count(0)
    expect(sheet.get_by_role("heading", name="1 comment")).to_be_visible()
    screenshot(f"comment-hidden-bob-{width}")


@pytest.mark.parametrize("width", [1280, 390])
def test_a_profile_reported_for_impersonation_is_hidden_from_its_item_page(
    page: Page, live_server_url: str, alice: User, charlie: User, mod: User, screenshot, width: int
) -> None:
    sign_in_as(page, live_server_url, "alice", width)
    page.goto(f"{live_server_url}/@charlie/")
    page.get_by_text("Report", exact=True).click()
    page.get_by_label("What is wrong?").select_option(label="They are pretending to be me (my name or face)")
    page.get_by_label("Details (optional)").fill("uses my name and my photo")
    screenshot(f"profile-report-{width}")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_text("Thanks, we'll look at it.")).to_be_visible()

    sign_in_as(page, live_server_url, "mod", width)
    case = ModerationCase.objects.get(subject_type="profile", subject_id=str(charlie.pk))
    page.goto(f"{live_server_url}/moderation/case/{case.pk}/")
    expect(page.get_by_test_id("case-reports").get_by_text("uses my name and my photo")).to_be_visible()
    page.get_by_label("Reason", exact=False).first.fill("impersonates @alice")
    page.get_by_role("button", name="Hide", exact=True).click()
    expect(page.get_by_test_id("case-status")).to_contain_text("closed · hidden")

    sign_in_as(page, live_server_url, "alice", width)
    page.goto(f"{live_server_url}/@charlie/")
    expect(page.get_by_text("This profile is hidden by a moderator.")).to_be_visible()
    expect(page.get_by_role("heading", name="Charlie", exact=True)).to_have_count(0)
    expect(page.get_by_role("heading", name="@charlie", exact=True)).to_be_visible()
    screenshot(f"profile-hidden-{width}")
