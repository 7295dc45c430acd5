"""A Japanese browser on a phone (ja-JP, Accept-Language ja, 390 px): sign up, create from a Japanese prompt
with dialogue in 「」, watch it complete; the interface is Japanese and fits the screen, the preview frame
carries the Japanese caption (test-artifacts/ja-preview-frame.png, looked at)."""

from __future__ import annotations

import av
import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from feed.models import User
from generation.models import GenerationJob
from tests.conftest import ARTIFACTS, PASSWORD, years_ago

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
PROMPT = "夕暮れの海辺で犬が走る、少女が「こんにちは」と言う"


@pytest.fixture
def browser_context_args(browser_context_args: dict) -> dict:
    return {
        **browser_context_args,
        "locale": "ja-JP",
        "extra_http_headers": {"Accept-Language": "ja-JP,ja;q=0.9"},
        "viewport": PHONE,
        "has_touch": True,
    }


def assert_fits_the_phone(page: Page) -> None:
    """Nothing wider than the screen, and every tab of the bottom bar inside it."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    tabs = page.locator(".nav-list a")
    for index in range(tabs.count()):
        box = tabs.nth(index).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], index


def test_sign_up_and_create_in_japanese_on_a_phone(page: Page, live_server_url: str, start_worker, screenshot) -> None:
    start_worker()
    # The first prompt loads the moderation model in the server process: on a busy machine that posting
    # takes longer than Playwright's 30 s default wait for the navigation.
    page.set_default_navigation_timeout(120_000)
    page.goto(f"{live_server_url}/signup/")
    expect(page.get_by_role("heading", name="アカウントを作成")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "ja"
    page.get_by_label("ユーザー名").fill("hanako")
    page.get_by_label("表示名").fill("山田花子")
    page.get_by_label("生年月日").fill(years_ago(25).isoformat())
    page.get_by_label("パスワード").fill(PASSWORD)
    expect(page.get_by_label("言語")).to_have_value("ja")  # the language form, for people not signed in
    screenshot("ja-signup")
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.screenshot(path=str(ARTIFACTS / "ja-signup-language-form.png"))
    # Scrolled down, the language choice sits above the tab bar, not under it.
    assert page.get_by_label("言語").evaluate(
        "el => { const r = el.getBoundingClientRect();"
        " return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === el; }"
    )
    page.get_by_role("button", name="登録").click()
    expect(page.get_by_role("heading", name="山田花子")).to_be_visible()
    expect(page.get_by_text("ようこそ、@hanako さん！")).to_be_visible()
    expect(page.get_by_role("link", name="プロフィールを編集")).to_be_visible()
    for tab in ("ホーム", "受信箱", "作成", "下書き", "カメオ", "プロフィール"):
        expect(page.locator(".nav-list").get_by_text(tab, exact=True)).to_be_visible()
    assert_fits_the_phone(page)
    screenshot("ja-profile-phone")

    page.goto(f"{live_server_url}/create/")
    expect(page.get_by_role("heading", name="動画を作成")).to_be_visible()
    page.get_by_label("プロンプト", exact=True).fill(PROMPT)
    assert_fits_the_phone(page)
    screenshot("ja-create-phone")
    page.get_by_role("button", name="生成").click(timeout=120_000)  # waits for the navigation too
    expect(page.get_by_text("動画の生成を受け付けました。")).to_be_visible()
    expect(page.locator("#live-status")).to_have_text("リアルタイム更新中", timeout=10_000)
    job_card = page.locator("[data-job-id]").first
    expect(job_card.get_by_text(PROMPT)).to_be_visible()
    expect(job_card.locator("video")).to_be_visible(timeout=120_000)
    expect(job_card.get_by_test_id("job-state")).to_have_text("完了")
    expect(job_card.get_by_text("プレビュー描画")).to_be_visible()
    expect(job_card.get_by_role("button", name="投稿する")).to_be_visible()
    assert_fits_the_phone(page)
    screenshot("ja-draft-phone")

    job = GenerationJob.objects.get(owner=User.objects.get(username="hanako"))
    assert job.state == "completed" and job.prompt == PROMPT
    with av.open(job.video.path) as container:
        assert container.streams.audio, "the dialogue in 「」 should give the video a soundtrack"
        frames = [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]
    frame = frames[len(frames) // 2]
    ARTIFACTS.mkdir(exist_ok=True)
    Image.fromarray(frame).save(ARTIFACTS / "ja-preview-frame.png")
    # The caption panel below the PREVIEW badge holds white glyph strokes (boxes would be thin outlines).
    height, width = frame.shape[:2]
    band = frame[int(height * 0.12) : int(height * 0.12) + int(height * 0.16), int(width * 0.05) : int(width * 0.95)]
    assert float(np.mean(band.min(axis=2) > 235)) > 0.03
