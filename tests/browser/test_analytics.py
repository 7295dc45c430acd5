"""Creator analytics in Chromium: alice's numbers for her video and her cameo (totals, the bar chart, a
metric picked, the day-by-day table), on a desktop and a 390 px phone, in English and Japanese; charlie
is refused. The views come from the player's beacon's service, a week of days from shifting each day's
rows back, so the chart has history."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import Browser, expect

from cameos.models import CameoUsage
from feed.engagement import services
from feed.engagement.models import DailyView, PostDay
from feed.models import Post, User
from generation.models import GenerationJob
from tests.browser.test_accessibility import SIZES, signed_in
from tests.builders.cameos import active_cameo
from tests.builders.posts import post_make
from tests.conftest import ARTIFACTS, make_user

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WORDS = {
    "en": {"title": "Analytics for your video", "cameo": "Analytics for @alice", "likes": "Likes",
           "days": "Day by day", "refused": "Only its creator can see these numbers."},
    "ja": {"title": "動画のアナリティクス", "cameo": "@alice のアナリティクス", "likes": "いいね数",
           "days": "日ごとの数値", "refused": "この数字を見られるのは作成者だけです。"},
}  # fmt: skip


def a_week_of_days(alice: User, bob: User) -> Post:
    """alice's video with her cameo in it (made by bob): one more viewer each day for a week (27 views
    in all), a like a day from six people, and one of them taken back today (5 likes)."""
    cameo = active_cameo(alice)
    job = GenerationJob.objects.create(owner=bob, prompt="@alice flies", seconds=4, width=720, height=1280, seed=1)
    CameoUsage.objects.create(cameo=cameo, job=job)
    post = post_make(alice, "Kite day", seconds=4)
    post_make(bob, "alice flies a kite", job=job)
    viewers = [make_user(f"viewer{i}") for i in range(6)]
    today = services.today()
    for ago in range(6, -1, -1):
        for i, person in enumerate(viewers[: 7 - ago]):
            watched = services.ImpressionReport(
                post_id=post.pk, view_id=f"{ago}-{i}", watch_ms=1000 * (1 + i % 4), completed=i % 3 == 0, replays=0
            )
            services.impressions_record(user=person, reports=[watched])
        services.like_set(user=viewers[ago % 6], post=post, liked=True)
        if ago:
            DailyView.objects.filter(day=today).update(day=today - dt.timedelta(days=ago))
            PostDay.objects.filter(day=today).update(day=today - dt.timedelta(days=ago))
    services.like_set(user=viewers[3], post=post, liked=False)
    return post


def test_a_creator_reads_her_numbers_and_others_are_refused(
    browser: Browser, live_server_url: str, alice: User, bob: User, charlie: User
) -> None:
    with ThreadPoolExecutor(max_workers=1) as pool:  # off Playwright's loop: the services push events
        post = pool.submit(a_week_of_days, alice, bob).result()
    for size, language in itertools.product(SIZES, WORDS):
        words, width = WORDS[language], SIZES[size]["width"]
        page = signed_in(browser, live_server_url, alice, size=size, language=language)
        page.goto(f"{live_server_url}/p/{post.pk}/analytics/")
        expect(page.get_by_role("heading", name=words["title"], level=1)).to_be_visible()
        expect(page.locator("[data-total=views]")).to_have_text("27")  # each person once a day
        expect(page.locator("[data-total=likes]")).to_have_text(re.compile(r"^5\b"))
        chart = page.get_by_test_id("analytics-chart")
        expect(chart).to_be_visible()
        heights = chart.locator(".chart-bar").evaluate_all("bars => bars.map(b => b.getBBox().height)")
        assert heights[-7:] == sorted(heights[-7:]) and heights[-1] > heights[-7] > 0  # more viewers each day
        page.get_by_role("link", name=words["likes"], exact=True).click()
        expect(page.get_by_test_id("analytics-chart")).to_have_attribute("data-metric", "likes")
        page.get_by_text(words["days"]).click()
        expect(page.locator(".analytics-days tbody tr")).to_have_count(7)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(ARTIFACTS / f"analytics-post-{size}-{language}.png"), full_page=True)

        page.goto(f"{live_server_url}/cameos/@alice/analytics/")
        expect(page.get_by_role("heading", name=words["cameo"], level=1)).to_be_visible()
        expect(page.locator(".analytics-videos tbody tr")).to_have_count(1)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(ARTIFACTS / f"analytics-cameo-{size}-{language}.png"), full_page=True)
        page.context.close()

    page = signed_in(browser, live_server_url, charlie, size="phone", language="ja")
    response = page.goto(f"{live_server_url}/p/{post.pk}/analytics/")
    assert response is not None and response.status == 403
    expect(page.get_by_text(WORDS["ja"]["refused"])).to_be_visible()
    page.context.close()
