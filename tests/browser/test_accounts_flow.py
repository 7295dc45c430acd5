"""A person in Chromium: sign up, log out, log in, follow someone, see their profile."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from feed.models import User
from tests.conftest import PASSWORD, years_ago

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def fill_sign_up(page: Page, base: str, *, handle: str, birth_date: str) -> None:
    page.goto(f"{base}/signup/")
    page.get_by_label("Handle").fill(handle)
    page.get_by_label("Display name").fill("Dana Browser")
    page.get_by_label("Birth date").fill(birth_date)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()


def test_sign_up_log_in_follow_and_view_profile(page: Page, live_server_url: str, alice: User, screenshot) -> None:
    fill_sign_up(page, live_server_url, handle="dana", birth_date=years_ago(25).isoformat())
    expect(page.get_by_role("heading", name="Dana Browser")).to_be_visible()
    expect(page.get_by_text("Welcome, @dana!")).to_be_visible()
    screenshot("signup-profile")

    page.get_by_role("button", name="Log out @dana").click()
    page.goto(f"{live_server_url}/login/")
    page.get_by_label("Handle").fill("dana")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out @dana")).to_be_visible()

    page.goto(f"{live_server_url}/@alice/")
    expect(page.get_by_role("heading", name="Alice Liddell")).to_be_visible()
    expect(page.get_by_text("I make tiny films.")).to_be_visible()
    page.get_by_role("button", name="Follow", exact=True).click()  # htmx swaps the controls in place
    expect(page.get_by_role("button", name="Following · Unfollow")).to_be_visible()
    expect(page.get_by_test_id("followers-count")).to_have_text("1")
    screenshot("profile-followed")
    assert User.objects.get(username="dana").following_edges.filter(followee__username="alice").exists()

    page.reload()  # the follow was stored, not just drawn
    expect(page.get_by_role("button", name="Following · Unfollow")).to_be_visible()


def test_under_13_sees_a_clear_refusal(page: Page, live_server_url: str, screenshot) -> None:
    fill_sign_up(page, live_server_url, handle="kiddo", birth_date=years_ago(12).isoformat())
    expect(page.get_by_role("alert")).to_have_text("You must be at least 13 years old to use this app.")
    screenshot("signup-under-13")
    assert not User.objects.filter(username="kiddo").exists()


def test_keyboard_only_sign_up(page: Page, live_server_url: str, screenshot) -> None:
    page.goto(f"{live_server_url}/signup/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.get_by_label("Handle").focus()
    page.keyboard.type("keys")
    page.keyboard.press("Tab")
    page.keyboard.type("Kay")
    page.keyboard.press("Tab")
    page.keyboard.type("01022000")  # Chromium's date input takes mm dd yyyy keystrokes in en-US
    password = page.get_by_label("Password")
    for _ in range(3):  # the date input's calendar button may take one Tab stop
        page.keyboard.press("Tab")
        if password.evaluate("el => el === document.activeElement"):
            break
    expect(password).to_be_focused()
    page.keyboard.type(PASSWORD)
    screenshot("keyboard-signup")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Kay")).to_be_visible()


def test_on_a_phone_every_tab_fits_and_logging_out_is_on_the_profile(
    page: Page, live_server_url: str, alice: User, screenshot
) -> None:
    # Why: with the log-out button in the bar, the sixth tab (Profile) was cut off at 390 px.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server_url}/login/")
    page.get_by_label("Handle").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    tabs = page.locator(".nav-list a")
    expect(tabs).to_have_count(6)
    for index in range(6):
        box = tabs.nth(index).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, tabs.nth(index).inner_text()
    expect(page.get_by_role("button", name="Log out @alice")).to_be_hidden()
    tabs.filter(has_text="Profile").click()
    screenshot("phone-profile")
    page.get_by_role("button", name="Log out", exact=True).click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
