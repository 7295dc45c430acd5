"""Steering the feed in Japanese, in Chromium on a 390 px phone: the Tune sheet takes
「アニメをもっと、スポーツは少なめ、ホラーはなし」, the Japanese posts reorder at once, and the chips
are those of the English twin. (The order of the rest is checked over HTTP in
tests/feed/ranking/test_japanese_steering.py: here the player's impressions decide what counts as seen.)"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from feed.models import User
from tests.browser.test_create_flow import published_post
from tests.browser.test_feed import copies, sign_in_on_phone

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_japanese_steering_on_a_phone(
    page: Page, live_server_url: str, alice: User, bob: User, charlie: User, screenshot
) -> None:
    original = published_post(alice, "夕暮れの海辺で犬が走る", "海辺の犬")
    copies(
        original, [(charlie, "深夜のホラー映画"), (charlie, "サッカーの逆転ゴール"), (alice, "魔法少女アニメ")], older=1
    )
    sign_in_on_phone(page, live_server_url, "bob")
    expect(page.locator(".reel")).to_have_count(4)
    expect(page.locator(".reel").last).to_contain_text("魔法少女アニメ")  # a day old: last

    page.get_by_role("button", name="Tune").click()
    page.get_by_label("Say what you want, in your own words").fill("アニメをもっと、スポーツは少なめ、ホラーはなし")
    page.get_by_role("button", name="Apply").click()
    # The topics as the person wrote them (the ranking reads their English twins).
    expect(page.get_by_text("Feed tuned: more アニメ, less スポーツ, no ホラー.")).to_be_visible()
    expect(page.locator(".reel").first).to_contain_text("魔法少女アニメ")
    expect(page.locator(".reel", has_text="深夜のホラー映画")).to_have_count(0)
    screenshot("feed-steered-japanese-phone")
    page.get_by_role("button", name="Tune · 3").click()
    chips = page.get_by_role("list", name="Your steering")
    for label in ("more アニメ", "less スポーツ", "no ホラー"):
        expect(chips.get_by_text(label)).to_be_visible()
    screenshot("feed-tune-japanese-phone")
