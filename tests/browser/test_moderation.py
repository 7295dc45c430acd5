"""The moderator queue in Chromium, on a desktop and on a 390 px phone: a held cameo is approved."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from cameos.models import Cameo
from feed.models import User
from moderation.models import ModerationCase
from tests.moderation.test_queue import hold_for_review

from .test_create_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.parametrize("width", [1280, 390])
def test_a_moderator_approves_a_held_cameo(
    page: Page,
    live_server_url: str,
    alice: User,
    bob: User,
    mod: User,
    screenshot,
    width: int,
    astronaut_recording: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Off the main thread, where Playwright's event loop runs (see published_post).
    with ThreadPoolExecutor(max_workers=1) as pool:
        held = pool.submit(hold_for_review, alice, bob, astronaut_recording, monkeypatch).result()
    log_in(page, live_server_url, "mod")
    page.set_viewport_size({"width": width, "height": 900})  # phones log out from the profile, not the top bar
    page.goto(f"{live_server_url}/moderation/")
    case = page.locator(f"[data-subject-type=cameo][data-case-id='{ModerationCase.objects.get().pk}']")
    expect(case).to_contain_text(f"@{held.handle}")
    expect(case).to_contain_text("Face matches another account's cameo")
    screenshot(f"moderation-queue-{width}")
    case.get_by_role("button", name="Approve cameo").click()
    expect(page.get_by_text("Nothing to review.")).to_be_visible()
    held.refresh_from_db()
    assert held.status == Cameo.Status.ACTIVE


def test_a_non_moderator_sees_a_clear_refusal(page: Page, live_server_url: str, charlie: User) -> None:
    log_in(page, live_server_url, "charlie")
    response = page.goto(f"{live_server_url}/moderation/")
    assert response is not None and response.status == 403
    expect(page.get_by_text("Only moderators can do this.")).to_be_visible()
