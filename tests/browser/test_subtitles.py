"""Subtitles in the player: a reel whose video speaks carries its WebVTT track, shown (the feed starts
muted), with a Subtitles toggle that is remembered; in English at 1280 px and Japanese at 390 px
(screenshots under test-artifacts/, looked at)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from feed.models import User

from .test_create_flow import log_in, published_post

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TRACK_STATE = """v => new Promise(resolve => {
  const track = v.textTracks[0];
  const done = () => resolve({mode: track.mode, cues: Array.from(track.cues || []).map(c => c.text)});
  if (track.cues && track.cues.length) return done();
  v.querySelector("track").addEventListener("load", done, {once: true});
  setTimeout(done, 10000);
})"""


@pytest.mark.parametrize(
    ("language", "viewport", "prompt", "line", "toggle"),
    [
        ("en", {"width": 1280, "height": 900}, 'a lighthouse keeper says "the storm is here"', "the storm is here",
         "Subtitles"),
        ("ja", {"width": 390, "height": 844}, "灯台守が「嵐が来たぞ」と言う", "嵐が来たぞ", "字幕"),
    ],
    ids=["en-1280", "ja-390"],
)  # fmt: skip
def test_a_reel_shows_its_words_and_the_toggle_is_remembered(
    page: Page, live_server_url: str, alice: User, bob: User, screenshot, language, viewport, prompt, line, toggle
) -> None:
    published_post(alice, prompt, "words")
    page.set_viewport_size(viewport)
    if language == "ja":  # a visitor whose language is Japanese
        page.context.add_cookies([{"name": "django_language", "value": "ja", "url": live_server_url}])
    else:
        log_in(page, live_server_url, "bob")
    page.goto(f"{live_server_url}/")
    reel = page.locator(".reel").first
    video = reel.locator("video")
    expect(video.locator("track[kind=subtitles]")).to_have_attribute("srclang", language)
    state = video.evaluate(TRACK_STATE)
    assert state == {"mode": "showing", "cues": [line]}
    button = reel.get_by_role("button", name=toggle)
    expect(button).to_have_attribute("aria-pressed", "true")
    video.evaluate("v => { v.currentTime = 0.5; }")  # the line is said from 0.25 s
    screenshot(f"subtitles-{language}-{viewport['width']}")

    button.click()
    expect(button).to_have_attribute("aria-pressed", "false")
    assert video.evaluate("v => v.textTracks[0].mode") == "hidden"
    page.reload()
    reel = page.locator(".reel").first
    expect(reel.get_by_role("button", name=toggle)).to_have_attribute("aria-pressed", "false")
    assert reel.locator("video").evaluate("v => v.textTracks[0].mode") == "hidden"
