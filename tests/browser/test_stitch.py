"""Stitching on the drafts page: tick two drafts, put them in order, trim them, and get one new video that
plays; in English at 1280 px and Japanese at 390 px, the open form checked by axe-core (screenshots under
test-artifacts/, looked at)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from playwright.sync_api import Page, expect

from feed.models import User
from generation import worker
from generation.models import GenerationJob
from tests.builders.finished_jobs import finished_job

from .test_accessibility import serious_violations
from .test_create_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PLAYED = """v => new Promise(resolve => {
  const done = () => resolve({time: v.currentTime, duration: v.duration});
  v.addEventListener("timeupdate", () => { if (v.currentTime > 0) done(); });
  setTimeout(done, 15000);
  v.muted = true;
  v.play();
})"""


def off_thread(work) -> object:  # the services push socket events through async_to_sync
    def run() -> object:
        try:
            return work()
        finally:
            connection.close()  # this thread's own connection, or the test database cannot be dropped

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


@pytest.mark.parametrize(
    ("language", "width", "texts"),
    [
        ("en", 1280, {"open": "Stitch drafts together", "first": "a paper boat", "second": "a red kite",
                      "start": "Start (s)", "end": "End (s)", "up": "Move “a paper boat on a rainy street” up",
                      "total": "2 drafts · 4.5 s", "go": "Stitch", "spec": "stitched from 2 drafts"}),
        ("ja", 390, {"open": "下書きをつなげる", "first": "雨の街を進む紙の船", "second": "緑の丘の上の赤い凧",
                     "start": "開始（秒）", "end": "終了（秒）", "up": "「雨の街を進む紙の船」を上へ",
                     "total": "2本 · 4.5秒", "go": "つなげる", "spec": "下書き2本をつなげた動画"}),
    ],
    ids=["en-1280", "ja-390"],
)  # fmt: skip
def test_pick_order_trim_and_play_the_stitched_video(
    page: Page, live_server_url: str, alice: User, screenshot, language: str, width: int, texts: dict[str, str]
) -> None:
    prompts = {"first": texts["first"], "second": texts["second"]}
    if language == "en":
        prompts = {"first": "a paper boat on a rainy street", "second": "a red kite over green hills"}
    off_thread(lambda: [finished_job(alice, prompt) for prompt in prompts.values()])
    log_in(page, live_server_url, "alice")
    if language == "ja":
        off_thread(lambda: User.objects.filter(pk=alice.pk).update(language="ja"))
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server_url}/drafts/")
    page.get_by_text(texts["open"]).click()
    rows = page.locator("[data-stitch-row]")
    # Ticked in the order wanted last: the kite first, then the boat; then the boat is moved up.
    page.get_by_label(texts["second"]).check()
    page.get_by_label(texts["first"]).check()
    expect(rows.nth(0)).to_contain_text(texts["second"])
    page.get_by_role("button", name=texts["up"]).click()
    expect(rows.nth(0)).to_contain_text(texts["first"])
    rows.nth(0).get_by_label(texts["start"]).fill("1")
    rows.nth(0).get_by_label(texts["end"]).fill("3")
    rows.nth(1).get_by_label(texts["end"]).fill("2.5")
    expect(page.locator("[data-stitch-total]")).to_have_text(texts["total"])
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(f"stitch-form-{language}-{width}")
    assert serious_violations(page, "drafts, stitch form open") == []

    # Waits for the navigation too: the first prompt-stage check in the server process loads its model.
    page.get_by_role("button", name=texts["go"], exact=True).click(timeout=120_000)
    stitch = off_thread(lambda: GenerationJob.objects.get(owner=alice, kind="stitch"))
    assert isinstance(stitch, GenerationJob)
    card = page.locator(f"[data-job-id={stitch.public_id}]")
    expect(card).to_contain_text(texts["spec"])
    live = "Live" if language == "en" else "リアルタイム更新中"
    expect(page.locator("#live-status")).to_have_text(live, timeout=10_000)
    off_thread(lambda: worker.job_execute(stitch.pk))  # pushed to the page over its socket
    video = card.locator("video")
    expect(video).to_be_visible(timeout=30_000)
    played = video.evaluate(PLAYED)
    assert 4.3 < played["duration"] < 4.7 and played["time"] > 0
    video.evaluate("v => { v.pause(); v.currentTime = 1.5; }")
    screenshot(f"stitch-result-{language}-{width}")
