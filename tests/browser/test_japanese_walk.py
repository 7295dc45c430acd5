"""A Japanese reader's walk through the app in Chromium on a 390 px phone: every page and state a person
meets (the feed with its rail and sheets, a post, create, drafts, cameos and their recording and consent
pages, the inbox, saved posts, search, settings, verify, log-in and sign-up, the moderation queue and a
case) shows no Latin word outside names, handles, brands and code samples, as the page is after its
scripts ran. Each page's screenshot is test-artifacts/ja-walk-<page>.png (looked at)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import Page

from feed.graph.services import follow_create
from feed.models import Post, User
from moderation.models import ModerationCase
from moderation.reports import report_create
from tests.builders.cameos import active_cameo
from tests.platform.test_japanese_pages import latin_words

from .test_create_flow import published_post
from .test_japanese_moderation import PHONE, browser_context_args, fits_the_phone, signed_in  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def world(alice: User, bob: User, charlie: User) -> tuple[Post, ModerationCase]:
    """Alice on the default language setting (her browser's: Japanese), a post of hers that speaks, a
    follower, a cameo, and a report on her post."""

    def make() -> tuple[Post, ModerationCase]:
        alice.browser_language = "ja"
        alice.bio = "小さな映画を作っています。"  # people's own words are shown as they wrote them
        alice.save(update_fields=["browser_language", "bio"])
        active_cameo(alice)
        post = published_post(alice, "灯台守が「嵐が来たぞ」と言う #灯台", "嵐の夜")
        follow_create(follower=bob, followee=alice)
        case = report_create(reporter=charlie, subject_type="post", subject_id=str(post.pk), category="spam").case
        return post, case

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(make).result()


def english_on(page: Page, name: str, screenshot) -> set[str]:
    page.wait_for_load_state("networkidle")
    screenshot(f"ja-walk-{name}")
    assert fits_the_phone(page), name
    return latin_words(page.content())


def test_a_japanese_reader_meets_no_english(
    page: Page, live_server_url: str, alice: User, bob: User, charlie: User, mod: User, screenshot
) -> None:
    post, case = world(alice, bob, charlie)
    base = live_server_url
    found: dict[str, set[str]] = {}
    for name, path in [("login", "/login/"), ("signup", "/signup/"), ("verify-visitor", "/verify/")]:
        page.goto(base + path)
        found[name] = english_on(page, name, screenshot)

    signed_in(page, base, alice)
    for name, path in [
        ("feed", "/"),
        ("post", f"/p/{post.pk}/"),
        ("create", "/create/"),
        ("drafts", "/drafts/"),
        ("cameos", "/cameos/"),
        ("cameo-page", "/cameos/record/"),  # she has a cameo: her cameo's page
        ("cameo-consent", "/cameos/consent/"),
        ("inbox", "/inbox/"),
        ("saved", "/saved/"),
        ("search", "/search/?q=灯台"),
        ("hashtag", "/tags/灯台/"),
        ("profile", "/@alice/"),
        ("settings", "/settings/profile/"),
    ]:
        page.goto(base + path)
        found[name] = english_on(page, name, screenshot)
    signed_in(page, base, bob)  # no cameo yet: the recording page; someone else's post: its rail can report it
    page.goto(base + "/cameos/record/")
    found["cameo-record"] = english_on(page, "cameo-record", screenshot)
    page.goto(base + "/")
    reel = page.locator(".reel").first
    reel.locator("[data-action=comments]").click()
    found["feed-comments"] = english_on(page, "feed-comments", screenshot)
    page.keyboard.press("Escape")
    reel.locator("[data-action=report]").click()
    found["feed-report"] = english_on(page, "feed-report", screenshot)

    signed_in(page, base, mod)
    for name, path in [("moderation-queue", "/moderation/"), ("moderation-case", f"/moderation/case/{case.pk}/")]:
        page.goto(base + path)
        found[name] = english_on(page, name, screenshot)

    assert {name: words for name, words in found.items() if words} == {}
