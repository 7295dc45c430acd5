"""Every browser test also fails on a Content-Security-Policy violation: Chromium reports each refused
script, style, image, media or connection to the page's console ("... violates the following Content
Security Policy directive ...")."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import ConsoleMessage, Page


@pytest.fixture(autouse=True)
def no_csp_violations(page: Page) -> Iterator[None]:
    violations: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    page.on("console", on_console)
    yield
    assert violations == [], violations
