"""A borderline post is held at publish: its creator sees "In review", charlie's feed does not have it;
a moderator approves it from /moderation/ and it appears for charlie. Desktop and a 390 px phone."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import Page, expect

from feed.models import Post, User
from moderation.models import ModerationCase
from tests.builders.posts import post_published
from tests.moderation.test_publish_stage import borderline_draft

from .test_moderation_appeal import as_user

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def held_post(owner: User) -> Post:
    """Made off the main thread, as Playwright's event loop lives there (see published_post)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: post_published(job=borderline_draft(owner), by=owner, caption="Beach day")).result()


@pytest.mark.parametrize("width", [1280, 390])
def test_a_held_post_is_in_review_until_a_moderator_approves_it(
    page: Page, live_server_url: str, alice: User, charlie: User, mod: User, screenshot, width: int
) -> None:
    # After the approval the server process ranks a For You page with this post for the first time and
    # loads MiniLM to embed it (~5 s idle; on this shared machine under load it ran past 30 s).
    page.set_default_navigation_timeout(90_000)
    post = held_post(alice)
    assert post.review == Post.Review.HELD
    case = ModerationCase.objects.get(subject_type="post", subject_id=str(post.pk))

    as_user(page, live_server_url, "alice", width)
    page.goto(f"{live_server_url}/p/{post.pk}/")
    expect(page.get_by_role("status").filter(has_text="In review")).to_contain_text("a moderator will look at it")
    screenshot(f"publish-in-review-post-{width}")
    page.goto(f"{live_server_url}/@alice/")
    expect(page.locator(f"a[href='/p/{post.pk}/'] .badge-review")).to_have_text("In review")
    screenshot(f"publish-in-review-profile-{width}")

    as_user(page, live_server_url, "charlie", width)
    page.goto(f"{live_server_url}/")
    expect(page.locator(f"[data-post-id='{post.pk}']")).to_have_count(0)
    assert page.goto(f"{live_server_url}/p/{post.pk}/").status == 404  # type: ignore[union-attr]

    as_user(page, live_server_url, "mod", width)
    page.goto(f"{live_server_url}/moderation/?stage=publish")
    row = page.locator(f"[data-case-id='{case.pk}']")
    expect(row).to_contain_text("Beach day")
    expect(row).to_contain_text("Held at publish")
    screenshot(f"publish-queue-{width}")
    row.get_by_label("Action").select_option("approve")
    row.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("Action recorded.")).to_be_visible()

    as_user(page, live_server_url, "charlie", width)
    page.goto(f"{live_server_url}/")
    expect(page.locator(f"[data-post-id='{post.pk}']")).to_have_count(1)
    page.goto(f"{live_server_url}/p/{post.pk}/")
    expect(page.get_by_text("Beach day").first).to_be_visible()
    expect(page.get_by_text("In review")).to_have_count(0)
