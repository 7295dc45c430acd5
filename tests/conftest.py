"""Shared fixtures: personas, a real ASGI server (Daphne) for browser and socket tests, Chromium."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import timezone

from feed import services as feed_services
from feed.models import User

PASSWORD = "correct-horse-battery-9"
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def years_ago(years: int, days: int = 0) -> dt.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - dt.timedelta(days=days)


def make_user(username: str, *, age: int = 30, **fields: object) -> User:
    user = feed_services.user_sign_up(username=username, password=PASSWORD, birth_date=years_ago(age))
    for name, value in fields.items():
        setattr(user, name, value)
    if fields:
        user.save()
    return user


@pytest.fixture
def alice(db) -> User:
    """Creator and cameo owner."""
    return make_user("alice", display_name="Alice Liddell", bio="I make tiny films.")


@pytest.fixture
def bob(db) -> User:
    """A friend of alice's, the one who gets allowed."""
    return make_user("bob", display_name="Bob")


@pytest.fixture
def charlie(db) -> User:
    """A stranger: whatever is not his must be refused."""
    return make_user("charlie", display_name="Charlie")


@pytest.fixture
def mod(db) -> User:
    return make_user("mod", display_name="Moderator", is_moderator=True)


@pytest.fixture
def teen(db) -> User:
    return make_user("tess", age=15, display_name="Tess")


@pytest.fixture
def live_server_url(transactional_db) -> Iterator[str]:
    """The real ASGI app (HTTP + WebSockets) in a forked Daphne process, sharing the test database."""
    from channels.routing import get_default_application
    from daphne.testing import DaphneProcess

    server = DaphneProcess("127.0.0.1", get_default_application)
    server.start()
    if not server.ready.wait(timeout=30):
        server.terminate()
        raise RuntimeError("Daphne did not start")
    try:
        yield f"http://127.0.0.1:{server.port.value}"
    finally:
        server.terminate()
        server.join(timeout=10)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run",
            "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        ],
    }


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot under test-artifacts/ (looked at by people reviewing a change)."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
