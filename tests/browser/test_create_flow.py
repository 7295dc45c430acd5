"""Creation in Chromium against the real stack: Daphne, a Celery worker process, Redis, PyAV."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Locator, Page, expect

from feed.models import Post, User
from generation import services, worker
from generation.models import GenerationJob
from tests.builders.posts import post_published
from tests.conftest import PASSWORD, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def log_in(page: Page, base: str, handle: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Handle").fill(handle)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name=f"Log out @{handle}")).to_be_visible()


def submit_prompt(page: Page, base: str, prompt: str, *, size: str = "720x1280") -> None:
    page.goto(f"{base}/create/")
    page.get_by_label("Prompt", exact=True).fill(prompt)
    page.get_by_label("Size").select_option(size)
    page.get_by_role("button", name="Generate").click()


def card(page: Page) -> Locator:
    return page.locator("[data-job-id]").first


def test_create_watch_progress_play_with_sound_post(
    page: Page, live_server_url: str, alice: User, start_worker, screenshot
) -> None:
    start_worker()
    log_in(page, live_server_url, "alice")
    submit_prompt(page, live_server_url, 'A tiny robot watering a bonsai. It says "grow, little tree".')
    expect(page.get_by_text("Your video is queued.")).to_be_visible()
    expect(page.locator("#live-status")).to_have_text("Live", timeout=10_000)
    # Progress arrives over the socket: the bar moves without a reload.
    progress = page.get_by_role("progressbar", name="Progress")  # the job's bar, not the quota meter
    expect(progress).not_to_have_attribute("aria-valuenow", "0", timeout=60_000)
    screenshot("create-progress")
    video = card(page).locator("video")
    expect(video).to_be_visible(timeout=120_000)
    expect(card(page).get_by_text("Preview render")).to_be_visible()
    duration = video.evaluate(
        "v => new Promise(r => { if (v.readyState >= 1) r(v.duration);"
        " else v.onloadedmetadata = () => r(v.duration); })"
    )
    assert 3.5 < duration < 4.5
    has_audio = video.evaluate(
        """v => new Promise(resolve => {
             v.muted = false;
             v.play().then(() => setTimeout(() => resolve(v.webkitAudioDecodedByteCount > 0), 1500))
                     .catch(() => resolve(false));
           })"""
    )
    assert has_audio, "the draft should play with an audio track"
    screenshot("create-draft")

    card(page).get_by_label("Caption").fill("Bonsai bot")
    card(page).get_by_role("button", name="Post").click()
    expect(page.get_by_text("Posted!")).to_be_visible()
    page.goto(f"{live_server_url}/@alice/")
    expect(page.get_by_role("img", name="Bonsai bot")).to_be_visible()
    screenshot("profile-with-post")


def test_cancel_a_running_job(page: Page, live_server_url: str, alice: User, start_worker) -> None:
    start_worker()
    log_in(page, live_server_url, "alice")
    page.goto(f"{live_server_url}/create/")
    page.get_by_label("Storyboard").check()
    shots = page.locator(".shot")
    page.get_by_role("button", name="Add shot").click()
    page.get_by_role("button", name="Add shot").click()
    for index in range(4):
        shots.nth(index).get_by_label("Shot prompt").fill(f"long take number {index}")
        shots.nth(index).get_by_label("Seconds").fill("5")
    page.get_by_label("Size").select_option("1792x1024")
    page.get_by_role("button", name="Generate").click()
    job = GenerationJob.objects.get(owner=alice)
    wait_for(job, lambda j: j.state == "in_progress")
    page.reload()
    card(page).get_by_role("button", name="Cancel").click()
    expect(card(page).locator("[data-testid=job-state]")).to_have_text("Cancelled", timeout=60_000)
    expect(card(page).get_by_role("button", name="Retry")).to_be_visible()
    assert wait_for(job, lambda j: j.state == "cancelled").charged_seconds == 0


def test_storyboard_of_three_shots(page: Page, live_server_url: str, alice: User, start_worker, screenshot) -> None:
    start_worker()
    log_in(page, live_server_url, "alice")
    page.goto(f"{live_server_url}/create/")
    page.get_by_label("Storyboard").check()
    page.get_by_role("button", name="Add shot").click()
    shots = page.locator(".shot")
    for index, (prompt, seconds) in enumerate([("sunrise over dunes", "3"), ("a camel walks", "4"), ("stars", "3")]):
        shots.nth(index).get_by_label("Shot prompt").fill(prompt)
        shots.nth(index).get_by_label("Seconds").fill(seconds)
    expect(page.locator("#shot-total")).to_have_text("10")
    screenshot("storyboard-form")
    page.get_by_role("button", name="Generate").click()
    expect(card(page).locator("video")).to_be_visible(timeout=120_000)
    job = GenerationJob.objects.get(owner=alice)
    assert (job.seconds, len(job.shots), job.state) == (10, 3, "completed")


def test_image_to_video(page: Page, live_server_url: str, alice: User, start_worker, tmp_path: Path) -> None:
    start_worker()
    image = tmp_path / "landscape.jpg"
    Image.new("RGB", (1600, 900), (30, 160, 220)).save(image, "JPEG")
    log_in(page, live_server_url, "alice")
    page.goto(f"{live_server_url}/create/")
    page.get_by_label("Prompt", exact=True).fill("the sea comes alive")
    page.get_by_label("Image to animate").set_input_files(str(image))
    page.get_by_role("button", name="Generate").click()
    expect(page.get_by_text("Your image (1600x900) was resized and cropped to 720x1280.")).to_be_visible()
    expect(card(page).locator("video")).to_be_visible(timeout=120_000)
    assert GenerationJob.objects.get(owner=alice).input_image


def test_bad_input_is_explained_in_the_form(page: Page, live_server_url: str, alice: User, tmp_path: Path) -> None:
    log_in(page, live_server_url, "alice")
    not_an_image = tmp_path / "photo.png"
    not_an_image.write_bytes(b"this is not a png")
    page.goto(f"{live_server_url}/create/")
    page.get_by_label("Prompt", exact=True).fill("anything")
    page.get_by_label("Image to animate").set_input_files(str(not_an_image))
    page.get_by_role("button", name="Generate").click()
    expect(page.get_by_role("alert")).to_have_text("That file is not an image we can read.")
    expect(page.get_by_label("Prompt", exact=True)).to_have_value("anything")
    assert not GenerationJob.objects.exists()


def published_post(owner: User, prompt: str, caption: str) -> Post:
    """Made off the main thread: Playwright's event loop lives there, and the services push
    socket events through async_to_sync, which refuses to run beside a running loop."""

    def make() -> Post:
        job, _ = services.job_create(owner=owner, prompt=prompt)
        worker.job_execute(job.pk)
        return post_published(job=job, by=owner, caption=caption, visibility="public", show_prompt=True)

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(make).result()


def test_remix_a_public_post(page: Page, live_server_url: str, alice: User, bob: User, start_worker) -> None:
    parent = published_post(alice, "a red kite over green hills", "Kite day")
    start_worker()
    log_in(page, live_server_url, "bob")
    page.goto(f"{live_server_url}/p/{parent.pk}/")
    page.get_by_role("link", name="Remix").click()
    expect(page.get_by_text("Remixing @alice's video")).to_be_visible()
    page.get_by_label("Prompt", exact=True).fill("the kite is now a dragon")
    page.get_by_role("button", name="Generate").click()
    expect(card(page).locator("video")).to_be_visible(timeout=120_000)
    card(page).get_by_role("button", name="Post").click()
    remix = Post.objects.get(author=bob)
    assert remix.remix_of == parent
    deadline = time.monotonic() + 60  # the worker runs the publish check; until then it is in review
    while Post.objects.get(pk=remix.pk).review != Post.Review.CLEAR and time.monotonic() < deadline:
        time.sleep(0.5)
    page.goto(f"{live_server_url}/p/{parent.pk}/")
    expect(page.get_by_role("navigation", name="Remix chain").get_by_role("link", name="@bob: video")).to_be_visible()


def test_progress_falls_back_to_polling_when_the_socket_is_down(
    page: Page, live_server_url: str, alice: User, start_worker
) -> None:
    # Every socket the page opens is closed at once, as a proxy that drops WebSockets would.
    page.route_web_socket("**/ws/events/", lambda socket: socket.close())
    start_worker()
    log_in(page, live_server_url, "alice")
    submit_prompt(page, live_server_url, "a paper plane over a city")
    expect(page.locator("#live-status")).to_have_text("Reconnecting… checking every 2 s")
    expect(card(page).locator("video")).to_be_visible(timeout=120_000)
    expect(card(page).locator("[data-testid=job-state]")).to_have_text("Completed")
