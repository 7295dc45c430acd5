"""Cameo pages in Chromium: camera permission guidance, and @cameo autocomplete on the create page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from cameos.models import Cameo
from feed.models import User
from tests.builders.cameos import active_cameo

from .test_create_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_blocked_camera_is_explained(page: Page, live_server_url: str, alice: User, screenshot) -> None:
    # As if the person clicked "Block" on the browser's camera prompt.
    page.add_init_script(
        "navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('denied', 'NotAllowedError'));"
    )
    log_in(page, live_server_url, "alice")
    page.goto(f"{live_server_url}/cameos/record/")
    page.get_by_role("button", name="Turn on camera and microphone").click()
    expect(page.get_by_role("alert")).to_contain_text("Camera and microphone access is blocked. Allow both")
    screenshot("cameo-camera-blocked")


def test_no_camera_is_explained(page: Page, live_server_url: str, alice: User) -> None:
    page.add_init_script(
        "navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('none', 'NotFoundError'));"
    )
    log_in(page, live_server_url, "alice")
    page.goto(f"{live_server_url}/cameos/record/")
    page.get_by_role("button", name="Turn on camera and microphone").click()
    expect(page.get_by_role("alert")).to_contain_text("We couldn't find a camera and a microphone")


def test_mention_autocomplete_on_the_create_page(
    page: Page, live_server_url: str, alice: User, bob: User, charlie: User, screenshot
) -> None:
    active_cameo(alice, access=Cameo.Access.EVERYONE)
    active_cameo(charlie, access=Cameo.Access.ONLY_ME)  # not offered to bob
    log_in(page, live_server_url, "bob")
    page.goto(f"{live_server_url}/create/")
    prompt = page.get_by_label("Prompt", exact=True)
    prompt.press_sequentially("A picnic with @")
    options = page.get_by_role("listbox", name="Cameos you can use").get_by_role("option")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text("@alice")
    screenshot("cameo-mention-autocomplete")
    prompt.press("Enter")
    expect(prompt).to_have_value("A picnic with @alice ")
