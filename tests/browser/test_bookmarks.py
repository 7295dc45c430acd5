"""Bookmarks in Chromium: save from the feed's rail, the private saved list on your profile, a named
collection, and a post taken down leaving the list. At desktop size in English and on a 390 px phone
in Japanese (the person's language setting)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import Page, expect

from feed.models import Post, User
from feed.posts.services import post_take_down
from tests.browser.test_create_flow import log_in, published_post
from tests.browser.test_feed import copies

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
WORDS = {
    "en": {"bookmark": "Bookmark", "saved": "Saved", "toast": "Saved to your bookmarks", "new": "New collection",
           "create": "Create", "all": "All saved", "collection": "Collection", "move": "Move",
           "empty": "Nothing in this collection yet."},
    "ja": {"bookmark": "ブックマーク", "saved": "保存済み", "toast": "ブックマークに保存しました",
           "new": "新しいコレクション", "create": "作成", "all": "すべて", "collection": "コレクション",
           "move": "移動", "empty": "このコレクションにはまだ何もありません。"},
}  # fmt: skip


@pytest.mark.parametrize(("size", "language"), [("desktop", "en"), ("phone", "ja")])
def test_save_from_the_feed_file_into_a_collection_and_lose_a_taken_down_post(
    page: Page, live_server_url: str, alice: User, bob: User, screenshot, size: str, language: str
) -> None:
    words = WORDS[language]
    kite = published_post(alice, "a red kite over green hills", "Kite day")
    (boat,) = copies(kite, [(alice, "Boat day")])
    log_in(page, live_server_url, "bob")
    User.objects.filter(pk=bob.pk).update(language=language)
    page.set_viewport_size(SIZES[size])
    page.goto(f"{live_server_url}/")
    reel = page.locator(f"#reel-{kite.pk}")
    save = reel.get_by_role("group").get_by_role("button", name=words["bookmark"], exact=True)
    save.click()
    expect(save).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_text(words["toast"])).to_be_visible()
    boat_save = page.locator(f"#reel-{boat.pk}").get_by_role("button", name=words["bookmark"], exact=True)
    boat_save.click()
    expect(boat_save).to_have_attribute("aria-pressed", "true")
    page.reload()  # the mark is stored, not only drawn
    expect(page.locator(f"#reel-{kite.pk} [data-action=save]")).to_have_attribute("aria-pressed", "true")
    screenshot(f"bookmarks-feed-{size}-{language}")

    page.goto(f"{live_server_url}/@bob/")
    page.get_by_role("link", name=words["saved"]).click()
    expect(page.get_by_role("heading", name=words["saved"], level=1)).to_be_visible()
    items = page.get_by_test_id("saved-post")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text("Boat day")  # the newest save first

    page.get_by_placeholder(words["new"]).fill("Trips")
    page.get_by_role("button", name=words["create"], exact=True).click()
    expect(page.get_by_role("heading", name="Trips", level=1)).to_be_visible()
    expect(page.get_by_text(words["empty"])).to_be_visible()
    page.get_by_role("link", name=words["all"]).click()
    kite_item = items.filter(has_text="Kite day")
    kite_item.get_by_label(words["collection"]).select_option(label="Trips")
    kite_item.get_by_role("button", name=words["move"], exact=True).click()
    page.get_by_role("link", name="Trips").click()
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text("Kite day")
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    screenshot(f"bookmarks-collection-{size}-{language}")

    with ThreadPoolExecutor(max_workers=1) as pool:  # off Playwright's loop: the service pushes events
        pool.submit(post_take_down, post=Post.objects.get(pk=kite.pk), reason="rules").result()
    page.reload()
    expect(page.get_by_text(words["empty"])).to_be_visible()
    page.get_by_role("link", name=words["all"]).click()
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text("Boat day")
    screenshot(f"bookmarks-saved-{size}-{language}")
