"""The consent statement on a Japanese phone (ja-JP, 390 px): the record page links it before the camera
starts, it opens in Japanese and fits, and the deletion card links its part about videos. Screenshots:
test-artifacts/ja-cameo-record-consent-390.png, ja-cameo-consent-390.png (looked at)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from feed.models import User
from tests.builders.cameos import active_cameo

from .test_japanese_moderation import PHONE, fits_the_phone, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def browser_context_args(browser_context_args: dict) -> dict:
    return {
        **browser_context_args,
        "locale": "ja-JP",
        "extra_http_headers": {"Accept-Language": "ja-JP,ja;q=0.9"},
        "viewport": PHONE,
    }


def test_the_record_page_links_the_consent_statement_before_the_camera_starts(
    page: Page, live_server_url: str, alice: User, bob: User, screenshot
) -> None:
    # Counts camera requests: following the link must not have started the camera.
    page.add_init_script(
        "window.cameraAsked = 0; navigator.mediaDevices.getUserMedia = () =>"
        " { window.cameraAsked += 1; return Promise.reject(new DOMException('no', 'NotFoundError')); };"
    )
    signed_in(page, live_server_url, alice)
    page.goto(f"{live_server_url}/cameos/record/")
    link = page.get_by_role("link", name="録画の前に：顔と声のデータについて")
    camera = page.get_by_role("button", name="カメラとマイクをオンにする")
    expect(link).to_be_visible()
    expect(camera).to_be_visible()
    assert link.bounding_box()["y"] < camera.bounding_box()["y"]  # read first, above the button
    assert fits_the_phone(page)
    screenshot("ja-cameo-record-consent-390")
    link.click()
    expect(page.get_by_role("heading", name="カメオで保存するデータと利用目的")).to_be_visible()
    for heading in ("保存するデータ", "利用目的", "保存期間", "データを見られる人", "削除方法", "カメオを使った動画"):
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.locator("article.consent")).to_contain_text("顔画像（最大5枚）")
    assert page.evaluate("window.cameraAsked") == 0
    assert fits_the_phone(page)
    screenshot("ja-cameo-consent-390")

    cameo = active_cameo(bob)
    page.context.clear_cookies()
    signed_in(page, live_server_url, bob)
    page.goto(f"{live_server_url}/cameos/@{cameo.handle}/")
    danger = page.locator("section[aria-labelledby=delete-title]")
    expect(danger).to_contain_text("ほかの人が作ったものを含めて")
    danger.get_by_role("link", name="削除されるデータと、このカメオを使った動画の扱い").click()
    expect(page.get_by_role("heading", name="カメオを使った動画", exact=True)).to_be_in_viewport()
