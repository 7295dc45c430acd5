"""The feed in Chromium against the real stack: the player, the rail, live counts and badge,
not interested, blocks, steering, and a teen's limits. Phone-sized (390 px) throughout."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from feed.engagement.services import like_set
from feed.models import FeedPreferences, Post, User
from tests.browser.test_create_flow import log_in, published_post
from tests.conftest import make_user
from tests.generation.test_who_may_create import sanction

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}


def copies(original: Post, captions: list[tuple[User, str]], *, older: int = 0) -> list[Post]:
    """More posts playing the same rendered video (one real render is enough to watch); the last
    `older` of them a day old."""
    return [
        Post.objects.create(
            author=author,
            video=original.video.name,
            poster=original.poster.name,
            caption=caption,
            prompt=caption,
            created_at=timezone.now() - dt.timedelta(days=1 if i >= len(captions) - older else 0),
        )
        for i, (author, caption) in enumerate(captions)
    ]


def playing(page: Page, index: int) -> bool:
    return page.locator(".reel video").nth(index).evaluate("v => !v.paused && v.readyState >= 2")


def sign_in_on_phone(page: Page, base: str, handle: str) -> None:
    log_in(page, base, handle)
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/")


def test_scroll_autoplay_tap_keys_sound_like_and_comment(
    page: Page, live_server_url: str, alice: User, bob: User, screenshot
) -> None:
    first = published_post(alice, "a red kite over green hills", "Kite day")
    copies(first, [(alice, "Second kite"), (alice, "Third kite")])
    sign_in_on_phone(page, live_server_url, "bob")
    reels = page.locator(".reel")
    expect(reels).to_have_count(3)
    page.wait_for_function("() => { const v = document.querySelector('.reel video'); return v && !v.paused; }")
    assert not playing(page, 1)
    screenshot("feed-phone")

    page.keyboard.press("ArrowDown")  # the next reel plays, the first stops
    page.wait_for_function("() => !document.querySelectorAll('.reel video')[1].paused")
    assert page.locator(".reel video").nth(0).evaluate("v => v.paused")
    page.keyboard.press(" ")  # space pauses
    expect(reels.nth(1).locator(".reel-paused")).to_be_visible()
    page.keyboard.press("m")  # sound on, remembered across clips and visits
    page.keyboard.press("ArrowUp")
    page.wait_for_function("() => !document.querySelectorAll('.reel video')[0].paused")
    assert page.locator(".reel video").nth(0).evaluate("v => !v.muted")
    page.reload()  # no gesture yet: it plays muted, says sound is on, and unmutes at the first key
    page.wait_for_function("() => { const v = document.querySelector('.reel video'); return v && !v.paused; }")
    expect(reels.nth(0).get_by_role("button", name="Turn sound off")).to_be_visible()
    page.keyboard.press("Shift")
    page.wait_for_function("() => !document.querySelector('.reel video').muted")

    rail = reels.nth(0).get_by_role("group", name="Actions")
    rail.get_by_role("button", name="Like").click()
    expect(rail.get_by_role("button", name="Like")).to_have_attribute("aria-pressed", "true")
    expect(rail.locator("[data-count=likes]")).to_have_text("1")
    rail.get_by_role("button", name="Comments").click()
    sheet = page.get_by_role("dialog")
    sheet.get_by_label("Add a comment").fill("What a kite!")
    sheet.get_by_role("button", name="Send").click()
    # The server's first comment loads the prompt-stage text model (seconds on a busy 2-core machine).
    expect(sheet.get_by_text("What a kite!")).to_be_visible(timeout=20_000)
    expect(rail.locator("[data-count=comments]")).to_have_text("1")
    screenshot("feed-comments-phone")
    moderator = make_user("mod", is_moderator=True)
    with ThreadPoolExecutor(max_workers=1) as pool:  # it notifies bob: off Playwright's event-loop thread
        pool.submit(sanction, bob, action="suspend", reporter=alice, mod=moderator).result()
    sheet.get_by_label("Add a comment").fill("One more kite!")
    sheet.get_by_role("button", name="Send").click()  # refused (403): said in the sheet, not silently dropped
    expect(sheet.get_by_role("alert")).to_contain_text("suspended")
    expect(sheet.locator(".comment", has_text="One more kite!")).to_have_count(0)
    expect(sheet.get_by_label("Add a comment")).to_have_value("One more kite!")  # the text is not lost
    screenshot("feed-comment-refused-phone")
    sheet.get_by_role("button", name="Close comments").click()
    rail.get_by_role("button", name="Why you're seeing this").click()
    expect(page.get_by_role("dialog", name="Why you're seeing this")).to_contain_text("Why you're seeing this")


def test_a_like_on_my_post_lights_my_badge_live(page: Page, live_server_url: str, alice: User, bob: User) -> None:
    post = published_post(alice, "a paper boat in the rain", "Boat")
    sign_in_on_phone(page, live_server_url, "alice")
    badge = page.locator("[data-unread-badge]")
    expect(badge).to_be_hidden()
    page.wait_for_timeout(500)  # the socket connects
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(like_set, user=bob, post=post, liked=True).result()
    expect(badge).to_have_text("1")
    page.get_by_role("link", name="Inbox").click()
    expect(page.get_by_text("@bob liked your video.")).to_be_visible()
    expect(badge).to_be_hidden()


def test_not_interested_block_and_steering(
    page: Page, live_server_url: str, alice: User, bob: User, charlie: User, screenshot
) -> None:
    original = published_post(alice, "a bowl of ramen being cooked", "Ramen at home")
    copies(
        original,
        [(charlie, "Basketball dunk contest"), (charlie, "Football highlights"), (alice, "Baking sourdough bread")],
        older=1,
    )
    sign_in_on_phone(page, live_server_url, "bob")
    expect(page.locator(".reel")).to_have_count(4)
    expect(page.locator(".reel").last).to_contain_text("Baking sourdough bread")  # a day old: last
    sport = page.locator(".reel", has_text="Football highlights")
    sport.get_by_role("button", name="Not interested").click()
    expect(page.locator(".reel", has_text="Football highlights")).to_have_count(0)
    expect(page.locator(".reel", has_text="Basketball dunk contest")).to_have_count(0)  # the same author, below

    page.get_by_role("button", name="Tune").click()
    page.get_by_label("Say what you want, in your own words").fill("more baking, no ramen")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("Feed tuned: more baking, no ramen.")).to_be_visible()
    expect(page.locator(".reel").first).to_contain_text("Baking sourdough bread")
    expect(page.locator(".reel", has_text="Ramen at home")).to_have_count(0)
    screenshot("feed-steered-phone")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_role("button", name="Tune").click()
    expect(page.get_by_role("list", name="Your steering").get_by_text("more baking")).to_be_visible()
    screenshot("feed-tune-desktop")
    page.get_by_role("button", name="Remove no ramen").click()
    page.get_by_role("button", name="Tune · 1").click()  # the chips are editable: one left
    expect(page.get_by_role("list", name="Your steering").get_by_role("listitem")).to_have_count(1)

    page.goto(f"{live_server_url}/@charlie/")
    page.get_by_role("button", name="Block @charlie").click()
    page.goto(f"{live_server_url}/")
    expect(page.locator(".reel").first).to_be_visible()
    expect(page.get_by_text("@charlie")).to_have_count(0)


def test_a_teen_gets_a_break_card_then_the_daily_cap(page: Page, live_server_url: str, alice: User, screenshot) -> None:
    original = published_post(alice, "a lighthouse at dusk", "Lighthouse")
    copies(original, [(alice, f"Lighthouse {i}") for i in range(2, 6)])
    teen = make_user("tess", age=15)
    FeedPreferences.objects.create(user=teen, daily_cap=3, break_after=2)
    sign_in_on_phone(page, live_server_url, "tess")
    cards = page.locator("[data-wellbeing=break]")
    expect(cards).to_have_count(1)
    expect(page.locator(".reel video")).to_have_count(3)
    cards.scroll_into_view_if_needed()
    expect(cards.get_by_role("heading", name="Time for a break?")).to_be_visible()
    screenshot("feed-break-phone")
    page.locator(".reel").last.scroll_into_view_if_needed()
    expect(page.get_by_role("heading", name="That's today's videos")).to_be_visible()
