"""Japanese line breaking on a phone (ja-JP, 390 px): strict kinsoku (no line of any paragraph starts with
ー, a closing bracket or 。), phrase-aware breaks in headings and labels where Chromium has them, and the
inbox's links and age on one line instead of a column a character wide. Screenshots:
test-artifacts/ja-inbox-390.png, ja-cameo-detail-390.png (looked at)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import Page, expect

from feed.graph.services import follow_create
from feed.models import User
from moderation.cases import case_act
from moderation.reports import report_create
from tests.builders.cameos import active_cameo
from tests.builders.posts import post_make

from .test_japanese_moderation import PHONE, fits_the_phone, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NO_LINE_START = "ー）」』】〕、。，．・：；？！ぁぃぅぇぉっゃゅょァィゥェォッャュョ"

# The first character of every line the browser laid `el`'s text out on.
LINE_STARTS = """el => {
  const starts = []; let lastTop = null;
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.length; i++) {
      const range = document.createRange(); range.setStart(node, i); range.setEnd(node, i + 1);
      const rect = range.getClientRects()[0];
      if (!rect || !node.data[i].trim()) continue;
      if (lastTop !== null && rect.top > lastTop + rect.height / 2) starts.push(node.data[i]);
      lastTop = rect.top;
    }
  }
  return starts;
}"""


def notifications_for_alice(alice: User, bob: User, mod: User) -> None:
    """In Japanese: a follow, and two moderation actions with the longest links ("details and appeal")."""
    alice.language = "ja"
    alice.save(update_fields=["language"])
    follow_create(follower=bob, followee=alice)
    for category, days in (("spam", 3), ("hate", 0)):
        post = post_make(alice, f"a kite over the dunes ({category})")
        case = report_create(reporter=bob, subject_type="post", subject_id=str(post.pk), category=category).case
        action = "suspend" if days else "remove"
        case_act(case_id=case.pk, by=mod, action=action, reason="スパム行為の繰り返し", days=days)


@pytest.fixture
def browser_context_args(browser_context_args: dict) -> dict:
    return {
        **browser_context_args,
        "locale": "ja-JP",
        "extra_http_headers": {"Accept-Language": "ja-JP,ja;q=0.9"},
        "viewport": PHONE,
    }


def assert_no_line_starts_badly(page: Page, selector: str) -> None:
    for index in range(page.locator(selector).count()):
        starts = page.locator(selector).nth(index).evaluate(LINE_STARTS)
        assert not [c for c in starts if c in NO_LINE_START], (selector, index, starts)


def test_japanese_lines_break_by_the_rules_on_a_phone(
    page: Page, live_server_url: str, alice: User, bob: User, mod: User, screenshot
) -> None:
    with ThreadPoolExecutor(max_workers=1) as pool:  # their live pushes need a thread with no event loop
        pool.submit(notifications_for_alice, alice, bob, mod).result()
    signed_in(page, live_server_url, alice)
    page.goto(f"{live_server_url}/inbox/")
    expect(page.get_by_role("heading", name="受信箱")).to_be_visible()
    body = page.locator("body")
    assert body.evaluate("el => getComputedStyle(el).lineBreak") == "strict"
    if page.evaluate("CSS.supports('word-break', 'auto-phrase')"):
        assert page.locator("h1").evaluate("el => getComputedStyle(el).wordBreak") == "auto-phrase"
    metas = page.locator(".notifications li > span:last-child")
    assert metas.count() == 3
    for index in range(metas.count()):
        meta = metas.nth(index)
        line = meta.evaluate("el => parseFloat(getComputedStyle(el).lineHeight)")
        box = meta.bounding_box()
        assert box is not None and box["height"] < 1.5 * line, (index, meta.inner_text(), box)  # one line
        text = meta.locator("xpath=preceding-sibling::span").bounding_box()
        assert text is not None and text["width"] > PHONE["width"] / 2  # the text keeps most of the row
    assert_no_line_starts_badly(page, ".notifications li > span")
    assert fits_the_phone(page)
    screenshot("ja-inbox-390")

    cameo = active_cameo(alice)
    page.goto(f"{live_server_url}/cameos/@{cameo.handle}/")
    assert_no_line_starts_badly(page, "main p, main h1, main h2, main label, main li")
    assert fits_the_phone(page)
    screenshot("ja-cameo-detail-390")
