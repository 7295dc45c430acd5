"""Pages added after the first Japanese pass, on a Japanese phone (ja-JP, 390 px): the moderator's case page
for a reported profile, and the cameo owner's "Your voice" card. Screenshots: test-artifacts/ja-case-390.png,
ja-voice-card-390.png (looked at)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect

from feed.models import User
from moderation.reports import report_create
from tests.builders.cameos import active_cameo

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browser_context_args(browser_context_args: dict) -> dict:
    return {
        **browser_context_args,
        "locale": "ja-JP",
        "extra_http_headers": {"Accept-Language": "ja-JP,ja;q=0.9"},
        "viewport": PHONE,
    }


def signed_in(page: Page, base: str, user: User) -> None:
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base}])


def fits_the_phone(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_case_page_and_the_voice_card_in_japanese_on_a_phone(
    page: Page, live_server_url: str, alice: User, bob: User, mod: User, screenshot
) -> None:
    case = report_create(reporter=bob, subject_type="profile", subject_id=str(alice.pk), category="spam").case
    signed_in(page, live_server_url, mod)
    page.goto(f"{live_server_url}/moderation/case/{case.pk}/")
    expect(page.get_by_role("heading", name=f"ケース {case.pk}")).to_be_visible()
    expect(page.get_by_role("heading", name="報告1件")).to_be_visible()
    expect(page.get_by_test_id("case-status")).to_contain_text("ユーザーからの報告")
    expect(page.get_by_test_id("case-reports")).to_contain_text("スパム・詐欺")
    expect(page.get_by_role("heading", name="この対象の履歴")).to_be_visible()
    expect(page.get_by_role("button", name="非表示にする")).to_be_visible()
    assert fits_the_phone(page)
    screenshot("ja-case-390")

    cameo = active_cameo(alice)
    page.context.clear_cookies()
    signed_in(page, live_server_url, alice)
    page.goto(f"{live_server_url}/cameos/@{cameo.handle}/")
    card = page.locator("section[aria-labelledby=voice-title]")
    expect(card.get_by_role("heading", name="あなたの声")).to_be_visible()
    expect(card).to_contain_text("オフ：あなたのセリフは、あなたの声の高さの合成音声で話されます。")
    assert fits_the_phone(page)
    screenshot("ja-voice-card-390")
