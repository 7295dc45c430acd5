"""axe-core (the copy `axe-playwright-python` ships) in Chromium on every page and state a person reaches:
feed (with the comments and "why" sheets open), post page and its analytics, create, drafts, cameos, inbox,
verify, API keys (a new key shown), the moderator queue, log-in and sign-up; on a desktop and a 390 px
phone, in English and Japanese. Any serious or critical violation fails the test, all of them listed at once."""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from playwright.sync_api import Browser, Page, expect

from feed.engagement.services import like_set
from feed.models import Post, User
from moderation.reports import report_create
from tests.conftest import ARTIFACTS

from .test_create_flow import published_post
from .test_feed import copies

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = Axe()
# The default rules, and label-content-name-mismatch too (axe marks it experimental, so it is off unless
# asked for): a control's name must contain its visible words (WCAG 2.5.3).
OPTIONS = {"resultTypes": ["violations"], "rules": {"label-content-name-mismatch": {"enabled": True}}}
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
LANGUAGES = {"en": "en-US,en;q=0.9", "ja": "ja-JP,ja;q=0.9"}


def serious_violations(page: Page, state: str) -> list[str]:
    """Each serious or critical violation on the page as it is now: rule, impact and the first nodes."""
    results = AXE.run(page, options=OPTIONS)
    headings = page.locator("h1").count()
    return [f"{state}: {headings} <h1> elements, not one"] * (headings != 1) + [
        f"{state}: {rule['id']} ({rule['impact']}) {rule['help']}: "
        + "; ".join(node["target"][0] if node["target"] else "" for node in rule["nodes"][:4])
        for rule in results.response["violations"]
        if rule["impact"] in ("serious", "critical")
    ]


def signed_in(browser: Browser, base: str, user: User | None, *, size: str, language: str) -> Page:
    context = browser.new_context(
        viewport=SIZES[size],
        locale="ja-JP" if language == "ja" else "en-US",
        extra_http_headers={"Accept-Language": LANGUAGES[language]},
        has_touch=size == "phone",
    )
    if user is not None:
        client = Client()
        client.force_login(user)
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}])
    page = context.new_page()
    # The first feed loads the ranking model in the server process: slow on a busy 2-core machine.
    page.set_default_navigation_timeout(120_000)
    return page


def world(alice: User, bob: User, charlie: User) -> Post:
    """A published post of alice's, liked by bob (a notification in her inbox), reported by charlie (a case in
    the moderator's queue). Off the main thread, where Playwright's event loop runs (see published_post)."""
    post = published_post(alice, "a red kite over green hills", "Kite day")

    def react() -> None:
        like_set(user=bob, post=post, liked=True)
        report_create(reporter=charlie, subject_type="post", subject_id=str(post.pk), category="spam", note="a scam")

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(react).result()
    return post


def test_no_serious_violations_anywhere(
    browser: Browser, live_server_url: str, alice: User, bob: User, charlie: User, mod: User
) -> None:
    """One world, swept in each of the four combinations (one render instead of four, for CI's time)."""
    post = world(alice, bob, charlie)
    found: list[str] = []
    csp: list[str] = []
    for size, language in itertools.product(SIZES, LANGUAGES):
        where = f"{size}, {language}"

        def check(page: Page, state: str, where: str = where) -> None:
            page.wait_for_load_state("load")
            found.extend(serious_violations(page, f"{where}: {state}"))
            name = "-".join(f"{where} {state}".replace(",", "").split())
            page.screenshot(path=str(ARTIFACTS / f"a11y-{name}.png"))  # looked at, language by language

        def sweep(page: Page, pages: dict[str, str]) -> None:
            for state, path in pages.items():
                page.goto(f"{live_server_url}{path}")
                check(page, state)

        def visit(user: User | None, pages: dict[str, str], size: str = size, language: str = language) -> Page:
            page = signed_in(browser, live_server_url, user, size=size, language=language)
            page.on("console", lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None)
            sweep(page, pages)
            return page

        visitor = visit(None, {"log-in": "/login/", "sign-up": "/signup/", "feed (visitor)": "/", "verify": "/verify/"})
        # The checker sees what it should: a button whose name hides its visible words is reported.
        visitor.evaluate(
            "document.querySelector('main').insertAdjacentHTML('beforeend',"
            " '<button type=button aria-label=\"Turn sound on\">Sound off</button>')"
        )
        assert any("label-content-name-mismatch" in line for line in serious_violations(visitor, "planted"))
        visitor.context.close()

        # The feed's sheets are checked on the feed as first loaded (each feed load ranks and starts a video).
        page = visit(bob, {"feed": "/"})
        reel = page.locator(".reel").first
        for action, sheet in (("comments", "comments-dialog"), ("report", "report-dialog")):
            reel.locator(f"[data-action={action}]").click()
            expect(page.locator(f"#{sheet}")).to_be_visible()
            check(page, f"feed, {action} sheet")
            page.keyboard.press("Escape")
        sweep(
            page,
            {
                "post page": f"/p/{post.pk}/",
                "create": "/create/",
                "remix": f"/create/?remix={post.job.public_id}",
                "cameos": "/cameos/",
                "profile": "/@alice/",
            },
        )
        page.context.close()

        page = visit(
            alice,
            {
                "inbox": "/inbox/",
                "drafts": "/drafts/",
                "own post page": f"/p/{post.pk}/",
                "analytics": f"/p/{post.pk}/analytics/",
            },
        )
        page.goto(f"{live_server_url}/settings/api-keys/")
        page.locator("input[name=name]").fill("phone script")
        page.locator("form:has(input[name=name]) button[type=submit]").click()
        expect(page.get_by_test_id("new-key-value")).to_be_visible()
        check(page, "API keys, a new key")
        page.context.close()

        visit(mod, {"moderator queue": "/moderation/"}).context.close()

    assert found == [], "\n".join(found)
    assert csp == [], csp


def test_reduced_motion_pause_control_and_shortcuts_off(
    browser: Browser, live_server_url: str, alice: User, bob: User
) -> None:
    """With prefers-reduced-motion nothing plays by itself; Play/Pause on the reel; the j/k/m keys can be
    turned off (arrows still work), remembered; the reel reached by keys shows its focus ring."""
    first = published_post(alice, "a red kite over green hills", "Kite day")
    copies(first, [(alice, "Second kite")])
    context = browser.new_context(viewport=SIZES["desktop"], reduced_motion="reduce")
    page = context.new_page()
    client = Client()
    client.force_login(bob)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server_url}])
    page.set_default_navigation_timeout(120_000)
    page.goto(f"{live_server_url}/")
    reel = page.locator(".reel").first
    expect(reel.get_by_role("button", name="Play")).to_be_visible()
    page.wait_for_timeout(1500)
    assert page.locator(".reel video").first.evaluate("v => v.paused")
    reel.get_by_role("button", name="Play").click()
    page.wait_for_function("() => !document.querySelector('.reel video').paused")
    expect(reel.get_by_role("button", name="Pause")).to_be_visible()

    shortcuts = page.get_by_role("button", name="Keys j k m")
    expect(shortcuts).to_have_attribute("aria-pressed", "true")
    shortcuts.click()
    expect(shortcuts).to_have_attribute("aria-pressed", "false")
    page.locator("body").focus()
    page.keyboard.press("j")  # off: the feed stays where it is
    page.wait_for_timeout(800)
    assert page.evaluate("document.querySelector('.reels').scrollTop") == 0
    page.keyboard.press("ArrowDown")  # the arrows are not single characters: they still move
    second = page.locator(".reel").nth(1)
    expect(second).to_be_focused()
    assert second.evaluate("el => getComputedStyle(el).outlineStyle") == "solid"
    page.screenshot(path=str(ARTIFACTS / "a11y-reduced-motion-keys-off.png"))
    page.reload()
    expect(page.get_by_role("button", name="Keys j k m")).to_have_attribute("aria-pressed", "false")
    context.close()
