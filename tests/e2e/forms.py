"""Submitting forms and following links in the browser without racing the next page.

Public forms: history.js sends them with fetch(), so a click returns before the next page is there.
``send`` clicks and waits for the outcome: the next page (after a redirect, put in place with
location.replace) or the same page with its errors swapped in.

Staff forms and plain links load a new document. ``navigate`` clicks inside ``expect_navigation`` so
the next line reads the new page once it has loaded — never ``page.evaluate``/``page.content`` on a
document that is being replaced ("Execution context was destroyed"), nor the old page's text.
"""

from __future__ import annotations

import time


def send(page, locator, timeout: float = 15.0) -> None:
    page.wait_for_load_state()  # a page still loading (or replaced by a click before) is not marked stale
    page.evaluate("document.body.dataset.stale = '1'")
    locator.click()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if page.evaluate("() => document.readyState === 'complete' && !!document.body && !document.body.dataset.stale"):
                page.wait_for_load_state()
                return
        except Exception:  # noqa: BLE001 - the page is navigating; ask again
            pass
        time.sleep(0.05)
    raise AssertionError("the form was not answered in time")


def navigate(page, locator) -> None:
    """Click a link or a submit button that loads a new document, and wait until that document has loaded."""
    with page.expect_navigation():
        locator.click()
