"""What every browser test shares: where Chromium is, how it starts, when the tests skip.

Use it in a module with ``pytestmark = [*BROWSER, ...]`` and the ``browser`` fixture (a started
headless Chromium), ``offline_pages`` (pages on the live server that cannot reach the network), or
``launch_chromium(playwright)`` when the module needs its own fixture order.
Where Chromium is absent (a laptop) the tests skip with a reason; in CI (``CI`` set) they must run.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest

# Playwright's sync API runs an event loop in the test's thread; the test's own ORM calls stay synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def chromium_path() -> str | None:
    return CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")


BROWSER = [
    pytest.mark.browser,
    pytest.mark.skipif(
        chromium_path() is None and not os.environ.get("CI"),
        reason="Chromium is not installed at /usr/bin/chromium (browser tests run in CI)",
    ),
]


def launch_chromium(playwright: Any) -> Any:
    """A headless Chromium with no background traffic (no update checks, no sync: tests never touch the network)."""
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)


@pytest.fixture
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = launch_chromium(p)
        yield chromium
        chromium.close()


EXIT_URL = "https://www.bmkg.go.id/"  # the neutral site quick exit leads to (answered by a stub below)


def keep_on_this_machine(context: Any, base_url: str, outside: list[str]) -> None:
    """Let requests to the live server through, answer the quick-exit site with a stub page, refuse the rest
    and note each refused address in ``outside`` (a test asserts it stays empty: no request leaves)."""

    def route(route: Any) -> Any:
        url = route.request.url
        if url.startswith(base_url):
            return route.continue_()
        if url.startswith(EXIT_URL):
            return route.fulfill(status=200, content_type="text/html",
                                 body="<!doctype html><html lang=id><title>Cuaca</title><h1>Prakiraan cuaca</h1>")
        outside.append(url)
        return route.abort()

    context.route("**/*", route)


@pytest.fixture
def offline_pages(live_server, settings, browser) -> Iterator[Callable[..., Any]]:
    """``new_page(**context_options)``: a page (15 s timeouts) in a new Indonesian-language browser context of
    the shared Chromium, for the live server, with quick exit leading to the stub site. Nothing may leave the
    machine: after the test, the requests that tried are the failure."""
    settings.QUICK_EXIT_URL = EXIT_URL
    outside: list[str] = []
    contexts: list[Any] = []

    def new_page(**context_options: Any) -> Any:
        context = browser.new_context(**{"locale": "id-ID", **context_options})
        keep_on_this_machine(context, live_server.url, outside)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield new_page
    for context in contexts:
        context.close()
    assert outside == [], f"requests left the machine: {outside}"
