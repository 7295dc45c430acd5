"""The drafts page on a phone: a compact grid, percent and time left, and the day's quota."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from playwright.sync_api import Page, expect

from feed.models import User
from generation import services, worker
from generation.models import GenerationJob

from .test_create_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def drafts_in_three_states(owner: User) -> None:
    """Done, a third of the way after 20 s, and waiting; made off Playwright's thread (the services
    push socket events through async_to_sync)."""

    def make() -> None:
        done, _ = services.job_create(owner=owner, prompt="a paper boat on a rainy street", seconds=4)
        worker.job_execute(done.pk)
        running, _ = services.job_create(owner=owner, prompt="a red kite over green hills", seconds=8)
        token = worker.job_claim(running.pk)
        assert token is not None
        GenerationJob.objects.filter(pk=running.pk).update(started_at=running.created_at - dt.timedelta(seconds=20))
        running.refresh_from_db()
        worker.ProgressReporter(running, token, {"generate": 1.0}).report(0.32)  # 32%
        services.job_create(owner=owner, prompt="a fox in the snow", seconds=4)
        connection.close()  # this thread's own connection, or the test database cannot be dropped

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(make).result()


def test_drafts_show_percent_time_left_and_quota_on_a_phone(
    page: Page, live_server_url: str, alice: User, screenshot, settings
) -> None:
    settings.GENERATION_MAX_CONCURRENT = 3
    drafts_in_three_states(alice)
    log_in(page, live_server_url, "alice")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server_url}/drafts/")
    expect(page.get_by_test_id("quota")).to_contain_text("224 of 240 s left today")
    running = page.locator("[data-job-state=in_progress]").get_by_test_id("job-progress")
    expect(running).to_contain_text("32%")
    expect(running).to_contain_text("s left")
    expect(page.locator("[data-job-state=queued]")).to_contain_text("waiting for a worker")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("drafts-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    columns = page.evaluate("getComputedStyle(document.querySelector('.jobs')).gridTemplateColumns.split(' ').length")
    assert columns >= 3  # a grid on a wide screen, not a single column of tall cards
    screenshot("drafts-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server_url}/create/")
    expect(page.get_by_test_id("quota")).to_contain_text("224 of 240 s left today")
    screenshot("create-quota-390")
