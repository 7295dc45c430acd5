"""Provenance in Chromium: download a video from its post, upload it on /verify/, reach the post."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from feed.models import User
from tests.browser.test_create_flow import published_post

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.parametrize("width", [1280, 390])
def test_a_downloaded_video_leads_back_to_its_post(
    page: Page, live_server_url: str, alice: User, screenshot, tmp_path: Path, width: int
) -> None:
    post = published_post(alice, "a paper crane folding itself", "Origami")
    page.set_viewport_size({"width": width, "height": 900 if width > 400 else 844})
    page.goto(f"{live_server_url}/p/{post.pk}/")  # signed out: a public post, anyone
    strip = page.locator(".scrub")
    strip_box = strip.bounding_box()
    assert strip_box is not None
    strip.hover(position={"x": strip_box["width"] * 0.95, "y": 6})  # near the end: the last tile
    tip = page.locator(".scrub-tip")
    expect(tip).to_be_visible()
    assert "sprites.jpg" in tip.evaluate("el => el.style.backgroundImage")
    assert tip.evaluate("el => el.style.backgroundPosition") != "-0px -0px"
    screenshot(f"post-scrub-{width}")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download").click()
    downloaded = tmp_path / "downloaded.mp4"
    download.value.save_as(downloaded)
    assert downloaded.read_bytes()[4:8] == b"ftyp"

    page.get_by_role("link", name="Verify a video").click()
    expect(page.get_by_role("heading", name="Verify a video")).to_be_visible()
    page.get_by_label("Video file").set_input_files(str(downloaded))
    page.get_by_role("button", name="Check this video").click()
    expect(page.locator("[data-c2pa-state]")).to_have_attribute("data-c2pa-state", "Trusted")
    expect(page.locator("[data-watermark]")).to_have_attribute("data-watermark", "found")
    original = page.get_by_role("link", name="See the original by @alice")
    expect(original).to_be_visible()
    box = original.bounding_box()
    assert box is not None and box["x"] + box["width"] <= width
    screenshot(f"verify-result-{width}")
    original.click()
    expect(page).to_have_url(f"{live_server_url}/p/{post.pk}/")
