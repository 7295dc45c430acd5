"""A profile's cameo on a phone: who may use it, then "ask to use" and the request standing."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from cameos.models import Cameo, CameoAccess
from feed.models import User
from tests.builders.cameos import active_cameo

from .test_create_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_ask_to_use_a_cameo_from_a_profile_on_a_phone(
    page: Page, live_server_url: str, alice: User, charlie: User, screenshot
) -> None:
    cameo = active_cameo(alice, access=Cameo.Access.APPROVED)
    log_in(page, live_server_url, "charlie")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server_url}/@alice/")
    card = page.get_by_test_id("profile-cameo")
    expect(card).to_contain_text("@alice")
    expect(card.get_by_test_id("cameo-level")).to_have_text("People @alice approves can use it.")
    ask = card.get_by_role("button", name="Ask to use @alice")
    expect(ask).to_be_in_viewport()
    screenshot("profile-cameo-ask-390")
    ask.click()

    expect(page.get_by_text("Asked @alice.")).to_be_visible()
    expect(page).to_have_url(f"{live_server_url}/@alice/")
    expect(page.get_by_test_id("profile-cameo").get_by_test_id("cameo-state")).to_contain_text("Requested")
    expect(page.get_by_role("button", name="Ask to use @alice")).to_have_count(0)
    assert CameoAccess.objects.get(cameo=cameo, user=charlie).state == CameoAccess.State.REQUESTED
    # The page never scrolls sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("profile-cameo-requested-390")
