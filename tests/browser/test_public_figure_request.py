"""The public form to be added to the public-figure registry: an estate fills it in on a 390 px phone
and on a desktop, without an account, and the request reaches the moderators' queue."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from cameos.models import PublicFigureRequest
from moderation.models import ModerationCase

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.parametrize("width", [390, 1280])
def test_an_estate_asks_for_a_name_to_be_added(page: Page, live_server_url: str, screenshot, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server_url}/public-figures/request/")
    page.get_by_label("Name to add").fill("Hanako Kagami")
    page.get_by_label("Other names (one per line)").fill("鏡花子\nかがみはなこ")
    page.get_by_label("How people describe them (optional, one per line)").fill("the drummer of The Glass Foxes")
    page.get_by_label("This person has died").check()
    page.get_by_label("Your name").fill("Kagami Estate")
    page.get_by_label("Your relation to them").select_option("estate")
    page.get_by_label("Email address").fill("estate@example.org")
    # Nothing spills sideways on a phone: the page is no wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(f"public-figure-request-{width}")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_text("A moderator will review your request")).to_be_visible()
    screenshot(f"public-figure-request-sent-{width}")
    request = PublicFigureRequest.objects.get()
    assert (request.name, request.aliases, request.deceased) == ("Hanako Kagami", ["鏡花子", "かがみはなこ"], True)
    assert ModerationCase.objects.filter(subject_type="figure_request", subject_id=str(request.pk)).exists()
