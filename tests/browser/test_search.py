"""Search in Chromium: the typeahead as you type, the results page, a hashtag's page, and the feed's
filters ("with @someone's cameo", "hide remixes") from the Tune sheet. Desktop and a 390 px phone, in
English and in Japanese (the person's language setting)."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import Page, expect

from cameos.models import CameoUsage
from feed.engagement.services import stats_bump
from feed.graph.services import block_create
from feed.models import Post, User
from feed.ranking.embeddings import embeddings_store
from tests.browser.test_create_flow import log_in, published_post
from tests.browser.test_feed import copies
from tests.builders.cameos import active_cameo
from tests.builders.posts import post_make
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
WORDS = {
    "en": {"box": "Search people, videos, hashtags and cameos", "search": "Search", "people": "People",
           "videos": "Videos", "query": "kite", "typed": "kit", "caption": "Kite day at the beach #kites",
           "person": "Kite Runner", "tag": "kites", "views": r"(\d+) views", "one_video": "1 video"},
    "ja": {"box": "人・動画・ハッシュタグ・カメオを検索", "search": "検索", "people": "人",
           "videos": "動画", "query": "海辺", "typed": "海辺", "caption": "夕暮れの海辺で凧あげ #海辺",
           "person": "海辺の花子", "tag": "海辺", "views": r"(\d+)回視聴", "one_video": "1本の動画"},
}  # fmt: skip


@pytest.mark.parametrize(("size", "language"), [("desktop", "en"), ("phone", "ja"), ("phone", "en"), ("desktop", "ja")])
def test_typeahead_results_and_a_hashtag_page(
    page: Page, live_server_url: str, alice: User, bob: User, charlie: User, screenshot, size: str, language: str
) -> None:
    words = WORDS[language]
    found = post_make(alice, words["caption"])
    post_make(alice, f"{words['caption']} (private)", visibility=Post.Visibility.PRIVATE)
    post_make(charlie, f"{words['caption']} by someone blocked")
    stats_bump(found.pk, impressions=7)
    block_create(blocker=charlie, blocked=bob)
    make_user("kiterunner", display_name=words["person"])
    embeddings_store(Post.objects.all())  # here, so the server's first feed need not load the model
    page.set_default_navigation_timeout(120_000)
    log_in(page, live_server_url, "bob")
    User.objects.filter(pk=bob.pk).update(language=language)
    page.set_viewport_size(SIZES[size])
    page.goto(f"{live_server_url}/")
    page.locator(".search-link").click()
    box = page.get_by_label(words["box"])
    box.press_sequentially(words["typed"], delay=50)
    suggestions = page.locator("#search-suggestions")
    expect(suggestions.get_by_role("link", name=words["caption"][:20])).to_be_visible()
    tag_link = suggestions.get_by_role("link", name=re.compile(f"^#{words['tag']} "))
    expect(tag_link).to_contain_text(words["one_video"])
    expect(suggestions.get_by_role("link", name=words["person"])).to_be_visible()
    expect(suggestions.get_by_text("by someone blocked")).to_have_count(0)
    screenshot(f"search-typeahead-{size}-{language}")

    box.fill(words["query"])
    box.press("Enter")
    expect(page.get_by_role("heading", name=words["videos"], level=2)).to_be_visible()
    grid = page.get_by_test_id("grid-post")
    expect(grid).to_have_count(1)  # not the private one, not the blocked author's
    # 7 counted before, and the feed's own beacons count bob's views of it since.
    views = re.search(words["views"], grid.first.inner_text())
    assert views is not None and int(views.group(1)) >= 7
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    screenshot(f"search-results-{size}-{language}")

    page.locator(".search .chips").get_by_role("link", name=f"#{words['tag']}").click()
    expect(page.get_by_role("heading", name=f"#{words['tag']}", level=1)).to_be_visible()
    expect(grid).to_have_count(1)
    screenshot(f"search-hashtag-{size}-{language}")


def test_feed_filters_from_the_tune_sheet_on_a_phone(
    page: Page, live_server_url: str, alice: User, bob: User, charlie: User, screenshot
) -> None:
    original = published_post(bob, "a red kite over green hills", "Alice's kite")

    def tag_cameo_and_remix() -> list[Post]:
        cameo = active_cameo(alice)
        assert original.job is not None
        CameoUsage.objects.create(cameo=cameo, job=original.job)
        return copies(original, [(bob, "A remix of it"), (bob, "Nothing to do with alice")])

    with ThreadPoolExecutor(max_workers=1) as pool:
        remix, _ = pool.submit(tag_cameo_and_remix).result()
    Post.objects.filter(pk=remix.pk).update(remix_of=original)
    embeddings_store(Post.objects.all())
    page.set_default_navigation_timeout(120_000)
    log_in(page, live_server_url, "charlie")
    page.set_viewport_size(SIZES["phone"])
    page.goto(f"{live_server_url}/")
    expect(page.locator("article.reel")).to_have_count(3)
    expect(page.locator(f"#reel-{remix.pk} .badge-remix")).to_be_visible()

    page.get_by_role("button", name="Tune").click()
    page.get_by_label("Only videos with this cameo").fill("@alice")
    page.get_by_role("button", name="Filter the feed").click()
    expect(page.locator("article.reel")).to_have_count(1)
    expect(page.locator(f"#reel-{original.pk}")).to_be_visible()
    expect(page.get_by_role("link", name="With @alice's cameo: show everything")).to_be_visible()
    screenshot("feed-filter-cameo-phone")

    page.get_by_role("link", name="With @alice's cameo: show everything").click()
    expect(page.get_by_role("link", name="With @alice's cameo: show everything")).to_have_count(0)
    page.get_by_role("button", name="Tune").click()
    page.get_by_label("Hide remixes").check()
    page.get_by_role("button", name="Filter the feed").click()
    expect(page.get_by_role("link", name="Remixes hidden: show them")).to_be_visible()
    # What charlie watched already may have left For You (it offers rewatches when nothing is new):
    # whatever is shown, the remix is not.
    expect(page.locator("article.reel").first).to_be_visible()
    expect(page.locator(f"#reel-{remix.pk}")).to_have_count(0)
    screenshot("feed-filter-no-remixes-phone")
