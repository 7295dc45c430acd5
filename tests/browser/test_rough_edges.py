"""The rough edges a new user met, each checked in Chromium (screenshots under test-artifacts/, looked at):
report from the feed's rail; the reel's labels sit together above the caption, not over the video's own
burned-in marks; the post page (its comments listed, a labelled scrub bar, no link to itself, deleting asks
first); the remix form starts from the original prompt; a new API key has a copy button; the drafts header
follows a job that finishes."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from playwright.sync_api import Page, expect

from feed.models import Post, User
from generation import services, worker
from generation.models import GenerationJob
from moderation.models import Report

from .test_create_flow import log_in, published_post

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "permissions": ["clipboard-read", "clipboard-write"]}


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_feed_labels_and_report_from_the_rail(
    page: Page, live_server_url: str, alice: User, bob: User, screenshot, viewport: dict
) -> None:
    post = published_post(alice, "a red kite over green hills", "Kite day")
    log_in(page, live_server_url, "bob")
    page.set_viewport_size(viewport)
    page.goto(f"{live_server_url}/")
    reel = page.locator(".reel").first
    expect(reel.get_by_text("Kite day")).to_be_visible()
    # The "Preview render" badge sits with the caption at the bottom, under the top third where the
    # video's own PREVIEW mark and watermark are burned in.
    badge = reel.locator(".badge-preview").bounding_box()
    box = reel.bounding_box()
    assert badge is not None and box is not None
    assert badge["y"] > box["y"] + box["height"] / 2
    # Counts are part of the buttons' names (what is seen is what is said).
    expect(reel.get_by_role("button", name="Like 0")).to_be_visible()
    expect(reel.get_by_role("button", name="Pause")).to_be_visible()
    screenshot(f"rough-feed-{viewport['width']}")

    reel.get_by_role("button", name="Report").click()
    dialog = page.get_by_role("dialog", name="Report this video")
    dialog.get_by_label("What is wrong?").select_option("spam")
    dialog.get_by_label("Details (optional)").fill("a scam link")
    screenshot(f"rough-feed-report-{viewport['width']}")
    dialog.get_by_role("button", name="Send report").click()
    expect(page.get_by_text("You won't see this post in your feed.")).to_be_visible()
    report = Report.objects.get()
    assert (report.subject_id, report.category, report.note) == (str(post.pk), "spam", "a scam link")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_the_post_page_lists_comments_and_deleting_asks_first(
    page: Page, live_server_url: str, alice: User, screenshot, viewport: dict
) -> None:
    post = published_post(alice, "a paper boat in the rain", "Boat")
    log_in(page, live_server_url, "alice")
    page.set_viewport_size(viewport)
    page.goto(f"{live_server_url}/p/{post.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Video by @alice")
    expect(page.get_by_role("link", name="Open post")).to_have_count(0)
    expect(page.get_by_role("slider", name="Seek")).to_be_visible()
    comments = page.get_by_role("region", name="Comments")
    expect(comments.get_by_role("heading", name="0 comments")).to_be_visible()
    comments.get_by_label("Add a comment").fill("First!")
    comments.get_by_role("button", name="Send").click()
    expect(comments.get_by_role("heading", name="1 comment")).to_be_visible(timeout=20_000)
    expect(comments.get_by_text("First!")).to_be_visible()
    screenshot(f"rough-post-{viewport['width']}")

    page.get_by_text("Edit post").click()
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Delete post").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Video by @alice")  # said no: still here
    assert asked == ["Delete this post? The video stays in your drafts."]
    assert Post.objects.filter(pk=post.pk).exists()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete post").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Video by @alice")
    assert not Post.objects.filter(pk=post.pk).exists()


def test_remix_starts_from_the_prompt_and_a_new_key_copies(
    page: Page, live_server_url: str, alice: User, bob: User, screenshot
) -> None:
    post = published_post(alice, "a red kite over green hills", "Kite day")
    log_in(page, live_server_url, "bob")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server_url}/create/?remix={post.job.public_id}")
    expect(page.get_by_label("Prompt", exact=True)).to_have_value("a red kite over green hills")
    screenshot("rough-remix-390")

    page.goto(f"{live_server_url}/settings/api-keys/")
    page.get_by_label("Name").fill("phone script")
    page.get_by_role("button", name="Create key").click()
    raw = page.get_by_test_id("new-key-value").inner_text().strip()
    page.get_by_role("button", name="Copy key").click()
    expect(page.get_by_role("status").filter(has_text="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == raw
    screenshot("rough-api-key-copied-390")


def test_the_drafts_header_follows_a_job_that_finishes(
    page: Page, live_server_url: str, alice: User, screenshot, settings
) -> None:
    settings.GENERATION_MAX_CONCURRENT = 2
    with ThreadPoolExecutor(max_workers=1) as pool:
        job = pool.submit(lambda: services.job_create(owner=alice, prompt="a fox in the snow", seconds=4)[0]).result()
    log_in(page, live_server_url, "alice")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server_url}/drafts/")
    quota = page.get_by_test_id("quota")
    expect(quota).to_contain_text("1 of 2 videos in progress")
    expect(page.locator("#live-status")).to_have_text("Live", timeout=10_000)

    def finish() -> None:  # the real run, whose events reach the page over its socket
        worker.job_execute(job.pk)
        connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(finish).result()
    assert GenerationJob.objects.get(pk=job.pk).state == "completed"
    expect(page.get_by_test_id("job-state")).to_have_text("Completed", timeout=30_000)
    expect(quota).to_contain_text("0 of 2 videos in progress")
    expect(page.locator("#jobs-announce")).to_contain_text("a fox in the snow")
    screenshot("rough-drafts-done-390")
