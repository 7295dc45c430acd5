"""The report form (a post's page) and the moderator's queue draw their controls like every other form:
labelled, dark 44 px boxes, large checkboxes, a visible focus ring; nothing wider than a 390 px phone.
Desktop and phone, English and Japanese; the screenshots are looked at."""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from feed.models import Post, User
from moderation.reports import report_create
from tests.browser.test_accessibility import SIZES, signed_in
from tests.builders.posts import post_make
from tests.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WORDS = {
    "en": {"report": "Report", "wrong": "What is wrong?", "details": "Details (optional)", "stage": "Stage",
           "action": "Action", "appealed": "Appealed"},
    "ja": {"report": "報告", "wrong": "どんな問題がありますか？", "details": "詳細（任意）", "stage": "段階",
           "action": "措置", "appealed": "異議申し立て"},
}  # fmt: skip
DARK_BOX = "rgb(11, 11, 16)"  # --bg


def assert_styled(control: Locator, *, min_width: float = 0) -> None:
    box = control.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= min_width, box
    assert control.evaluate("el => getComputedStyle(el).backgroundColor") == DARK_BOX


def assert_focus_ring(page: Page, control: Locator) -> None:
    control.focus()
    page.keyboard.press("Shift+Tab")  # reached by keyboard, so :focus-visible applies
    page.keyboard.press("Tab")
    assert control.evaluate("el => document.activeElement === el && getComputedStyle(el).outlineStyle") == "solid"


def test_report_form_and_queue_controls(
    browser: Browser, live_server_url: str, alice: User, bob: User, charlie: User, mod: User
) -> None:
    post = post_make(alice, "Kite day")
    with ThreadPoolExecutor(max_workers=1) as pool:  # off Playwright's loop: the report pushes events
        pool.submit(lambda: report_create(reporter=charlie, subject_type="post", subject_id=str(post.pk),
                                          category="spam", note="a scam")).result()  # fmt: skip
    for size, language in itertools.product(SIZES, WORDS):
        words, width = WORDS[language], SIZES[size]["width"]
        page = signed_in(browser, live_server_url, bob, size=size, language=language)
        page.goto(f"{live_server_url}/p/{post.pk}/")
        page.locator("details.report summary").click()
        form = page.locator(".report-form")
        category = form.get_by_label(words["wrong"])
        form_width = (form.bounding_box() or {"width": 0})["width"]
        assert_styled(category, min_width=form_width * 0.8)
        assert_styled(form.get_by_label(words["details"]), min_width=form_width * 0.8)
        block = form.locator("input[name=block]")
        assert (block.bounding_box() or {"width": 0})["width"] >= 20
        assert_focus_ring(page, category)
        category.select_option("spam")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        form.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"report-form-styled-{size}-{language}.png"), full_page=True)
        page.context.close()

        page = signed_in(browser, live_server_url, mod, size=size, language=language)
        page.goto(f"{live_server_url}/moderation/")
        expect(page.locator(".moderation-case")).to_have_count(1)
        filters = page.locator(".queue-filter")
        assert_styled(filters.get_by_label(words["stage"]))
        assert (filters.get_by_label(words["appealed"]).bounding_box() or {"width": 0})["width"] >= 20
        act = page.locator(".case-act")
        assert_styled(act.get_by_label(words["action"]))
        assert_focus_ring(page, act.get_by_label(words["action"]))
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(ARTIFACTS / f"moderation-queue-styled-{size}-{language}.png"), full_page=True)
        page.context.close()
    assert Post.objects.filter(pk=post.pk).exists()
